import Foundation
import SynprefCore
import SynprefData
import SynprefRetrieval

/// Stage 1, step 5: error-driven adaptive retrieval. Every pair lacking a vector from the
/// project's embedder is embedded as `(x, a)` (`StoreEmbedding`); then each gold pair
/// retrieves its most similar unverified pairs, `k = k_max` when the round's model gets it
/// wrong (`p ≤ 0.5`), else `⌈k_max (1 − p)⌉`, each unverified pair going to the first gold
/// pair that finds it. Each gold pair also gets its nearest gold neighbours: the
/// human-labelled examples shown to the judges with the pairs it retrieved.
public enum RoundRetrieval {
    public struct Result: Sendable {
        /// Per gold pair (id order): the unverified pairs it retrieved, best first.
        public var retrieved: [(gold: Int64, pairs: [Int64])]
        /// Per gold pair: its nearest other gold pairs (up to k_max − 1), best first.
        public var goldNeighbours: [Int64: [Int64]]
        public var embedded: Int
        public var duplicates: Int
        public var searchedBy: String
    }

    public static func run(_ project: CurationProject, goldP: [Int64: Double]) async throws -> Result {
        let embedder = try SentenceEmbedder(project.config.embedder)
        let key = StoreEmbedding.key(embedder, promptName: nil)
        let report = try await StoreEmbedding.run(store: project.store, embedder: embedder, key: key, tier: nil)
        let rule = KRule.skywork(kMax: project.config.kMax)
        var search = StoreRetrieval(embedder: key, queryTier: .gold, corpusTier: .unverified)
        search.excludeSelected = true
        search.excludeSamePrompt = true
        // A gold pair without a p (no model yet) retrieves k_max, as one the model gets wrong.
        let found = try await search.run(store: project.store) { id in rule.k(confidence: goldP[id] ?? 0) ?? project.config.kMax }
        var among = StoreRetrieval(embedder: key, queryTier: .gold, corpusTier: .gold)
        among.excludeSamePrompt = true
        let gold = try await among.run(store: project.store) { _ in max(0, project.config.kMax - 1) }
        var neighbours: [Int64: [Int64]] = [:]
        for (id, list) in gold.queries { neighbours[id] = list.map(\.pairID) }
        return Result(retrieved: found.queries.map { ($0.pairID, $0.neighbours.map(\.pairID)) }, goldNeighbours: neighbours,
                      embedded: report.embedded, duplicates: found.duplicates, searchedBy: found.searchedBy)
    }

    /// Stage 2's examples: for each pair of `ids` (unverified), its nearest gold pairs (up to
    /// k_max, at most 8), after embedding every pair that lacks a vector.
    public static func goldExamples(_ project: CurationProject, for ids: Set<Int64>) async throws -> [Int64: [Int64]] {
        guard !ids.isEmpty else { return [:] }
        let embedder = try SentenceEmbedder(project.config.embedder)
        let key = StoreEmbedding.key(embedder, promptName: nil)
        _ = try await StoreEmbedding.run(store: project.store, embedder: embedder, key: key, tier: nil)
        var search = StoreRetrieval(embedder: key, queryTier: .unverified, corpusTier: .gold)
        search.excludeSamePrompt = true
        let k = min(8, project.config.kMax)
        let found = try await search.run(store: project.store) { id in ids.contains(id) ? k : 0 }
        var out: [Int64: [Int64]] = [:]
        for q in found.queries where ids.contains(q.pairID) { out[q.pairID] = q.neighbours.map(\.pairID) }
        return out
    }
}
