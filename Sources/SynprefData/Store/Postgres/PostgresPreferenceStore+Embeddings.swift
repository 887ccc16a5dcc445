import Foundation
import Logging
import NIOCore
import PostgresNIO
import SynprefCore

/// `EmbeddingStore`: vectors as little-endian BYTEA per (embedder, pair).
extension PostgresPreferenceStore {
    public func pairsWithoutEmbedding(embedder: String, tier: PreferenceTier?, afterID: Int64, limit: Int) async throws -> [PreferencePair] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(afterID)
            b.append(embedder)
            b.append(tier?.rawValue)
            b.append(limit)
            return try await self.rows(conn, """
                SELECT \(StoreSchema.pairColumns) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id
                WHERE p.id > $1 AND p.contaminated_by IS NULL AND ($3::text IS NULL OR p.tier = $3)
                  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.embedder = $2 AND e.pair_id = p.id)
                ORDER BY p.id LIMIT $4
                """, b).map(PostgresPreferenceStore.pairFromRow)
        }
    }

    @discardableResult
    public func saveEmbeddings(_ vectors: [(pairID: Int64, vector: [Float])], embedder: String, format: EmbeddingFormat) async throws -> Int {
        guard let dims = vectors.first?.vector.count else { return 0 }
        try StoredEmbeddings.check(vectors, embedder: embedder, dims: dims)
        var b = PostgresBindings()
        b.append(embedder)
        b.append(format.rawValue)
        b.append(dims)
        b.append(vectors.map(\.pairID))
        b.append(vectors.map { ByteBuffer(bytes: format.encode($0.vector)) })
        let binds = b
        return try await transaction { conn in
            var eb = PostgresBindings()
            eb.append(embedder)
            if let row = try await self.rows(conn, "SELECT dims FROM embeddings WHERE embedder = $1 LIMIT 1", eb).first {
                let stored = Int(try row.decode(Int32.self))
                if stored != dims {
                    throw StoreError.invalidValue(StoredEmbeddings.dimensionMismatch(embedder: embedder, stored: stored, new: dims))
                }
            }
            var ib = PostgresBindings()
            ib.append(Array(Set(vectors.map(\.pairID))))
            let known = Set(try await self.rows(conn, "SELECT id FROM pairs WHERE id = ANY($1::int8[])", ib).map { try $0.decode(Int64.self) })
            if let missing = vectors.first(where: { !known.contains($0.pairID) }) { throw StoreError.unknownPair(missing.pairID) }
            return try await self.rows(conn, """
                INSERT INTO embeddings (embedder, pair_id, format, dims, vector, created_at)
                SELECT $1, i, $2, $3, v, \(PostgresPreferenceStore.nowSQL) FROM unnest($4::int8[], $5::bytea[]) AS x(i, v)
                ON CONFLICT (embedder, pair_id) DO NOTHING
                RETURNING pair_id
                """, binds).count
        }
    }

    public func embeddings(embedder: String, tier: PreferenceTier?, afterID: Int64, limit: Int) async throws -> [StoredEmbedding] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(embedder)
            b.append(afterID)
            b.append(tier?.rawValue)
            b.append(limit)
            return try await self.rows(conn, """
                SELECT e.pair_id, e.format, e.dims, e.vector FROM embeddings e JOIN pairs p ON p.id = e.pair_id
                WHERE e.embedder = $1 AND e.pair_id > $2 AND p.contaminated_by IS NULL AND ($3::text IS NULL OR p.tier = $3)
                ORDER BY e.pair_id LIMIT $4
                """, b).map(PostgresPreferenceStore.embeddingFromRow)
        }
    }

    public func embeddings(embedder: String, pairIDs: [Int64]) async throws -> [StoredEmbedding] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(embedder)
            b.append(pairIDs)
            return try await self.rows(conn, """
                SELECT pair_id, format, dims, vector FROM embeddings WHERE embedder = $1 AND pair_id = ANY($2::int8[]) ORDER BY pair_id
                """, b).map(PostgresPreferenceStore.embeddingFromRow)
        }
    }

    public func embeddingCount(embedder: String, tier: PreferenceTier?) async throws -> (embedded: Int, pairs: Int) {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(embedder)
            b.append(tier?.rawValue)
            let row = try await self.rows(conn, """
                SELECT (SELECT count(*) FROM embeddings e JOIN pairs p ON p.id = e.pair_id
                        WHERE e.embedder = $1 AND p.contaminated_by IS NULL AND ($2::text IS NULL OR p.tier = $2)),
                       (SELECT count(*) FROM pairs p WHERE p.contaminated_by IS NULL AND ($2::text IS NULL OR p.tier = $2))
                """, b).first
            guard let row else { return (0, 0) }
            let (e, n) = try row.decode((Int64, Int64).self)
            return (Int(e), Int(n))
        }
    }

    private static func embeddingFromRow(_ row: PostgresRow) throws -> StoredEmbedding {
        let (id, format, dims, blob) = try row.decode((Int64, String, Int32, ByteBuffer).self)
        return StoredEmbedding(pairID: id, vector: try StoredEmbeddings.decode(pairID: id, format: format, dims: Int(dims), bytes: Array(blob.readableBytesView)))
    }
}
