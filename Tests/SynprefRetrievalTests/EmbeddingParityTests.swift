import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefRetrieval
import SynprefTestSupport

/// `SentenceEmbedder` against `SentenceTransformer.encode` (sentence-transformers 6.3,
/// torch 2.13) on 556 texts: short, long (cut at max_seq_length), unicode, edge cases.
/// Goal: cosine ≥ 0.99999 and every component within 1e-5; ids exactly equal.
@Suite(.computeThreads, .serialized, .enabled(if: EmbeddingFixture.enabled, "needs the real MiniLM and Qwen tokenizer (scripts/fetch-assets.sh)"))
struct EmbeddingParityTests {
    static func compare(_ got: [[Float]], _ want: [[Float]], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == want.count, sourceLocation: sourceLocation)
        var worstCos = 1.0, worstComponent = 0.0
        for (i, (g, w)) in zip(got, want).enumerated() {
            #expect(g.count == w.count, "\(name) text \(i): dimension", sourceLocation: sourceLocation)
            var dot = 0.0, gg = 0.0, ww = 0.0, component = 0.0
            for (a, b) in zip(g, w) {
                dot += Double(a) * Double(b); gg += Double(a) * Double(a); ww += Double(b) * Double(b)
                component = max(component, abs(Double(a) - Double(b)))
            }
            let cos = dot / max((gg * ww).squareRoot(), 1e-30)
            worstCos = min(worstCos, cos)
            worstComponent = max(worstComponent, component)
            #expect(cos >= 0.99999 && component <= 1e-5, "\(name) text \(i): cosine \(cos), largest component difference \(component)",
                    sourceLocation: sourceLocation)
        }
        #expect(worstCos >= 0.99999 && worstComponent <= 1e-5, "\(name): worst cosine \(worstCos), worst component \(worstComponent)",
                sourceLocation: sourceLocation)
    }

    @Test func miniLMMatchesSentenceTransformers() throws {
        let dir = try EmbeddingFixture.assetFolder("minilm")
        let m = try EmbeddingFixture.model("minilm")
        let texts = try EmbeddingFixture.texts()
        try #require(texts.count >= 500)
        let embedder = try SentenceEmbedder(dir.path, threads: 2)
        #expect(embedder.layout.pooling == .mean && embedder.layout.normalize && embedder.layout.maxSequenceLength == 256)
        let wantIDs = (m["ids"]?.arrayValue ?? []).map(EmbeddingFixture.ints)
        let ids = texts.map { embedder.tokenize($0) }
        for (i, (g, w)) in zip(ids, wantIDs).enumerated() { #expect(g == w, "minilm text \(i): ids") }
        let want = (m["embeddings"]?.arrayValue ?? []).map(EmbeddingFixture.floats)
        Self.compare(try embedder.embed(tokenized: ids), want, "minilm")
    }

    @Test func qwen3EmbedderMatchesSentenceTransformers() throws {
        let dir = try EmbeddingFixture.qwenFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try EmbeddingFixture.model("qwen3")
        let texts = try EmbeddingFixture.texts()
        let embedder = try SentenceEmbedder(dir.path, threads: 2)
        #expect(embedder.layout.pooling == .lasttoken && embedder.layout.normalize && embedder.layout.maxSequenceLength == 64)
        let wantIDs = (m["ids"]?.arrayValue ?? []).map(EmbeddingFixture.ints)
        let ids = texts.map { embedder.tokenize($0) }
        for (i, (g, w)) in zip(ids, wantIDs).enumerated() { #expect(g == w, "qwen3 text \(i): ids \(g.suffix(4)) vs \(w.suffix(4))") }
        let want = (m["embeddings"]?.arrayValue ?? []).map(EmbeddingFixture.floats)
        Self.compare(try embedder.embed(tokenized: ids), want, "qwen3")

        // The "query" prompt of config_sentence_transformers.json, put before the text.
        let q = try #require(m["query"])
        let prompt = try embedder.prompt(named: try #require(q["prompt_name"]?.stringValue))
        #expect(prompt == q["prompt"]?.stringValue)
        let indices = EmbeddingFixture.ints(q["indices"])
        let queryIDs = indices.map { embedder.tokenize(texts[$0], prompt: prompt) }
        for (g, w) in zip(queryIDs, (q["ids"]?.arrayValue ?? []).map(EmbeddingFixture.ints)) { #expect(g == w, "query ids") }
        Self.compare(try embedder.embed(tokenized: queryIDs), (q["embeddings"]?.arrayValue ?? []).map(EmbeddingFixture.floats), "qwen3 query")
        #expect(throws: EmbeddingError.unknownPrompt(name: "nope", available: ["document", "query"])) { try embedder.prompt(named: "nope") }
    }
}

/// The `(x, a)` text of a pair and its truncation from the start of the conversation.
@Suite(.computeThreads, .enabled(if: EmbeddingFixture.enabled, "needs the real MiniLM (scripts/fetch-assets.sh)"))
struct PairTextTests {
    @Test func attributesStayAndTheConversationLosesItsStart() throws {
        let embedder = try SentenceEmbedder(try EmbeddingFixture.assetFolder("minilm").path, threads: 1)
        let attributes = PreferenceAttributes(taskCategory: "math", objectivity: .objective, controversiality: .low,
                                              desiredAttributes: "a correct sum", annotationGuideline: "Check the arithmetic.")
        let long = (0..<300).map { "word\($0)" }.joined(separator: " ")
        let pair = PreferencePair(context: [ChatMessage(role: .user, content: long), ChatMessage(role: .assistant, content: "ok"),
                                            ChatMessage(role: .user, content: "So what is 2 + 2?")],
                                  chosen: ChatMessage(role: .assistant, content: "4"), rejected: ChatMessage(role: .assistant, content: "5"),
                                  source: "t", attributes: attributes)
        let ids = embedder.tokenize(pair: pair)
        #expect(ids.count == 256)
        let text = embedder.tokenizer.decode(ids, skipSpecialTokens: true)
        #expect(text.hasPrefix("task : math ; objectivity : objective"), "\(text.prefix(80))")
        #expect(text.hasSuffix("user : so what is 2 + 2?"), "\(text.suffix(80))")
        #expect(!text.contains("word0 "))
        // Without attributes: the conversation alone, as PairText renders it.
        var bare = pair
        bare.attributes = nil
        bare.context = [ChatMessage(role: .user, content: "Hello there")]
        #expect(embedder.tokenize(pair: bare) == embedder.tokenize("User: Hello there"))
        #expect(PairText.attributes(attributes) == "Task: math; objectivity: objective; controversiality: low\nDesired: a correct sum\nGuideline: Check the arithmetic.\n")
    }
}
