import Foundation
import Testing
import SynprefTestSupport
import SynprefCore
import SynprefModels
@testable import SynprefServer

/// Every endpoint's request and response shape, on the tiny Qwen3 reward model with the
/// real Qwen tokenizer and template, against `synpref score`'s path (`ScoringService` on
/// the same folder) and transformers' scores from the front-end fixture.
@Suite(.serialized, .computeThreads, .enabled(if: ServerFixture.enabled, "needs the real Qwen tokenizer and MiniLM (scripts/fetch-assets.sh)"))
struct EndpointTests {
    /// The conversations transformers scored, with their rendered texts and scores, and
    /// the scores `synpref score`'s path gives.
    struct Case {
        var messages: [ChatMessage]
        var text: String
        var transformers: Double
        var synpref: Float
        var tokens: Int
    }

    static func cases(_ folder: URL, name: String = "qwen3", limit: Int = 12) async throws -> [Case] {
        let conversations = try ServerFixture.conversations()
        let scores = try ServerFixture.transformersScores(name)
        let texts = try ServerFixture.renderedTexts(name)
        let model = try RewardModel.open(folder.path, threads: 2)
        let service = try ScoringService(model: model)
        defer { service.shutdown() }
        var out: [Case] = []
        for (i, c) in conversations.enumerated() where out.count < limit {
            guard let input = try? service.prepare(c), input.ids.count < 2000 else { continue }
            let s = try await service.score(input)
            out.append(Case(messages: c, text: texts[i], transformers: scores[i], synpref: s, tokens: input.ids.count))
        }
        try #require(out.count == limit, "the fixture has fewer than \(limit) usable conversations")
        return out
    }

    static func sigmoid(_ x: Float) -> Double { 1 / (1 + exp(-Double(x))) }

