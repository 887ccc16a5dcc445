import Foundation
import SynprefCore
import SynprefModels
import SynprefTensor
@testable import SynprefTraining
import Testing

extension TrainingTests {
/// Checkpoints `synpref train` writes: transformers loads them and scores them as we do
/// (fixtures from scripts/reference/train_hf_reload.py, which trained them with the synpref
/// binary), and retraining reproduces them.
@Suite struct HFCheckpointTests {
    struct Scores: Decodable {
        var dtype: String, architecture: String, sequences: [[Int]], scores: [Float]
    }

    static func scores() throws -> [String: Scores] {
        try JSONDecoder().decode([String: Scores].self, from: Data(contentsOf: TrainerTests.fixture("trained-scores.json")))
    }

    @Test(arguments: ["qwen3", "llama", "bert"])
    func transformersScoresOurCheckpointsAsWeDo(_ name: String) throws {
        let ref = try #require(try Self.scores()[name])
        let dir = try TrainerTests.fixture("trained-\(name)")
        let config = try ModelConfig.load(from: dir)
        #expect(config.architecture.rawValue == ref.architecture)
        let ours = try RewardModel(config: config, weights: Checkpoint.open(directory: dir), threads: 2).score(tokenSequences: ref.sequences)
        #expect(maxScaledError(ours, ref.scores) <= 1e-5, "\(name): ours \(ours) vs transformers \(ref.scores)")
        // Saved in the dtype of the checkpoint training started from.
        let file = try SafetensorsFile(url: dir.appendingPathComponent("model.safetensors"))
        let want = ref.dtype == "bfloat16" ? "BF16" : "F32"
        #expect(file.entries.values.allSatisfy { $0.dtypeName == want })
    }

    /// The committed checkpoints are what the trainer produces: the same runs again (the
    /// options of train_hf_reload.py's commands) give the same weights (to f32 rounding; a
    /// bf16 value may land one bf16 step away when its f32 value sits on a rounding edge).
    @Test(arguments: ["qwen3", "llama", "bert"])
    func retrainingReproducesTheCommittedCheckpoint(_ name: String) async throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try TrainerTests.dataFile(try TrainerTests.pairs(name).map { TokenPair(chosen: $0.chosen, rejected: $0.rejected) }, in: dir)
        var spec = TrainingJobSpec(model: try TrainerTests.fixture("train-\(name)"), data: .file(data), output: dir.appendingPathComponent("run"))
        spec.options.seed = 7
        switch name {
        case "qwen3":
            spec.options.learningRate = 1e-3; spec.options.batchSize = 2; spec.options.epochs = 2
            spec.options.adam.weightDecay = 0.01; spec.options.warmupSteps = 1
        case "llama":
            spec.options.learningRate = 1e-2; spec.options.batchSize = 3; spec.options.maxSteps = 4
            spec.parts.lora = LoRAOptions(rank: 2); spec.options.schedule = .cosine
        default:
            spec.options.learningRate = 1e-2; spec.options.batchSize = 2; spec.options.maxSteps = 5
            spec.parts.freezeBackbone = true; spec.options.schedule = .constant
        }
        try await TrainingJob.prepare(spec).trainer.run()
        let ours = try SafetensorsFile(url: dir.appendingPathComponent("run/model.safetensors"))
        let committed = try SafetensorsFile(url: try TrainerTests.fixture("trained-\(name)/model.safetensors"))
        #expect(Set(ours.tensorNames) == Set(committed.tensorNames))
        for n in committed.tensorNames {
            let a = try Fixture.values(ours, n), b = try Fixture.values(committed, n)
            let bf16 = try committed.tensor(n).dtype == .bfloat16
            var tolerance: (Float) -> Float = { Swift.max(1e-5, bf16 ? abs($0) / 128 : 0) }
            if n == "classifier.bias" {
                // The Bradley-Terry loss depends on r_w − r_l, where the head's bias cancels:
                // its gradient is zero but for rounding noise, which Adam divides by its own
                // size, so each step moves the bias by up to lr·(1−β1)/√(1−β2) (Kingma & Ba
                // §2.1) in a direction set by the kernels' summation order. Two machines'
                // kernels may each drift that far, in opposite directions.
                let adam = spec.options.adam
                let bound = Float(2 * Double(spec.options.maxSteps ?? 0) * spec.options.learningRate
                    * (1 - adam.beta1) / (1 - adam.beta2).squareRoot())
                tolerance = { _ in bound }
            }
            let ok = zip(a, b).allSatisfy { abs($0 - $1) <= tolerance($1) }
            #expect(ok, "\(name) \(n) differs from the committed checkpoint: \(a.prefix(4)) vs \(b.prefix(4))")
        }
    }

    @Test func tokenizerFilesAreCopied() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("source")
        try FileManager.default.copyItem(at: try TrainerTests.fixture("train-qwen3"), to: source)
        for f in ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja"] {
            try "{\"\(f)\": true}".write(to: source.appendingPathComponent(f), atomically: true, encoding: .utf8)
        }
        let model = try TrainableModelLoader.load(directory: source)
        let out = dir.appendingPathComponent("out")
        try HFCheckpoint.write(model, to: out, source: source)
        for f in ["tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "config.json", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(f).path), "\(f) missing")
        }
        #expect(try String(contentsOf: out.appendingPathComponent("tokenizer.json"), encoding: .utf8) == "{\"tokenizer.json\": true}")
        // Every other config field is kept.
        let before = try JSONParser.parse([UInt8](Data(contentsOf: source.appendingPathComponent("config.json")))).objectValue
        let after = try JSONParser.parse([UInt8](Data(contentsOf: out.appendingPathComponent("config.json")))).objectValue
        #expect(before?["rope_theta"] == after?["rope_theta"] && before?["head_dim"] == after?["head_dim"])
    }

    @Test func aBaseBertGetsAClassifierHead() throws {
        // A BertModel checkpoint (no "bert." prefix, no classifier): the trainer adds
        // transformers' BertForSequenceClassification names and initializes the head.
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = try SafetensorsFile(url: try TrainerTests.fixture("train-bert/model.safetensors"))
        let entries = try src.tensorNames.filter { !$0.hasPrefix("classifier") }.map { n in
            SafetensorsWriter.Entry(name: String(n.dropFirst("bert.".count)), values: Tensor(try Fixture.values(src, n), shape: try src.tensor(n).shape), dtype: .float32)
        }
        try SafetensorsWriter.write(entries, to: dir.appendingPathComponent("model.safetensors"))
        var config = try JSONParser.parse([UInt8](Data(contentsOf: TrainerTests.fixture("train-bert/config.json")))).objectValue ?? JSONObject()
        config["architectures"] = .array([.string("BertModel")])
        try Data(JSONValue.object(config).serialized().utf8).write(to: dir.appendingPathComponent("config.json"))
        let model = try TrainableModelLoader.load(directory: dir, seed: 3)
        #expect(model.config.architecture == .bertForSequenceClassification)
        let head = try #require(model.parameters["classifier.weight"]).value.toArray()
        let std = (head.map { $0 * $0 }.reduce(0, +) / Float(head.count)).squareRoot()
        #expect(std > 0.005 && std < 0.06)  // N(0, 0.02²) over 16 values
        #expect(model.parameters["classifier.bias"]?.value.toArray() == [0])
        #expect(model.parameters["bert.embeddings.word_embeddings.weight"] != nil)
    }
}
}
