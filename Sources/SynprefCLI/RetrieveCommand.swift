import ArgumentParser
import Foundation
import SynprefCore
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
            duplicates it skipped.
            """)

    enum Rule: String, ExpressibleByArgument, CaseIterable { case skywork }

    @Option(help: "Corpus embeddings (synpref embed output).")
    var corpus: String

    @Option(help: "Query embeddings (synpref embed output).")
    var queries: String

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
    }

    func run() async throws {
        let progress = ProgressLine()
        let corpusVectors = try EmbeddingMatrix(path: corpus)
        let queryVectors = try EmbeddingMatrix(path: queries)
        guard corpusVectors.count == 0 || queryVectors.count == 0 || corpusVectors.dimension == queryVectors.dimension else {
            throw ValidationError("\(queries): embeddings have \(queryVectors.dimension) components but \(corpus)'s have \(corpusVectors.dimension); embed both with the same model")
        }
        let rule: KRule = k.map { .fixed($0) } ?? .skywork(kMax: kMax)
        let confidences = try confidence.map { try EmbeddingFile.readConfidences(path: $0) } ?? [:]
        let ks: [Int] = try queryVectors.ids.map { id in
            guard let k = rule.k(confidence: confidences[id]) else {
                throw ValidationError("\(confidence ?? "--confidence"): no confidence for query \"\(id)\"; every query needs a line {\"id\": \"\(id)\", \"p\": number}")
            }
            return k
        }
        let d = Swift.max(corpusVectors.dimension, 1)
        let started = Date()
        // With --exclude-selected, ask for extra neighbours so that items taken by earlier
        // queries can be skipped.
        let searchK = excludeSelected ? ks.map { $0 == 0 ? 0 : $0 * 4 + 8 } : ks
        var results = corpusVectors.withValues { c in
            queryVectors.withValues { q in ExactSearch().search(corpus: c, queries: q, dimension: d, k: searchK) }
        }
        var duplicates = 0
        if excludeSelected {
            var taken = Set<Int>()
            for i in results.indices {
                var kept: [ExactSearch.Neighbour] = []
                for n in results[i] where kept.count < ks[i] {
                    if taken.insert(n.index).inserted { kept.append(n) } else { duplicates += 1 }
                }
                results[i] = kept
            }
        }
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
