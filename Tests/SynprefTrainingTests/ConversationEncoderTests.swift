import Foundation
import SynprefCore
import SynprefModels
@testable import SynprefTraining
import Testing

extension TrainingTests {
/// Conversations become the ids transformers gives (scripts/reference/train_conversation_ids.py):
/// chat template without generation prompt, leading BOS string stripped, default special
/// tokens. Uses the real Llama 3 and Qwen tokenizers (scripts/fetch-assets.sh) through the
/// shared text front end (`TextFrontEnd.forTraining`), the one `synpref score` uses.
@Suite struct ConversationEncoderTests {
    struct Reference: Decodable {
        struct Case: Decodable { var asset: String; var template: String; var ids: [[Int]] }
        var conversations: [[ChatMessage]]
        var tokenizers: [String: Case]
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer.json", "qwen/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"),
          arguments: ["llama3", "qwen3"])
    func encodesAsTransformers(_ name: String) throws {
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TrainerTests.fixture("conversation-ids.json")))
        let c = try #require(ref.tokenizers[name])
        let asset = try #require(SynprefAssets.locate("\(c.asset)/tokenizer.json"), "asset \(c.asset)/tokenizer.json missing; run scripts/fetch-assets.sh")
        // The same folder the reference script builds: the asset's tokenizer files plus the
        // chat template (from SynprefJinjaTests' fixtures).
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: asset, to: dir.appendingPathComponent("tokenizer.json"))
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SynprefJinjaTests/Fixtures/templates")
        var config = JSONObject()
        let assetConfig = asset.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        if let data = try? Data(contentsOf: assetConfig), let o = try JSONParser.parse([UInt8](data)).objectValue { config = o }
        config["chat_template"] = .string(try String(contentsOf: templates.appendingPathComponent(c.template), encoding: .utf8))
        try Data(JSONValue.object(config).serialized().utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        let modelConfig = try ModelConfig.load(from: try TrainerTests.fixture(name == "llama3" ? "train-llama" : "train-qwen3"))
        let encoder = try #require(try TextFrontEnd.forTraining(directory: dir, config: modelConfig))
        guard case .chatTemplate = encoder.format else { Issue.record("\(name): the template was not loaded"); return }
        #expect(encoder.options.maxLength == nil) // --max-length / --over-length apply to the encoded pairs
        for (i, conversation) in ref.conversations.enumerated() {
            #expect(try encoder.encode(conversation) == c.ids[i], "\(name) conversation \(i)")
            #expect(try encoder.encodeWithTypes(conversation).typeIDs == nil)
        }
    }

    /// A decoder folder with a tokenizer but no chat template cannot encode conversations:
    /// loading the data fails naming the file, line and side.
    @Test func decoderWithoutTemplateIsAClearError() throws {
        let dir = try TrainerTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(BertConversationTests.tokenizerJSON.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        let config = try ModelConfig.load(from: try TrainerTests.fixture("train-qwen3"))
        let encoder = try #require(try TextFrontEnd.forTraining(directory: dir, config: config))
        let path = dir.appendingPathComponent("conv.jsonl").path
        try (BertConversationTests.records.first ?? "").write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try PairDataset.load(file: path, limits: PairLimits(vocabSize: 64), encoder: encoder) }
            throws: { "\($0)".contains("\(path):1") && "\($0)".contains("chosen") && "\($0)".contains("no chat template") }
    }
}
}

