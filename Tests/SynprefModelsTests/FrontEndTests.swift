import Foundation
import Testing
import SynprefCore
import SynprefJinja
import SynprefText
@testable import SynprefModels
import SynprefTestSupport

/// The text front end's rules on a tiny hand-made WordPiece tokenizer whose every word is
/// one token (so expected ids are derived by hand below), its typed errors, model
/// fingerprints and Hugging Face repo ids.
@Suite(.computeThreads) struct FrontEndTests {
    /// Ids: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, "User:" 4, "Assistant:" 5, "System:" 6,
    /// a 7, b 8, c 9, d 10, e 11; BertProcessing adds [CLS] … [SEP] (… [SEP] for pairs).
    static let tokenizerJSON = #"""
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": [
          {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
         "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
         "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
         "decoder": null,
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                   "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "User:": 4, "Assistant:": 5, "System:": 6,
                             "a": 7, "b": 8, "c": 9, "d": 10, "e": 11}}}
        """#

    static func pairFrontEnd(_ options: TextFrontEnd.Options = TextFrontEnd.Options()) throws -> TextFrontEnd {
        TextFrontEnd(tokenizer: try Tokenizer(data: Data(tokenizerJSON.utf8)), format: .textPair, options: options)
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-frontend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let conversation = [ChatMessage(role: .user, content: "a b c d"), ChatMessage(role: .assistant, content: "e e")]

    @Test func textPairLayout() {
        let conversation = [ChatMessage(role: .system, content: "Be kind."), ChatMessage(role: .user, content: "Hi"),
                            ChatMessage(role: .assistant, content: "Hello"), ChatMessage(role: .tool, content: "{}"),
                            ChatMessage(role: .assistant, content: "Done", reasoningContent: "not part of the layout")]
        let pair = TextFrontEnd.textPair(conversation)
        #expect(pair.context == "System: Be kind.\nUser: Hi\nAssistant: Hello\nTool: {}")
        #expect(pair.response == "Done")
        #expect(TextFrontEnd.textPair([ChatMessage(role: .assistant, content: "Only")]) == (nil, "Only"))
        // An empty response leaves the context alone, as tokenizer(context, "") does.
        let empty = TextFrontEnd.textPair([ChatMessage(role: .user, content: "Q"), ChatMessage(role: .assistant, content: "")])
        #expect(empty == (nil, "User: Q"))
    }

    @Test func pairIdsTypesAndTruncation() throws {
        // Context "User: a b c d" = 5 tokens, response "e e" = 2, + 3 specials = 10.
        let full = try Self.pairFrontEnd().input(for: Self.conversation)
        #expect(full.ids == [2, 4, 7, 8, 9, 10, 3, 11, 11, 3])
        #expect(full.typeIDs == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1])
        #expect(try Self.pairFrontEnd().renderedText(for: Self.conversation) == #"["User: a b c d","e e"]"#)
        // max 8: two context tokens go; left keeps the context's end, right its start.
        let left = try Self.pairFrontEnd(.init(maxLength: 8, truncation: .left)).input(for: Self.conversation)
        #expect(left.ids == [2, 8, 9, 10, 3, 11, 11, 3] && left.truncatedTokens == 2)
        let right = try Self.pairFrontEnd(.init(maxLength: 8, truncation: .right)).input(for: Self.conversation)
        #expect(right.ids == [2, 4, 7, 8, 3, 11, 11, 3])
        // max 4: all 5 context tokens go, then 1 response token: [CLS] [SEP] e [SEP].
        let tight = try Self.pairFrontEnd(.init(maxLength: 4, truncation: .left)).input(for: Self.conversation)
        #expect(tight.ids == [2, 3, 11, 3] && tight.typeIDs == [0, 0, 1, 1] && tight.truncatedTokens == 6)
        // One message: a single sequence [CLS] a b c [SEP].
        #expect(try Self.pairFrontEnd().encode(conversation: [ChatMessage(role: .assistant, content: "a b c")]) == [2, 7, 8, 9, 3])
    }

    @Test func lengthErrorsNameTheConversation() throws {
        #expect(throws: TextFrontEndError.tooLong(id: "q-17", length: 10, maxLength: 8, positionLimited: false)) {
            try Self.pairFrontEnd(.init(maxLength: 8)).input(for: Self.conversation, id: "q-17")
        }
        #expect("\(TextFrontEndError.tooLong(id: "q-17", length: 10, maxLength: 8, positionLimited: false))".contains("\"q-17\" is 10 tokens"))
        // A pair's 3 special tokens leave no room under --max-length 3.
        #expect(throws: TextFrontEndError.cannotTruncate(id: "x", maxLength: 3, specialTokens: 3)) {
            try Self.pairFrontEnd(.init(maxLength: 3, truncation: .left)).input(for: Self.conversation, id: "x")
        }
        // No limit at all: nothing is checked.
        #expect(try Self.pairFrontEnd(.init(maxLength: nil)).input(for: Self.conversation).ids.count == 10)
        // The model's position limit applies even without --max-length, and says so.
        var limited = try Self.pairFrontEnd(.init(maxLength: nil))
        limited.positionLimit = 9
        #expect(throws: TextFrontEndError.tooLong(id: nil, length: 10, maxLength: 9, positionLimited: true)) {
            try limited.input(for: Self.conversation)
        }
    }

    @Test func templateRecipeStripsTheRenderedBOS() throws {
        // The template prints the BOS string itself and the tokenizer adds [CLS] again:
        // stripping the rendered one leaves exactly one.
        let template = try ChatTemplate(source: "{{ bos_token }}{% for m in messages %}{{ m.content }} {% endfor %}",
                                        specialTokens: ["bos_token": "[CLS]"])
        let frontEnd = TextFrontEnd(tokenizer: try Tokenizer(data: Data(Self.tokenizerJSON.utf8)),
                                    format: .chatTemplate(template, bosToken: "[CLS]"))
        let conversation = [ChatMessage(role: .user, content: "a"), ChatMessage(role: .assistant, content: "b")]
        #expect(try frontEnd.renderedText(for: conversation) == "a b ")
        #expect(try frontEnd.encode(conversation: conversation) == [2, 7, 8, 3])
        #expect(frontEnd.tokenizer.encode(try template.render(messages: conversation)) == [2, 2, 7, 8, 3]) // the doubled BOS avoided
        // Truncating a single sequence leaves room for its 2 specials: max 3 keeps one token.
        var cut = frontEnd
        cut.options = .init(maxLength: 3, truncation: .left)
        #expect(try cut.encode(conversation: conversation) == [2, 8, 3])
        cut.options.truncation = .right
        #expect(try cut.encode(conversation: conversation) == [2, 7, 3])
    }

    @Test func conversationErrorsAreTyped() throws {
        let tokenizer = try Tokenizer(data: Data(Self.tokenizerJSON.utf8))
        #expect(throws: TextFrontEndError.emptyConversation(id: "e")) { try Self.pairFrontEnd().input(for: [], id: "e") }
        let raising = TextFrontEnd(tokenizer: tokenizer, format: .chatTemplate(
            try ChatTemplate(source: "{{ raise_exception('only user turns') }}"), bosToken: nil))
        #expect { try raising.input(for: Self.conversation, id: "r1") } throws: {
            guard case TextFrontEndError.template(id: "r1", let reason) = $0 else { return false }
            return reason.contains("only user turns")
        }
        // Whitespace only: the tokenizer yields no tokens and there are no special tokens.
        let bare = TextFrontEnd(tokenizer: tokenizer, format: .chatTemplate(try ChatTemplate(source: " "), bosToken: nil))
        var json = try JSONParser.parse(Array(Self.tokenizerJSON.utf8)).objectValue ?? JSONObject()
        json["post_processor"] = .null
        let plain = TextFrontEnd(tokenizer: try Tokenizer(data: Data(JSONValue.object(json).serialized().utf8)), format: bare.format)
        #expect(throws: TextFrontEndError.noTokens(id: "w")) { try plain.input(for: Self.conversation, id: "w") }
    }

    /// Folders: no template → decoders cannot encode (a clear error at encode time, token ids
    /// still score); a broken template or tokenizer.json fails loading; no tokenizer.json →
    /// no front end, and conversations are an error naming the model.
    @Test func foldersWithoutTemplatesOrTokenizers() async throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.tokenizerJSON.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        let decoder = try #require(try TextFrontEnd.load(directory: dir, textPairWithoutTemplate: false))
        #expect(!decoder.canEncode)
        #expect(throws: TextFrontEndError.noChatTemplate(directory: dir.path)) { try decoder.input(for: Self.conversation) }
        let encoder = try #require(try TextFrontEnd.load(directory: dir, textPairWithoutTemplate: true))
        #expect(try encoder.encode(conversation: Self.conversation) == [2, 4, 7, 8, 9, 10, 3, 11, 11, 3])

        try "{% if %}".write(to: dir.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try TextFrontEnd.load(directory: dir, textPairWithoutTemplate: true) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("chat_template.jinja"))
        try "{\"model\": ".write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
        #expect(throws: TokenizerError.self) { try TextFrontEnd.load(directory: dir, textPairWithoutTemplate: true) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("tokenizer.json"))
        #expect(try TextFrontEnd.load(directory: dir, textPairWithoutTemplate: true) == nil)

        let model = try RewardModel.open(Self.tinyModel.path)
        #expect(model.frontEnd == nil)
        await #expect(throws: TextFrontEndError.noTokenizer(model: Self.tinyModel.path)) {
            _ = try await ScoringService(model: model).score(conversations: [Self.conversation])
        }
    }

    // MARK: - Fingerprints and repo ids

    static let tinyModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/tiny-qwen3")

    /// A copy of the bundled tiny Qwen3 (vocabulary 300) with the hand-made tokenizer.
    static func tinyFolder() throws -> URL {
        let dir = try temporaryDirectory()
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: tinyModel.appendingPathComponent(f), to: dir.appendingPathComponent(f))
        }
        try Data(tokenizerJSON.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        try "{% for m in messages %}{{ m.role }}: {{ m.content }} {% endfor %}".write(
            to: dir.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func fingerprintFollowsWeightsTokenizerTemplateAndOptions() throws {
        let dir = try Self.tinyFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = try RewardModel.open(dir.path).fingerprint
        #expect(base.count == 64)
        #expect(try RewardModel.open(dir.path).fingerprint == base) // stable
        #expect(try RewardModel.open(dir.path, frontEndOptions: .init(maxLength: 512)).fingerprint != base)
        #expect(try RewardModel.open(dir.path, frontEndOptions: .init(truncation: .left)).fingerprint != base)
        var seen: Set<String> = [base]
        try "{% for m in messages %}{{ m.content }}{% endfor %}".write(
            to: dir.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8)
        #expect(seen.insert(try RewardModel.open(dir.path).fingerprint).inserted)
        try #"{"bos_token": "[CLS]"}"#.write(to: dir.appendingPathComponent("tokenizer_config.json"), atomically: true, encoding: .utf8)
        #expect(seen.insert(try RewardModel.open(dir.path).fingerprint).inserted)
        try Data(Self.tokenizerJSON.replacingOccurrences(of: "\"e\": 11", with: "\"e\": 12, \"f\": 11").utf8)
            .write(to: dir.appendingPathComponent("tokenizer.json"))
        #expect(seen.insert(try RewardModel.open(dir.path).fingerprint).inserted)
        // One weight byte (the last one: inside the final tensor's data).
        let weights = dir.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: weights)
        #expect(seen.insert(try RewardModel.open(dir.path).fingerprint).inserted)
    }

    /// Large files are fingerprinted by header, small tensors and samples: a change to a
    /// small tensor (a head-only fine-tune) and a change in the bulk both show.
    @Test func sampledFingerprintOfLargeFiles() throws {
        let dir = try Self.tinyFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        func describe() throws -> JSONValue { ModelFingerprint.describe(try SafetensorsFile(url: url), wholeFileLimit: 0) }
        let before = try describe()
        #expect(before["sha256"] == nil && before["header_sha256"] != nil && before["sampled_sha256"] != nil)
        let file = try SafetensorsFile(url: url)
        let small = try #require(file.entries.values.filter { $0.dataOffsets.count <= ModelFingerprint.smallTensorLimit }
            .min { $0.dataOffsets.count < $1.dataOffsets.count })
        var bytes = try Data(contentsOf: url)
        bytes[file.dataOffset + small.dataOffsets.lowerBound] ^= 0x40
        try bytes.write(to: url)
        let after = try describe()
        #expect(after["header_sha256"] == before["header_sha256"])
        #expect(after["small_tensors_sha256"] != before["small_tensors_sha256"], "tensor \(small.name) changed")
    }

    /// `--model org/name` resolves through the Hugging Face cache (offline here); weights
    /// in the cache are fingerprinted by their blob names (the SHA-256 of the content).
    @Test func repoIDsResolveThroughTheHubCache() throws {
        let cache = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let commit = String(repeating: "ab", count: 20)
        let repo = cache.appendingPathComponent("models--acme--tiny-rm")
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/main"))
        var digests: [String: String] = [:]
        for f in ["config.json", "model.safetensors"] {
            let data = try Data(contentsOf: Self.tinyModel.appendingPathComponent(f))
            let digest = SHA256.hex([UInt8](data))
            digests[f] = digest
            try data.write(to: repo.appendingPathComponent("blobs/\(digest)"))
            try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(f).path, withDestinationPath: "../../blobs/\(digest)")
        }
        let model = try RewardModel.open("acme/tiny-rm", hub: HubSettings(cacheDirectory: cache, offline: true))
        #expect(model.directory?.standardizedFileURL.path == snapshot.standardizedFileURL.path)
        let description = try ModelFingerprint.description(directory: model.directory, weights: Checkpoint.open(directory: snapshot), frontEnd: nil)
        #expect(description["weights"]?.arrayValue?.first?["sha256"]?.stringValue == digests["model.safetensors"])
        #expect(try model.score(tokenSequences: [[1, 2, 3]]).count == 1)
        // A repo id that is not in the offline cache is an error naming what is missing.
        #expect(throws: HubError.self) { try RewardModel.open("acme/absent", hub: HubSettings(cacheDirectory: cache, offline: true)) }
    }
}
