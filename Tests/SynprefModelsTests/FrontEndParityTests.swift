import Foundation
import Testing
import SynprefCore
import SynprefText
@testable import SynprefModels
import SynprefTestSupport

/// Conversations end to end: tiny models with the REAL Qwen and Llama 3 tokenizers and
/// REAL chat templates, and the real all-MiniLM-L6-v2 through the text-pair layout, give
/// the ids and scores transformers 5.24 gives with the Skywork-Reward-V2 model-card recipe.
/// Fixture: scripts/reference/frontend_e2e.py.
@Suite(.computeThreads) struct FrontEndParityTests {
    static func open(_ name: String, options: TextFrontEnd.Options = TextFrontEnd.Options()) throws -> (RewardModel, URL) {
        let dir = try FrontEndFixtures.folder(name)
        return (try RewardModel.open(dir.path, threads: 2, frontEndOptions: options), dir)
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json", "llama3/tokenizer.json", "minilm/tokenizer.json", "minilm/model.safetensors"),
                   "needs real assets: run scripts/fetch-assets.sh"),
          arguments: ["qwen3", "llama3", "minilm"])
    func idsAndScoresMatchTransformers(name: String) async throws {
        let m = try FrontEndFixtures.model(name)
        var options = TextFrontEnd.Options()
        if let side = m["truncation"]?.stringValue { options.truncation = TextFrontEnd.Truncation(rawValue: side) }
        let (model, dir) = try Self.open(name, options: options)
        defer { FrontEndFixtures.remove(dir) }
        let conversations = try FrontEndFixtures.conversations()
        #expect(conversations.count >= 30)
        let frontEnd = try #require(model.frontEnd)
        let texts = m["texts"]?.arrayValue?.map { $0.stringValue ?? "" }
        let wantIDs = (m["ids"]?.arrayValue ?? []).map(FrontEndFixtures.ints)
        let wantTypes = m["types"]?.arrayValue.map { $0.map(FrontEndFixtures.ints) }
        let wantScores = (m["scores"]?.arrayValue ?? []).compactMap(\.doubleValue)
        try #require(wantIDs.count == conversations.count && wantScores.count == conversations.count)
        for (i, conversation) in conversations.enumerated() {
            if let texts {
                #expect(try frontEnd.renderedText(for: conversation) == texts[i], "\(name) conversation \(i): rendered text")
            }
            let input = try frontEnd.input(for: conversation, id: "c\(i)")
            #expect(input.ids == wantIDs[i], "\(name) conversation \(i): ids \(input.ids.prefix(12)) vs \(wantIDs[i].prefix(12))")
            if let wantTypes { #expect(input.typeIDs == wantTypes[i], "\(name) conversation \(i): token type ids") }
        }
        let scores = try await ScoringService(model: model).score(conversations: conversations)
        var worst = 0.0
        for (i, (got, want)) in zip(scores, wantScores).enumerated() {
            worst = max(worst, abs(Double(got) - want))
            #expect(FrontEndFixtures.close(got, want), "\(name) conversation \(i): score \(got) vs transformers \(want)")
        }
        #expect(worst <= 1e-4, "\(name): worst score difference \(worst)")
    }

    /// `--truncate left|right` cut exactly as `tokenizer(text, truncation=True, max_length=N)`
    /// with `truncation_side` left/right: before the special tokens go in (Llama keeps its BOS).
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json", "llama3/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"),
          arguments: ["qwen3", "llama3"])
    func truncationMatchesTransformers(name: String) throws {
        let m = try FrontEndFixtures.model(name)
        let (model, dir) = try Self.open(name)
        defer { FrontEndFixtures.remove(dir) }
        let conversations = try FrontEndFixtures.conversations()
        let cases = try #require(m["truncations"]?.arrayValue)
        #expect(cases.count == 6)
        for c in cases {
            let index = try #require(c["conversation"]?.intValue), max = try #require(c["max_length"]?.intValue)
            let side = try #require(TextFrontEnd.Truncation(rawValue: c["side"]?.stringValue ?? ""))
            var frontEnd = try #require(model.frontEnd)
            frontEnd.options = TextFrontEnd.Options(maxLength: max, truncation: side)
            let input = try frontEnd.input(for: conversations[index])
            #expect(input.ids == FrontEndFixtures.ints(c["ids"]), "\(name) conversation \(index) \(side) \(max)")
            #expect(input.ids.count == max && input.truncatedTokens > 0)
            let score = try model.score(inputs: [input])[0]
            #expect(FrontEndFixtures.close(score, c["score"]?.doubleValue ?? .nan), "\(name) truncated score \(score)")
            // Without --truncate the same input is an error naming the conversation and its length.
            frontEnd.options.truncation = nil
            let length = input.ids.count + input.truncatedTokens
            #expect(throws: TextFrontEndError.tooLong(id: "conv-\(index)", length: length, maxLength: max, positionLimited: false)) {
                try frontEnd.input(for: conversations[index], id: "conv-\(index)")
            }
        }
    }

    /// Regression: the Llama 3.1 template prints <|begin_of_text|> and the tokenizer adds it
    /// too; the recipe strips the rendered one, so every input starts with exactly one BOS.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func llamaHasExactlyOneBOS() throws {
        let (model, dir) = try Self.open("llama3")
        defer { FrontEndFixtures.remove(dir) }
        let frontEnd = try #require(model.frontEnd)
        let bos = try #require(frontEnd.tokenizer.tokenToID("<|begin_of_text|>"))
        #expect(bos == 128000)
        guard case .chatTemplate(let template, let bosToken) = frontEnd.format else { Issue.record("llama3 has a template"); return }
        #expect(bosToken == "<|begin_of_text|>")
        for (i, conversation) in try FrontEndFixtures.conversations().enumerated() {
            let ids = try frontEnd.encode(conversation: conversation)
            #expect(ids.first == 128000 && ids.dropFirst().first != 128000, "conversation \(i) starts \(ids.prefix(3))")
            let containsBOS = conversation.contains { $0.content.contains("<|begin_of_text|>") }
            if !containsBOS { #expect(ids.filter { $0 == 128000 }.count == 1, "conversation \(i)") }
            // The trap the strip avoids: the raw render tokenized with special tokens starts with two.
            let raw = try template.render(messages: conversation)
            #expect(raw.hasPrefix("<|begin_of_text|>"))
            #expect(Array(frontEnd.tokenizer.encode(raw).prefix(2)) == [128000, 128000])
        }
    }

    /// transformers 5.24 ignores add_bos_token / add_eos_token in tokenizer_config.json when
    /// tokenizer.json has a post-processor; so does the front end (it follows tokenizer.json).
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"),
          arguments: ["llama3-add-bos-false", "llama3-add-eos-true"])
    func tokenizerConfigFlagsAreIgnoredAsInTransformers(name: String) throws {
        let c = try #require(FrontEndFixtures.reference?["tokenizer_flags"]?[name])
        let dir = try FrontEndFixtures.filesFolder(name, c)
        defer { FrontEndFixtures.remove(dir) }
        let frontEnd = try #require(try TextFrontEnd.load(directory: dir, textPairWithoutTemplate: false))
        let want = (c["ids"]?.arrayValue ?? []).map(FrontEndFixtures.ints)
        #expect(want.count == 6)
        for (i, conversation) in try FrontEndFixtures.conversations().prefix(6).enumerated() {
            let ids = try frontEnd.encode(conversation: conversation)
            #expect(ids == want[i], "\(name) conversation \(i)")
            #expect(ids.first == 128000 && ids.last == 128009) // one BOS, no EOS appended
        }
    }

    /// add_generation_prompt is false: the input ends with the judged response's end-of-turn
    /// marker, never with an open assistant header; Qwen3 keeps its empty think block before
    /// the last assistant turn.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json", "llama3/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func noGenerationPrompt() throws {
        let conversation = [ChatMessage(role: .user, content: "Hi"), ChatMessage(role: .assistant, content: "Hello!")]
        for (name, ending, open) in [("qwen3", "Hello!<|im_end|>\n", "<|im_start|>assistant\n"),
                                     ("llama3", "Hello!<|eot_id|>", "<|start_header_id|>assistant<|end_header_id|>\n\n")] {
            let (model, dir) = try Self.open(name)
            defer { FrontEndFixtures.remove(dir) }
            let frontEnd = try #require(model.frontEnd)
            let text = try frontEnd.renderedText(for: conversation)
            #expect(text.hasSuffix(ending) && !text.hasSuffix(open), "\(name): \(text.debugDescription)")
            if name == "qwen3" {
                #expect(text == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello!<|im_end|>\n")
            }
            let ids = try frontEnd.encode(conversation: conversation)
            #expect(ids == frontEnd.tokenizer.encode(text))
        }
    }

    /// BERT inputs are held to max_position_embeddings (512): over it without --truncate is
    /// an error saying so; the fixture's long conversation was cut to 512 on the context side.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json", "minilm/model.safetensors"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func minilmPositionLimit() throws {
        let (model, dir) = try Self.open("minilm")
        defer { FrontEndFixtures.remove(dir) }
        let frontEnd = try #require(model.frontEnd)
        #expect(frontEnd.positionLimit == 512)
        let conversations = try FrontEndFixtures.conversations()
        let long = try #require(conversations.firstIndex { $0.contains { $0.content.count > 3000 } })
        #expect(throws: TextFrontEndError.self) { try frontEnd.input(for: conversations[long]) }
        do {
            _ = try frontEnd.input(for: conversations[long], id: "long")
        } catch let e as TextFrontEndError {
            guard case .tooLong(let id, let length, 512, true) = e else { Issue.record("unexpected \(e)"); return }
            #expect(id == "long" && length > 512 && "\(e)".contains("at most 512 positions"))
        }
        var cut = frontEnd
        cut.options.truncation = .left
        let input = try cut.input(for: conversations[long])
        #expect(input.ids.count == 512)
        // The response (type 1) survives whole: only context tokens were removed.
        let response = frontEnd.tokenizer.encode(conversations[long].last?.content ?? "", addSpecialTokens: false)
        #expect(input.typeIDs.filter { $0 == 1 }.count == response.count + 1)
    }
}