    static func number(_ v: JSONValue?) throws -> Double { try #require(v?.doubleValue, "not a number: \(String(describing: v))") }

    @Test func everyEndpointAnswersTheDocumentedShapeWithSynprefScoreNumbers() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = try await Self.cases(folder)
        for c in cases { #expect(ServerFixture.close(Double(c.synpref), c.transformers), "synpref score vs transformers") }
        let server = try await RunningServer.start(folder: folder)
        let base = server.base

        // Synpref's own: raw logits, usage.
        let v1 = try await HTTP.post("\(base)/v1/score", ["inputs": .array(cases.map { ["messages": ConversationCodec.value($0.messages)] })])
        #expect(v1.status == 200, "\(v1.text)")
        let v1Scores = try #require(v1.json?["scores"]?.arrayValue)
        #expect(v1Scores.count == cases.count)
        for (got, c) in zip(v1Scores, cases) {
            #expect(ServerFixture.close(try Self.number(got), Double(c.synpref), tol: 1e-5))
            #expect(ServerFixture.close(try Self.number(got), c.transformers))
        }
        #expect(v1.json?["usage"]?["prompt_tokens"]?.intValue == cases.reduce(0) { $0 + $1.tokens })

        // vLLM /pooling with messages: sigmoid by default, raw with use_activation false.
        for c in cases.prefix(4) {
            let r = try await HTTP.post("\(base)/pooling", ["model": "test-rm", "messages": ConversationCodec.value(c.messages)])
            #expect(r.status == 200, "\(r.text)")
            let j = try #require(r.json)
            #expect(j["id"]?.stringValue?.hasPrefix("pool-") == true && j["id"]?.stringValue?.count == 37)
            #expect(j["object"]?.stringValue == "list" && j["model"]?.stringValue == "test-rm")
            #expect((j["created"]?.intValue ?? 0) > 1_700_000_000)
            let item = try #require(j["data"]?.arrayValue?.first)
            #expect(j["data"]?.arrayValue?.count == 1 && item["index"]?.intValue == 0 && item["object"]?.stringValue == "pooling")
            #expect(ServerFixture.close(try Self.number(item["data"]?.arrayValue?.first), Self.sigmoid(c.synpref), tol: 1e-5))
            #expect(j["usage"]?["prompt_tokens"]?.intValue == c.tokens && j["usage"]?["total_tokens"]?.intValue == c.tokens)
            #expect(j["usage"]?["completion_tokens"]?.intValue == 0)
            let raw = try await HTTP.post("\(base)/pooling", ["messages": ConversationCodec.value(c.messages), "use_activation": false])
            #expect(ServerFixture.close(try Self.number(raw.json?["data"]?[0]?["data"]?[0]), Double(c.synpref), tol: 1e-5))
        }

        // vLLM /classify with the rendered texts as completion-style input.
        let classify = try await HTTP.post("\(base)/classify", ["model": "test-rm", "input": .array(cases.map { .string($0.text) })])
        #expect(classify.status == 200, "\(classify.text)")
        let cj = try #require(classify.json)
        #expect(cj["id"]?.stringValue?.hasPrefix("classify-") == true && cj["object"]?.stringValue == "list")
        let items = try #require(cj["data"]?.arrayValue)
        #expect(items.count == cases.count)
        for (i, (item, c)) in zip(items, cases).enumerated() {
            #expect(item["index"]?.intValue == i && item["label"]?.stringValue == "LABEL_0" && item["num_classes"]?.intValue == 1)
            #expect(ServerFixture.close(try Self.number(item["probs"]?[0]), Self.sigmoid(c.synpref), tol: 1e-5))
        }

        // vLLM token-id inputs: [int] and [[int]].
        let model = try RewardModel.open(folder.path, threads: 1)
        let ids = try cases.prefix(3).map { try #require(model.frontEnd).encode(conversation: $0.messages) }
        let one = try await HTTP.post("\(base)/pooling", ["input": .array(ids[0].map { .integer($0) }), "use_activation": false])
        #expect(ServerFixture.close(try Self.number(one.json?["data"]?[0]?["data"]?[0]), Double(cases[0].synpref), tol: 1e-5))
        let many = try await HTTP.post("\(base)/classify", ["input": .array(ids.map { .array($0.map { .integer($0) }) }), "use_activation": false])
        for (i, c) in cases.prefix(3).enumerated() {
            #expect(ServerFixture.close(try Self.number(many.json?["data"]?[i]?["probs"]?[0]), Double(c.synpref), tol: 1e-5))
        }

        // OpenRLHF: templated text, no special tokens added; rewards == scores.
        let reward = try await HTTP.post("\(base)/get_reward", ["query": .array(cases.map { .string($0.text) }), "prompts": .array(cases.map { _ in "p" })])
        #expect(reward.status == 200, "\(reward.text)")
        let rj = try #require(reward.json)
        let rewards = try #require(rj["rewards"]?.arrayValue)
        #expect(rj["scores"] == rj["rewards"] && rj["extra_logs"]?.objectValue?.isEmpty == true)
        for (got, c) in zip(rewards, cases) { #expect(ServerFixture.close(try Self.number(got), Double(c.synpref), tol: 1e-5)) }

        // TEI /rerank: user = query, assistant = text; best first.
        let query = "Which answer is best?"
        let texts = ["Paris is the capital of France.", "I do not know.", "The capital of France is Lyon.", "Paris."]
        let rr = try await HTTP.post("\(base)/rerank", ["query": .string(query), "texts": .array(texts.map { .string($0) }), "return_text": true])
        #expect(rr.status == 200, "\(rr.text)")
        let ranked = try #require(rr.json?.arrayValue)
        let service = try ScoringService(model: model)
        defer { service.shutdown() }
        let want = try await service.score(conversations: texts.map { [ChatMessage(role: .user, content: query), ChatMessage(role: .assistant, content: $0)] })
        let order = want.indices.sorted { want[$0] > want[$1] }
        #expect(ranked.compactMap { $0["index"]?.intValue } == order)
        for r in ranked {
            let i = try #require(r["index"]?.intValue)
            #expect(ServerFixture.close(try Self.number(r["score"]), Self.sigmoid(want[i]), tol: 1e-5))
            #expect(r["text"]?.stringValue == texts[i])
        }
        let rawRanked = try await HTTP.post("\(base)/rerank", ["query": .string(query), "texts": .array(texts.map { .string($0) }), "raw_scores": true])
        #expect(ServerFixture.close(try Self.number(rawRanked.json?[0]?["score"]), Double(want[order[0]]), tol: 1e-5))
        #expect(rawRanked.json?[0]?["text"] == nil)

        // Status endpoints.
        let models = try await HTTP.get("\(base)/v1/models")
        #expect(models.json?["data"]?[0]?["id"]?.stringValue == "test-rm" && models.json?["object"]?.stringValue == "list")
        let health = try await HTTP.get("\(base)/health")
        #expect(health.status == 200 && health.json?["status"]?.stringValue == "ready")
        let info = try await HTTP.get("\(base)/info")
        let ij = try #require(info.json)
        #expect(ij["fingerprint"]?.stringValue == model.fingerprint)
        #expect(ij["architecture"]?.stringValue != nil && ij["dtype"]?.stringValue != nil && ij["version"]?.stringValue == SynprefVersion.string)
        #expect(ij["max_length"]?.intValue == TextFrontEnd.Options.defaultMaxLength && ij["max_batch_tokens"]?.intValue == 4096)
        let metrics = try await HTTP.get("\(base)/metrics")
        #expect(metrics.status == 200)
        for name in ["synpref_requests_total{", "synpref_request_duration_seconds_bucket{", "synpref_queue_seconds_bucket",
                     "synpref_batch_sequences_bucket", "synpref_batch_tokens_bucket", "synpref_tokens_per_second",
                     "synpref_requests_in_flight", "synpref_scored_tokens_total"] {
            #expect(metrics.text.contains(name), "metrics lack \(name)")
        }
        #expect(metrics.text.contains("route=\"/v1/score\""), "\(metrics.text.prefix(2000))")
        try await server.stop()
    }

    @Test func miniLMTextPairScoresMatchTransformers() async throws {
        let folder = try ServerFixture.folder("minilm")
        defer { try? FileManager.default.removeItem(at: folder) }
        let m = try ServerFixture.model("minilm")
        let side = try #require(TextFrontEnd.Truncation(rawValue: m["truncation"]?.stringValue ?? ""))
        let conversations = try ServerFixture.conversations()
        let scores = try ServerFixture.transformersScores("minilm")
        try #require(scores.count == conversations.count)
        let server = try await RunningServer.start(folder: folder, truncation: side)
        let model = try RewardModel.open(folder.path, threads: 1, frontEndOptions: .init(truncation: side))
        let service = try ScoringService(model: model)
        defer { service.shutdown() }
        let want = try await service.score(conversations: conversations)
        let r = try await HTTP.post("\(server.base)/v1/score", ["inputs": .array(conversations.map { ["messages": ConversationCodec.value($0)] })])
        #expect(r.status == 200, "\(r.text)")
        let got = try #require(r.json?["scores"]?.arrayValue)
        #expect(got.count == conversations.count)
        for (i, (g, w)) in zip(got, want).enumerated() {
            #expect(ServerFixture.close(try Self.number(g), Double(w), tol: 1e-5), "conversation \(i): server vs synpref score")
            #expect(ServerFixture.close(try Self.number(g), scores[i]), "conversation \(i): server vs transformers")
        }
        try await server.stop()
    }

    @Test func concurrentClientsGetTheirOwnScores() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases = try await Self.cases(folder, limit: 12)
        let server = try await RunningServer.start(folder: folder)
        let base = server.base
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<32 {
                let mine = (0..<(1 + client % 4)).map { cases[(client * 5 + $0 * 7) % cases.count] }
                group.addTask {
                    let r = try await HTTP.post("\(base)/v1/score", ["inputs": .array(mine.map { ["messages": ConversationCodec.value($0.messages)] })])
                    #expect(r.status == 200, "client \(client): \(r.text)")
                    let got = try #require(r.json?["scores"]?.arrayValue)
                    #expect(got.count == mine.count)
                    for (g, c) in zip(got, mine) {
                        #expect(ServerFixture.close(try Self.number(g), Double(c.synpref), tol: 1e-5), "client \(client)")
                    }
                }
            }
            try await group.waitForAll()
        }
        let stats = try #require(server.server.state.model).fingerprint
        #expect(!stats.isEmpty)
        try await server.stop()
    }
}
