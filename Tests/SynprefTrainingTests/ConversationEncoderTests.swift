import Foundation
import SynprefCore
@testable import SynprefTraining
import Testing

extension TrainingTests {
/// Conversations become the ids transformers gives (scripts/reference/train_conversation_ids.py):
/// chat template without generation prompt, leading BOS string stripped, default special
/// tokens. Uses the real Llama 3 and Qwen tokenizers (scripts/fetch-assets.sh).
@Suite struct ConversationEncoderTests {
    struct Reference: Decodable {
        struct Case: Decodable { var asset: String; var template: String; var ids: [[Int]] }
        var conversations: [[ChatMessage]]
        var tokenizers: [String: Case]
    }

    @Test(arguments: ["llama3", "qwen3"])
    func encodesAsTransformers(_ name: String) throws {
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TrainerTests.fixture("conversation-ids.json")))
        let c = try #require(ref.tokenizers[name])
        guard let asset = SynprefAssets.locate("\(c.asset)/tokenizer.json") else {
            if SynprefAssets.required { Issue.record("asset \(c.asset)/tokenizer.json missing; run scripts/fetch-assets.sh") }
            return
        }
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
        let encoder = try #require(try TemplateConversationEncoder.load(directory: dir))
        #expect(encoder.template != nil)
        for (i, conversation) in ref.conversations.enumerated() {
            #expect(try encoder.encode(conversation) == c.ids[i], "\(name) conversation \(i)")
        }
    }

    @Test func withoutATemplateTheConversationIsPlainText() {
        let text = TemplateConversationEncoder.plainText([ChatMessage(role: .system, content: "Be kind."),
                                                          ChatMessage(role: .user, content: "Hi"), ChatMessage(role: .assistant, content: "Hello")])
        #expect(text == "\n\nSystem: Be kind.\n\nHuman: Hi\n\nAssistant: Hello")
    }
}
}
