import Foundation
import SynprefCore
import SynprefData

/// Stage 1's retrieval over a store: for each pair of the query tier (gold), its most
/// similar pairs of the corpus tier (unverified), by the vectors one embedder stored
/// (`StoreEmbedding`). Two ways to search:
/// - `exact`, in this process: the corpus tier's vectors are read into memory
///   (4 × dimension bytes per pair) and searched through BLAS (`ExactSearch`);
/// - `index`, in the store: PostgreSQL with pgvector (`VectorSearch`, HNSW, approximate).
/// `auto` (the default) uses the store's index when it has one, else exact search, and says
/// why in `Result.fallback`.
///
/// Filters: a pair never retrieves itself; `excludeSamePrompt` skips corpus pairs whose
/// conversation before the responses equals the query's; `excludeSelected` gives each
/// corpus pair to the first query (in pair-id order) that keeps it.
public struct StoreRetrieval: Sendable {
    public var embedder: String
    public var queryTier: PreferenceTier
    public var corpusTier: PreferenceTier
    public var excludeSelected = false
    public var excludeSamePrompt = false
    public var method = Method.auto
    /// HNSW's candidate list size for `index` search (nil: the server's, 40 by default).
    public var efSearch: Int?

    public enum Method: String, Sendable, CaseIterable {
        case auto, exact, index
    }

    public init(embedder: String, queryTier: PreferenceTier, corpusTier: PreferenceTier) {
        self.embedder = embedder
        self.queryTier = queryTier
        self.corpusTier = corpusTier
    }

    public struct Neighbour: Sendable, Equatable {
        public var pairID: Int64
        public var similarity: Float
    }

    public struct Result: Sendable {
        /// Per query pair, in pair-id order: its neighbours by decreasing similarity (ties by id).
        public var queries: [(pairID: Int64, neighbours: [Neighbour])]
        public var corpusSize: Int
        public var dimension: Int
        /// Pairs of the query tier (and of the corpus tier) that have no vector from this embedder.
        public var queriesWithoutVector: Int, corpusWithoutVector: Int
        public var duplicates: Int
        public var samePromptSkipped: Int
        /// How the search ran: "exact" or "pgvector HNSW (...)".
        public var searchedBy: String
        /// Why `auto` searched exactly although the store is PostgreSQL, if it did.
        public var fallback: String?
    }

    /// Reads every vector of `tier` for this embedder: ids in pair-id order, values row-major.
    func vectors(_ store: any PreferenceStore, tier: PreferenceTier) async throws -> (ids: [Int64], values: [Float], dimension: Int) {
        var ids: [Int64] = [], values: [Float] = [], dimension = 0
        var after: Int64 = 0
        while true {
            let page = try await store.embeddings(embedder: embedder, tier: tier, afterID: after, limit: 4096)
            guard let last = page.last?.pairID else { break }
            after = last
            for e in page {
                if dimension == 0 { dimension = e.vector.count }
                ids.append(e.pairID)
                values += e.vector
            }
        }
        return (ids, values, dimension)
    }

    /// `k(pairID)` is each query's number of neighbours (nil: the query is skipped, e.g. no
    /// confidence was given for it).
    public func run(store: any PreferenceStore, k: (Int64) throws -> Int) async throws -> Result {
        let queries = try await vectors(store, tier: queryTier)
        let (qEmbedded, qPairs) = try await store.embeddingCount(embedder: embedder, tier: queryTier)
        let (cEmbedded, cPairs) = try await store.embeddingCount(embedder: embedder, tier: corpusTier)
        let ks = try queries.ids.map(k)
        let filtering = excludeSelected || excludeSamePrompt || queryTier == corpusTier
        let searchK = filtering ? ks.map(NeighbourSelection.overfetch) : ks

        // The store's index, when asked for or when `auto` finds one.
        var index: (any VectorSearch)?
        var searchedBy = "exact", fallback: String?
        if method != .exact {
            if let vs = store as? any VectorSearch {
                switch try await vs.vectorSearchAvailability() {
                case .available(let version):
                    index = vs
                    searchedBy = "\(version), HNSW, ef_search \(efSearch.map(String.init) ?? "default")"
                case .unavailable(let reason):
                    if method == .index { throw EmbeddingError.searchUnavailable(reason: reason) }
                    fallback = reason
                }
            } else if method == .index {
                throw EmbeddingError.searchUnavailable(reason: "the store is not PostgreSQL (vector search needs pgvector)")
            }
        }
        // Candidates: (corpus pair id, similarity), best first. `ids` maps a candidate's
        // index to its pair id (the row for exact search, the pair id itself for the index).
        let candidates: [[ExactSearch.Neighbour]]
        let corpusIDs: (Int) -> Int64
        let d: Int
        let corpusSize: Int
        if let index {
            try await index.updateVectorIndex(embedder: embedder, onProgress: { _ in })
            let found = try await index.nearest(embedder: embedder, queries: (0..<queries.ids.count).map { i in
                Array(queries.values[i * queries.dimension..<(i + 1) * queries.dimension])
            }, k: searchK, tier: corpusTier, efSearch: efSearch)
            candidates = found.map { list in list.map { ExactSearch.Neighbour(index: Int($0.pairID), similarity: $0.similarity) } }
            corpusIDs = { Int64($0) }
            d = queries.dimension
            corpusSize = cEmbedded
        } else {
            let corpus = try await vectors(store, tier: corpusTier)
            d = max(queries.dimension, corpus.dimension, 1)
            candidates = corpus.values.withUnsafeBufferPointer { c in
                queries.values.withUnsafeBufferPointer { q in ExactSearch().search(corpus: c, queries: q, dimension: d, k: searchK) }
            }
            let ids = corpus.ids
            corpusIDs = { ids[$0] }
            corpusSize = ids.count
        }
        // Conversations of the queries and of their candidates, for the same-prompt filter.
        var prompts: [Int64: [ChatMessage]] = [:]
        if excludeSamePrompt {
            var wanted = Set(queries.ids)
            for list in candidates { for n in list { wanted.insert(corpusIDs(n.index)) } }
            for id in wanted.sorted() {
                if let p = try await store.pair(id: id) { prompts[id] = p.context }
            }
        }
        var samePrompt = 0
        let selection = NeighbourSelection.select(candidates, k: ks, excludeSelected: excludeSelected) { i, n in
            let (query, found) = (queries.ids[i], corpusIDs(n.index))
            if query == found { return true }
            if excludeSamePrompt, let a = prompts[query], a == prompts[found] {
                samePrompt += 1
                return true
            }
            return false
        }
        return Result(
            queries: zip(queries.ids, selection.neighbours).map { id, list in
                (id, list.map { Neighbour(pairID: corpusIDs($0.index), similarity: $0.similarity) })
            },
            corpusSize: corpusSize, dimension: max(d, 1),
            queriesWithoutVector: qPairs - qEmbedded, corpusWithoutVector: cPairs - cEmbedded,
            duplicates: selection.duplicates, samePromptSkipped: samePrompt, searchedBy: searchedBy, fallback: fallback)
    }
}
