import Foundation
import Testing
import SynprefCore
import SynprefData
import SynprefRetrieval
@testable import SynprefCLI
import SynprefTestSupport

/// `synpref embed --store` and `synpref retrieve --store` on the real all-MiniLM-L6-v2, on
/// SQLite and on PostgreSQL (when the test command provides one).
@Suite(.computeThreads, .serialized) struct EmbedRetrieveStoreTests {
    typealias Kind = JudgeStoreCommandTests.Kind

    static let prompts = [
        "A cat is sleeping on the sofa.", "The stock market fell sharply today.", "Boil the pasta for ten minutes, then drain it.",
        "It will rain heavily tomorrow afternoon.", "How do I reverse a linked list in C?", "What is the capital of Australia?",
        "Write a haiku about autumn leaves.", "Explain how vaccines train the immune system.",
    ]
    /// Gold queries: paraphrases of prompts 0, 3 and 4, and one prompt repeated verbatim.
    static let gold = ["A kitten naps on the couch.", "Expect a downpour tomorrow.", "Reversing a singly linked list in C: how?",
                       "What is the capital of Australia?"]

    func pairLines(_ texts: [String], tag: String) -> String {
        texts.enumerated().map { i, t in "{\"prompt\": \(JSONValue.string(t).serialized()), \"chosen\": \"\(tag) answer \(i)\", \"rejected\": \"no\"}\n" }.joined()
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors"), "needs MiniLM (scripts/fetch-assets.sh)"),
          arguments: Kind.available)
    func embedIncrementallyThenRetrieveGoldNeighboursAmongUnverifiedPairs(kind: Kind) async throws {
        let model = try #require(SynprefAssets.locate("minilm")).path
        let helper = JudgeCommandTests()
        let dir = (try helper.temp("x") as NSString).deletingLastPathComponent
        let url = try kind.freshURL(dir)
        let pool = try helper.temp("pool.jsonl", pairLines(Self.prompts, tag: "pool"))
        let goldFile = try helper.temp("gold.jsonl", pairLines(Self.gold, tag: "gold"))
        try await runSynpref(["data", "import", pool, "--store", url, "--source", "pool"])
        try await runSynpref(["data", "import", goldFile, "--store", url, "--source", "gold"])
        let store = try await PreferenceStores.open(url)
        let goldIDs = try await store.pairs(PairQuery(source: "gold")).map { $0.id! }
        let poolPairs = try await store.pairs(PairQuery(source: "pool"))
        _ = try await store.apply(CurationBatch(moves: goldIDs.map { TierChange(pairID: $0, to: .gold, reason: "test") }, actor: "test"))

        // Gold first, then everything: the second run embeds only what is missing.
        try await runSynpref(["embed", "--model", model, "--store", url, "--tier", "gold", "--threads", "2"])
        let embedder = StoreEmbedding.key(try SentenceEmbedder(model), promptName: nil)
        #expect(try await store.embeddingCount(embedder: embedder, tier: nil) == (4, 12))
        let firstGold = try await store.embeddings(embedder: embedder, pairIDs: goldIDs)
        try await runSynpref(["embed", "--model", model, "--store", url, "--threads", "2"])
        #expect(try await store.embeddingCount(embedder: embedder, tier: nil) == (12, 12))
        #expect(try await store.embeddings(embedder: embedder, pairIDs: goldIDs) == firstGold, "vectors are never replaced")

        // The stored vectors are the (x, a) embeddings file mode computes, within 1e-5.
        let fileOut = try helper.temp("pool-emb.jsonl")
        try await runSynpref(["embed", "--model", model, "--input", pool, "--output", fileOut, "--threads", "2"])
        let fromFile = try String(contentsOfFile: fileOut, encoding: .utf8).split(separator: "\n").map {
            (try JSONParser.parse(String($0))["embedding"]?.arrayValue ?? []).compactMap(\.doubleValue)
        }
        let stored = try await store.embeddings(embedder: embedder, pairIDs: poolPairs.map { $0.id! })
        #expect(stored.count == 8)
        for (s, f) in zip(stored, fromFile) {
            #expect(s.vector.count == 384 && zip(s.vector, f).allSatisfy { abs(Double($0) - $1) <= 1e-5 })
        }

        // Each gold pair's nearest unverified pair is its paraphrase.
        let out = try helper.temp("neighbours.jsonl")
        try await runSynpref(["retrieve", "--store", url, "--model", model, "--query-tier", "gold", "--from-tier", "unverified",
                              "--k", "2", "--output", out])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(lines.map { $0["id"]?.stringValue } == goldIDs.map { String($0) })
        let poolID = { (i: Int) in String(poolPairs[i].id!) }
        let firsts = lines.map { $0["neighbours"]?.arrayValue?.first?["id"]?.stringValue }
        #expect(firsts == [poolID(0), poolID(3), poolID(4), poolID(5)])
        for line in lines {
            let sims = (line["neighbours"]?.arrayValue ?? []).compactMap { $0["similarity"]?.doubleValue }
            #expect(sims.count == 2 && sims[0] >= sims[1])
        }
        // Similarities are the inner products of the stored vectors.
        let goldVectors = try await store.embeddings(embedder: embedder, pairIDs: [goldIDs[0]])[0].vector
        let top = try #require(lines[0]["neighbours"]?.arrayValue?.first?["similarity"]?.doubleValue)
        let dot = zip(goldVectors, stored[0].vector).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(top - dot) <= 1e-5)

