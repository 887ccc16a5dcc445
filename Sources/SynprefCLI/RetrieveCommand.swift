import ArgumentParser
import Foundation
import SynprefCore
import SynprefData
import SynprefRetrieval

/// `synpref retrieve`: each query's most similar corpus items, exact, by cosine similarity.
struct RetrieveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieve",
        abstract: "Find each query's nearest corpus embeddings (exact top-k; fixed k or the paper's adaptive k).",
        discussion: """
            --corpus and --queries are `synpref embed` outputs ({"id", "embedding"} lines, one \
            model) or float32 .npy matrices (memory-mapped, so a corpus larger than RAM works; \
            ids from FILE.ids.jsonl, else row numbers; ties by row). Output: {"id": query id, "neighbours": [{"id", "similarity"}, ...]} per \
            query, in query order, neighbours by decreasing similarity, ties broken by id. \
            Similarity is the inner product (the cosine for normalised embeddings). With \
            --k-rule skywork, each query's k comes from --confidence lines {"id", "p"} (p: the \
            reward model's probability for the gold pair): k = --k-max when p <= 0.5, else \
            ceil(k-max * (1 - p)), as in Skywork-Reward-V2's Stage 1. --exclude-selected gives \
            each corpus item to at most one query (the first, in query order, that retrieves \
            it; later queries take their next neighbours instead) and reports how many \
            duplicates it skipped. \
            Store mode (--store URL --model REF instead of --corpus/--queries): the queries are \
            the pairs of --query-tier (default gold), the corpus the pairs of --from-tier \
            (default unverified), by the vectors `synpref embed --store` saved for --model \
            (and --prompt-name); ids are pair ids, confidence lines use them too. A pair never \
            retrieves itself; --exclude-same-prompt skips corpus pairs whose conversation \
            equals the query's. Search is exact, in this process (the corpus tier's vectors \
            are read into memory).
            """)

    enum Rule: String, ExpressibleByArgument, CaseIterable { case skywork }

    @Option(help: "Corpus embeddings (synpref embed output).")
    var corpus: String?

    @Option(help: "Query embeddings (synpref embed output).")
    var queries: String?

    @Option(help: "Retrieve among stored pairs (instead of --corpus/--queries); needs --model.")
    var store: String?

    @Option(help: "Store mode: the embedding model (sentence-transformers folder or repo id) whose stored vectors to search.")
    var model: String?

    @Option(name: .customLong("prompt-name"), help: "Store mode: the prompt the vectors were embedded with, if any.")
    var promptName: String?

    @Option(name: .customLong("query-tier"), help: "Store mode: the tier whose pairs are the queries.")
    var queryTier: PreferenceTier = .gold

    @Option(name: .customLong("from-tier"), help: "Store mode: the tier whose pairs are searched.")
    var fromTier: PreferenceTier = .unverified

    @Flag(name: .customLong("exclude-same-prompt"), help: "Store mode: skip corpus pairs whose conversation equals the query's.")
    var excludeSamePrompt = false

    @Option(help: "Store mode: auto (the store's pgvector index when it has one, else exact), exact (in this process) or index (pgvector HNSW).")
    var search: StoreRetrieval.Method = .auto

    @Option(name: .customLong("ef-search"), help: "Store mode, index search: HNSW's candidate list size (default: the server's, 40); larger finds more of the exact neighbours, slower.")
    var efSearch: Int?

    @Option(help: "Neighbours per query.")
    var k: Int?

    @Option(name: .customLong("k-rule"), help: "skywork: k from each query's confidence (needs --confidence).")
    var kRule: Rule?

    @Option(name: .customLong("k-max"), help: "Largest k of --k-rule skywork.")
    var kMax: Int = 8

    @Option(help: "Confidence lines {\"id\": string, \"p\": number} for --k-rule skywork.")
    var confidence: String?

    @Flag(name: .customLong("exclude-selected"), help: "Give each corpus item to at most one query.")
    var excludeSelected = false

    @Option(help: "Output JSON lines file (default: stdout).")
    var output: String?

    func validate() throws {
        switch (k, kRule) {
        case (nil, nil): throw ValidationError("give --k K or --k-rule skywork --confidence FILE")
        case (.some, .some): throw ValidationError("give --k or --k-rule, not both")
        case (.some(let k), nil) where k < 0: throw ValidationError("--k must be 0 or more")
        case (nil, .some) where confidence == nil: throw ValidationError("--k-rule skywork needs --confidence FILE")
        default: break
        }
        if kMax < 1 { throw ValidationError("--k-max must be at least 1") }
        if store != nil {
            if corpus != nil || queries != nil { throw ValidationError("--store replaces --corpus and --queries: give one or the other") }
            if model == nil { throw ValidationError("--store needs --model: the embedding model whose stored vectors to search") }
        } else {
            if corpus == nil || queries == nil { throw ValidationError("give --corpus FILE and --queries FILE, or --store URL --model REF") }
            if excludeSamePrompt { throw ValidationError("--exclude-same-prompt needs --store (embedding files hold no conversations)") }
            if search != .auto || efSearch != nil { throw ValidationError("--search and --ef-search need --store") }
        }
    }

    /// Each query's k from --k or --k-rule and --confidence.
    func kFunction() throws -> (String) throws -> Int {
        let rule: KRule = k.map { .fixed($0) } ?? .skywork(kMax: kMax)
        let confidences = try confidence.map { try EmbeddingFile.readConfidences(path: $0) } ?? [:]
        let file = confidence ?? "--confidence"
        return { id in
            guard let k = rule.k(confidence: confidences[id]) else {
                throw ValidationError("\(file): no confidence for query \"\(id)\"; every query needs a line {\"id\": \"\(id)\", \"p\": number}")
            }
            return k
        }
    }

    func runStore(_ url: String, model: String, progress: ProgressLine) async throws {
        let embedder = try SentenceEmbedder(model, progress: progress)
        let key = StoreEmbedding.key(embedder, promptName: promptName)
        if let promptName { _ = try embedder.prompt(named: promptName) }
        let kOf = try kFunction()
        var retrieval = StoreRetrieval(embedder: key, queryTier: queryTier, corpusTier: fromTier)
        retrieval.excludeSelected = excludeSelected
        retrieval.excludeSamePrompt = excludeSamePrompt
        retrieval.method = search
        retrieval.efSearch = efSearch
        let started = Date()
        let result = try await withStore(url) { target in try await retrieval.run(store: target) { try kOf(String($0)) } }
        let writer = try AtomicLineWriter(path: output)
        do {
            for (id, neighbours) in result.queries {
                var s = "{\"id\":\"\(id)\",\"neighbours\":["
                for (j, n) in neighbours.enumerated() {
                    if j > 0 { s += "," }
                    s += "{\"id\":\"\(n.pairID)\",\"similarity\":\(n.similarity)}"
                }
                try writer.write(s + "]}")
            }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        if let fallback = result.fallback { progress.line("synpref retrieve: searching exactly in this process: \(fallback)") }
        var summary = String(format: "synpref retrieve: %d %@ pairs x %d %@ pairs (dimension %d, %@) in %.2f s; %d neighbours",
                             result.queries.count, queryTier.rawValue, result.corpusSize, fromTier.rawValue, result.dimension, result.searchedBy,
                             Date().timeIntervalSince(started), result.queries.reduce(0) { $0 + $1.neighbours.count })
        if excludeSelected { summary += "; \(result.duplicates) duplicate neighbours given to an earlier query instead" }
        if excludeSamePrompt { summary += "; \(result.samePromptSkipped) with the query's own conversation skipped" }
        progress.line(summary)
        for (n, tier) in [(result.queriesWithoutVector, queryTier), (result.corpusWithoutVector, fromTier)] where n > 0 {
            progress.line("synpref retrieve: warning: \(n) \(tier.rawValue) pair(s) have no vector from this model and were left out; run `synpref embed --store \(url) --model \(model)` first")
        }
    }

    func run() async throws {
        let progress = ProgressLine()
        if let store, let model {
            try await runStore(store, model: model, progress: progress)
            return
        }
        guard let corpus, let queries else { return }
        let corpusVectors = try EmbeddingMatrix(path: corpus)
        let queryVectors = try EmbeddingMatrix(path: queries)
        guard corpusVectors.count == 0 || queryVectors.count == 0 || corpusVectors.dimension == queryVectors.dimension else {
            throw ValidationError("\(queries): embeddings have \(queryVectors.dimension) components but \(corpus)'s have \(corpusVectors.dimension); embed both with the same model")
        }
        let kOf = try kFunction()
        let ks: [Int] = try queryVectors.ids.map(kOf)
        let d = Swift.max(corpusVectors.dimension, 1)
        let started = Date()
        // With --exclude-selected, ask for extra neighbours so that items taken by earlier
        // queries can be skipped.
        let searchK = excludeSelected ? ks.map(NeighbourSelection.overfetch) : ks
        let candidates = corpusVectors.withValues { c in
            queryVectors.withValues { q in ExactSearch().search(corpus: c, queries: q, dimension: d, k: searchK) }
        }
        let selection = NeighbourSelection.select(candidates, k: ks, excludeSelected: excludeSelected)
        let results = selection.neighbours
        let duplicates = selection.duplicates
        let writer = try AtomicLineWriter(path: output)
        do {
            for (i, neighbours) in results.enumerated() {
                var s = "{\"id\":"
                JSONWriter.appendString(queryVectors.ids[i], to: &s)
                s += ",\"neighbours\":["
                for (j, n) in neighbours.enumerated() {
                    if j > 0 { s += "," }
                    s += "{\"id\":"
                    JSONWriter.appendString(corpusVectors.ids[n.index], to: &s)
                    s += ",\"similarity\":\(n.similarity)}"
                }
                try writer.write(s + "]}")
            }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
        let seconds = Date().timeIntervalSince(started)
        var summary = String(format: "synpref retrieve: %d queries x %d corpus items (dimension %d) in %.2f s; %d neighbours",
                             queryVectors.count, corpusVectors.count, d, seconds, results.reduce(0) { $0 + $1.count })
        if excludeSelected { summary += "; \(duplicates) duplicate neighbours given to an earlier query instead" }
        progress.line(summary)
    }
}

extension StoreRetrieval.Method: ExpressibleByArgument {}
