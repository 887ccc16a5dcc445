/// Nearest-neighbour search done by the store itself: PostgreSQL with the pgvector
/// extension keeps each embedder's vectors in a `vector(d)` column with an HNSW index
/// (`vector_cosine_ops`) and answers top-k queries in the database, for pools too large to
/// hold in one process. HNSW is approximate: recall against exact search is measured in
/// `benchmarks/retrieval` and in the tests.
public protocol VectorSearch: Sendable {
    /// Whether this store can search vectors; when not, why (e.g. no pgvector on the server).
    func vectorSearchAvailability() async throws -> VectorSearchAvailability

    /// Brings the index of `embedder`'s vectors up to date with the stored embeddings
    /// (creating its table and HNSW index the first time); returns how many vectors it added.
    @discardableResult
    func updateVectorIndex(embedder: String, onProgress: @Sendable (Int) -> Void) async throws -> Int

    /// For each query vector, the `k[i]` most similar pairs of `tier` (contaminated pairs
    /// never) by cosine similarity, best first; `efSearch` is HNSW's candidate list size
    /// (nil: the server's setting, 40 by default). Call `updateVectorIndex` first.
    func nearest(embedder: String, queries: [[Float]], k: [Int], tier: PreferenceTier, efSearch: Int?) async throws -> [[(pairID: Int64, similarity: Float)]]
}

public enum VectorSearchAvailability: Sendable, Equatable {
    case available(version: String)
    case unavailable(reason: String)
}