        // The same neighbours whichever way the search runs: exact in this process, or (on
        // PostgreSQL with pgvector) HNSW in the database; SQLite has no index to search.
        let exactOut = try helper.temp("exact.jsonl")
        try await runSynpref(["retrieve", "--store", url, "--model", model, "--k", "2", "--search", "exact", "--output", exactOut])
        let exact = try String(contentsOfFile: exactOut, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        if kind == .postgres {
            let indexOut = try helper.temp("index.jsonl")
            try await runSynpref(["retrieve", "--store", url, "--model", model, "--k", "2", "--search", "index", "--output", indexOut])
            let viaIndex = try String(contentsOfFile: indexOut, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
            func ids(_ v: [JSONValue]) -> [[String]] { v.map { ($0["neighbours"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue } } }
            func sims(_ v: [JSONValue]) -> [Double] { v.flatMap { ($0["neighbours"]?.arrayValue ?? []).compactMap { $0["similarity"]?.doubleValue } } }
            #expect(ids(viaIndex) == ids(exact))
            #expect(zip(sims(viaIndex), sims(exact)).allSatisfy { abs($0 - $1) < 1e-5 })
        } else {
            await #expect {
                try await runSynpref(["retrieve", "--store", url, "--model", model, "--k", "2", "--search", "index"])
            } throws: { "\($0)".contains("not PostgreSQL") }
        }

        // The verbatim prompt is skipped with --exclude-same-prompt; the adaptive k applies.
        let conf = try helper.temp("p.jsonl", goldIDs.enumerated().map { "{\"id\": \"\($1)\", \"p\": \($0 == 3 ? 0.9 : 0.3)}\n" }.joined())
        try await runSynpref(["retrieve", "--store", url, "--model", model, "--k-rule", "skywork", "--k-max", "3", "--confidence", conf,
                              "--exclude-same-prompt", "--output", out])
        let filtered = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(filtered.map { $0["neighbours"]?.arrayValue?.count } == [3, 3, 3, 1])
        #expect(filtered[3]["neighbours"]?.arrayValue?.first?["id"]?.stringValue != poolID(5))
        try await store.close()
    }

    /// `synpref embed --store` SIGKILLed after its first saved chunks, then run again: every
    /// pair ends with one vector, and the vectors saved before the kill are kept as they were.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors"), "needs MiniLM (scripts/fetch-assets.sh)"))
    func aKilledEmbedRunResumesWithWhatIsMissing() async throws {
        let model = try #require(SynprefAssets.locate("minilm")).path
        let helper = JudgeCommandTests()
        let dir = (try helper.temp("x") as NSString).deletingLastPathComponent
        let url = "sqlite:\(dir)/store.db"
        let texts = (0..<1500).map { i in "Question \(i): tell me about topic \(i % 97) and its history." }
        try await runSynpref(["data", "import", try helper.temp("p.jsonl", pairLines(texts, tag: "t")), "--store", url])
        let store = try await PreferenceStores.open(url)
        let key = StoreEmbedding.key(try SentenceEmbedder(model), promptName: nil)
        let p = Process()
        p.executableURL = try ServeCommandTests.executable()
        p.arguments = ["embed", "--model", model, "--store", url, "--threads", "2"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        var atKill = 0
        while p.isRunning {
            atKill = try await store.embeddingCount(embedder: key, tier: nil).embedded
            if atKill >= 256 { kill(p.processIdentifier, SIGKILL); break }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        let saved = try await store.embeddings(embedder: key, tier: nil, afterID: 0, limit: 100_000)
        #expect(saved.count >= 256 && saved.count < 1500)
        try await runSynpref(["embed", "--model", model, "--store", url, "--threads", "2"])
        #expect(try await store.embeddingCount(embedder: key, tier: nil) == (1500, 1500))
        let after = try await store.embeddings(embedder: key, pairIDs: saved.map(\.pairID))
        #expect(after == saved)
        print("embed --store killed with \(saved.count) of 1500 vectors saved; the second run embedded the other \(1500 - saved.count)")
        try await store.close()
    }

    @Test func storeFlagsAreCheckedBeforeAnyWork() async throws {
        for (args, says) in [
            (["embed", "--model", "m", "--store", "sqlite:/tmp/x.db", "--output", "o.jsonl"], "--output is for --input"),
            (["embed", "--model", "m"], "give --input FILE, or --store URL"),
            (["embed", "--model", "m", "--input", "i.jsonl", "--tier", "gold"], "--tier needs --store"),
            (["retrieve", "--store", "sqlite:/tmp/x.db", "--k", "2"], "--store needs --model"),
            (["retrieve", "--corpus", "c.jsonl", "--queries", "q.jsonl", "--k", "2", "--exclude-same-prompt"], "needs --store"),
        ] {
            await #expect { try await runSynpref(args) } throws: { "\($0)".contains(says) }
        }
    }
}