extension TrainingTests {
/// BERT reward models (the quickstart's all-MiniLM-L6-v2) have no chat template: training
/// reads conversations in the front end's text-pair layout, token types included, exactly
/// as `synpref score` does; the frozen-backbone path keys its feature cache by them too.
@Suite struct BertConversationTests {
    /// A hand-made WordPiece tokenizer inside train-bert's 64-token vocabulary: every word
    /// is one token; BertProcessing adds [CLS] … [SEP] … [SEP] with types 0 then 1.
    static let tokenizerJSON = #"""
        {"version": "1.0", "added_tokens": [
          {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
         "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}, "decoder": null,
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                   "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "User:": 4, "Assistant:": 5, "good": 6, "bad": 7,
                             "hi": 8, "yes": 9, "no": 10, "maybe": 11}}}
        """#

    static let records = [
        #"{"chosen": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "good yes"}], "rejected": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "bad"}]}"#,
        #"{"chosen": [{"role": "user", "content": "hi maybe"}, {"role": "assistant", "content": "good"}], "rejected": [{"role": "user", "content": "hi maybe"}, {"role": "assistant", "content": "bad no"}]}"#,
    ]

    static func modelFolder() throws -> URL {
        let dir = try TrainerTests.temporaryDirectory()
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: try TrainerTests.fixture("train-bert").appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        try Data(tokenizerJSON.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        return dir
    }

    @Test func pairsCarryTheTextPairLayout() throws {
        let dir = try Self.modelFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("conv.jsonl").path
        try (Self.records.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let encoder = try #require(try TextFrontEnd.forTraining(directory: dir, config: try ModelConfig.load(from: dir)))
        let ds = try PairDataset.load(file: path, limits: PairLimits(vocabSize: 64, modelMaxLength: 64), encoder: encoder)
        // "User: hi" | "good yes": [CLS] User: hi [SEP] good yes [SEP].
        #expect(ds.pairs[0].chosen == [2, 4, 8, 3, 6, 9, 3] && ds.pairs[0].chosenTypes == [0, 0, 0, 0, 1, 1, 1])
        #expect(ds.pairs[0].rejected == [2, 4, 8, 3, 7, 3] && ds.pairs[0].rejectedTypes == [0, 0, 0, 0, 1, 1])
        #expect(ds.pairs[1].chosen == [2, 4, 8, 11, 3, 6, 3])
        // --over-length truncate keeps ids and types in step.
        let cut = try PairDataset.load(file: path, limits: PairLimits(vocabSize: 64, maxLength: 5, overLength: .truncate), encoder: encoder)
        #expect(cut.pairs[0].chosen == [2, 4, 8, 3, 6] && cut.pairs[0].chosenTypes == [0, 0, 0, 0, 1])
        // The data fingerprint (resume check) sees the types.
        var untyped = ds.pairs
        untyped[0].chosenTypes = nil
        #expect(ResumeCheckpoint.fingerprint(untyped) != ResumeCheckpoint.fingerprint(ds.pairs))
    }

    /// Full and frozen-backbone training on conversations: the trainer's evaluation equals
    /// the saved model scored through `ScoringService.score(conversations:)` (the scoring path).
    @Test(arguments: [false, true])
    func trainsAndScoresAlike(freezeBackbone: Bool) async throws {
        let dir = try Self.modelFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("conv.jsonl").path
        try (Self.records.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var spec = TrainingJobSpec(model: dir, data: .file(path), output: dir.appendingPathComponent("out"))
        spec.options.learningRate = 1e-2
        spec.options.batchSize = 2
        spec.options.threads = 2
        spec.options.epochs = 3
        spec.parts.freezeBackbone = freezeBackbone
        spec.validation = .file(path)
        let job = try await TrainingJob.prepare(spec)
        #expect(job.trainer.train.pairs.allSatisfy { $0.chosenTypes != nil })
        try await job.trainer.run()
        let evaluation = try await job.trainer.evaluate(job.trainer.train)
        let saved = try RewardModel.open(spec.output.path, threads: 2)
        var conversations: [[ChatMessage]] = []
        for record in Self.records {
            let v = try JSONParser.parse(Array(record.utf8))
            for side in ["chosen", "rejected"] {
                conversations.append(try JSONDecoder().decode([ChatMessage].self, from: Data((v[side] ?? .null).serialized().utf8)))
            }
        }
        let rewards = try await ScoringService(model: saved).score(conversations: conversations)
        var correct = 0
        for p in 0..<2 where rewards[2 * p] > rewards[2 * p + 1] { correct += 1 }
        #expect(Double(correct) / 2 == evaluation.accuracy)
        // Token types matter to the saved model: all-zero types give other rewards.
        let inputs = try saved.inputs(for: conversations)
        let zeros = try saved.score(tokenSequences: inputs.map(\.ids))
        #expect(zeros != rewards)
    }
}
}
