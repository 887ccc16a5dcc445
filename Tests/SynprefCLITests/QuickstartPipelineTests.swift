import Foundation
import SynprefCore
import SynprefData
import SynprefModels
import SynprefTraining
import Testing
@testable import SynprefCLI
import SynprefTestSupport

/// The train-and-evaluate pipeline of the README ("Train and evaluate on your own data") on a
/// slice, with the same commands and options: `data split` of the bundled HH-RLHF file, `train` of a BertModel (no head, as
/// all-MiniLM-L6-v2 ships) to which training adds a fresh one-logit head, and `eval --benchmark
/// all` over a root with pairs/ (the held-out part) and the bundled RewardBench 2 sample. The
/// model is a tiny BERT with random weights and the real MiniLM tokenizer, so this checks the
/// plumbing, not the accuracy (the README states the measured accuracy of the real run).
@Suite(.computeThreads, .serialized) struct QuickstartPipelineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A BertModel folder: MiniLM's tokenizer files and a 2-layer, 16-wide body with
    /// `SyntheticWeights`. A missing MiniLM asset is a failure.
    static func tinyBert(in dir: URL) throws -> URL {
        let tokenizer = try #require(SynprefAssets.locate("minilm/tokenizer.json"), "asset folder minilm missing; run scripts/fetch-assets.sh")
        let minilm = tokenizer.deletingLastPathComponent()
        let folder = dir.appendingPathComponent("tiny-bert")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"] {
            try FileManager.default.copyItem(at: minilm.appendingPathComponent(f), to: folder.appendingPathComponent(f))
        }
        let config = """
            {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 16, "num_hidden_layers": 2,
             "num_attention_heads": 2, "intermediate_size": 32, "hidden_act": "gelu", "max_position_embeddings": 512,
             "type_vocab_size": 2, "vocab_size": 30522, "layer_norm_eps": 1e-12, "pad_token_id": 0, "initializer_range": 0.02}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        var tensors: [(name: String, shape: [Int])] = [
            ("embeddings.word_embeddings.weight", [30522, 16]), ("embeddings.position_embeddings.weight", [512, 16]),
            ("embeddings.token_type_embeddings.weight", [2, 16]), ("embeddings.LayerNorm.weight", [16]), ("embeddings.LayerNorm.bias", [16]),
            ("pooler.dense.weight", [16, 16]), ("pooler.dense.bias", [16]),
        ]
        for l in 0..<2 {
            let p = "encoder.layer.\(l)."
            for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                tensors += [(p + m + ".weight", [16, 16]), (p + m + ".bias", [16])]
            }
            tensors += [
                (p + "attention.output.LayerNorm.weight", [16]), (p + "attention.output.LayerNorm.bias", [16]),
                (p + "intermediate.dense.weight", [32, 16]), (p + "intermediate.dense.bias", [32]),
                (p + "output.dense.weight", [16, 32]), (p + "output.dense.bias", [16]),
                (p + "output.LayerNorm.weight", [16]), (p + "output.LayerNorm.bias", [16]),
            ]
        }
        try SyntheticWeights.write(tensors, dtype: .float32, to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    /// The first `count` records of the bundled HH-RLHF file, as plain JSON lines.
    static func hhSlice(_ count: Int, to url: URL) throws {
        let reader = try LineReader(path: root.appendingPathComponent("examples/data/hh-rlhf/harmless-base-test.jsonl.gz").path)
        var out: [UInt8] = []
        var n = 0
        while n < count, let (_, bytes) = try reader.nextLine() {
            out += bytes + [0x0A]
            n += 1
        }
        try Data(out).write(to: url)
    }

    static func keys(_ path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let reader = try PreferenceFileReader(path: path, source: "t")
        var out: [String] = []
        while let batch = try reader.nextBatch() {
            for o in batch { out += o.pairs.map { PreferenceSplit.groupKey($0.pair.context) } }
        }
        return out
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json", "minilm/tokenizer_config.json", "minilm/special_tokens_map.json", "minilm/vocab.txt"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func splitTrainEvaluateOnASlice() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-quickstart-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.tinyBert(in: dir)
        let slice = dir.appendingPathComponent("hh.jsonl")
        try Self.hhSlice(90, to: slice)  // record 87 is invalid (empty chosen): left out with --on-error skip

        let data = dir.appendingPathComponent("data").path
        try await runSynpref(["data", "split", slice.path, "--output", data, "--held-out", "0.3", "--on-error", "skip"])
        let manifest = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: data + "/split.json"))))
        #expect(manifest["records"]?.intValue == 90 && manifest["invalid_records"]?.intValue == 1)
        let train = try Self.keys(data + "/train.jsonl"), heldOut = try Self.keys(data + "/held-out.jsonl")
        #expect(train.count + heldOut.count == 89 && !heldOut.isEmpty && !train.isEmpty)
        #expect(Set(train).isDisjoint(with: heldOut), "a prompt is on both sides")

        let out = dir.appendingPathComponent("model").path
        try await runSynpref(["train", "--model", model.path, "--data", data + "/train.jsonl", "--output", out, "--lr", "1e-3",
                            "--batch-size", "4", "--max-steps", "2", "--max-length", "512", "--over-length", "drop",
                            "--seed", "42", "--threads", "2"])
        let config = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/config.json"))))
        #expect(config["architectures"]?.arrayValue?.first?.stringValue == "BertForSequenceClassification")

        let evalRoot = dir.appendingPathComponent("eval-data")
        try FileManager.default.createDirectory(at: evalRoot.appendingPathComponent("pairs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("examples/data/benchmarks/rewardbench2"),
                                         to: evalRoot.appendingPathComponent("rewardbench2"))
        try FileManager.default.copyItem(atPath: data + "/held-out.jsonl", toPath: evalRoot.path + "/pairs/held-out.jsonl")
        let report = dir.appendingPathComponent("report").path
        try await runSynpref(["eval", "--benchmark", "all", "--data", evalRoot.path, "--model", out, "--max-length", "128",
                            "--truncate", "left", "--cache", dir.appendingPathComponent("cache.jsonl").path, "--output", report])
        let results = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: report + "/results.json"))))
        let metrics = try #require(results["metrics"]?.objectValue)
        let accuracy = try #require(metrics["pairs.accuracy"]?.doubleValue)
        let low = try #require(metrics["pairs.accuracy.ci95_low"]?.doubleValue)
        let high = try #require(metrics["pairs.accuracy.ci95_high"]?.doubleValue)
        #expect(low <= accuracy && accuracy <= high && low >= 0 && high <= 100)
        #expect(results["benchmarks"]?["pairs"]?["details"]?["all"]?["pairs"]?.intValue == heldOut.count)
        #expect(results["benchmarks"]?["rewardbench2"] != nil)
        let html = try String(contentsOfFile: report + "/report.html", encoding: .utf8)
        #expect(html.contains("Preference pairs") && html.contains("95% CI"))
    }
}
