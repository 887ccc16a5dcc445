import Foundation
import GRDB
import SynprefCore

/// `EmbeddingStore`: vectors as little-endian BLOBs per (embedder, pair).
extension SQLitePreferenceStore {
    public func pairsWithoutEmbedding(embedder: String, tier: PreferenceTier?, afterID: Int64, limit: Int) async throws -> [PreferencePair] {
        try await read { db in
            var sql = """
                SELECT \(StoreSchema.pairColumns) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id
                WHERE p.id > ? AND p.contaminated_by IS NULL
                  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.embedder = ? AND e.pair_id = p.id)
                """
            var args: [(any DatabaseValueConvertible)?] = [afterID, embedder]
            if let tier {
                sql += " AND p.tier = ?"
                args.append(tier.rawValue)
            }
            sql += " ORDER BY p.id LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(SQLitePreferenceStore.pairFromRow)
        }
    }

    @discardableResult
    public func saveEmbeddings(_ vectors: [(pairID: Int64, vector: [Float])], embedder: String, format: EmbeddingFormat) async throws -> Int {
        guard let dims = vectors.first?.vector.count else { return 0 }
        try StoredEmbeddings.check(vectors, embedder: embedder, dims: dims)
        let rows = vectors.map { ($0.pairID, Data(format.encode($0.vector))) }
        return try await write { db in
            if let existing = try Int.fetchOne(db, sql: "SELECT dims FROM embeddings WHERE embedder = ? LIMIT 1", arguments: [embedder]), existing != dims {
                throw StoreError.invalidValue(StoredEmbeddings.dimensionMismatch(embedder: embedder, stored: existing, new: dims))
            }
            let now = SQLitePreferenceStore.now
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO embeddings (embedder, pair_id, format, dims, vector, created_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (embedder, pair_id) DO NOTHING
                """)
            var added = 0
            for (id, blob) in rows {
                do {
                    try stmt.execute(arguments: [embedder, id, format.rawValue, dims, blob, now])
                } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
                    throw StoreError.unknownPair(id)
                }
                added += db.changesCount
            }
            return added
        }
    }

    public func embeddings(embedder: String, tier: PreferenceTier?, afterID: Int64, limit: Int) async throws -> [StoredEmbedding] {
        try await read { db in
            var sql = """
                SELECT e.pair_id, e.format, e.dims, e.vector FROM embeddings e JOIN pairs p ON p.id = e.pair_id
                WHERE e.embedder = ? AND e.pair_id > ? AND p.contaminated_by IS NULL
                """
            var args: [(any DatabaseValueConvertible)?] = [embedder, afterID]
            if let tier {
                sql += " AND p.tier = ?"
                args.append(tier.rawValue)
            }
            sql += " ORDER BY e.pair_id LIMIT ?"
            args.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(SQLitePreferenceStore.embeddingFromRow)
        }
    }

    public func embeddings(embedder: String, pairIDs: [Int64]) async throws -> [StoredEmbedding] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT pair_id, format, dims, vector FROM embeddings
                WHERE embedder = ? AND pair_id IN (SELECT value FROM json_each(?)) ORDER BY pair_id
                """, arguments: [embedder, "[" + pairIDs.map { String($0) }.joined(separator: ",") + "]"]).map(SQLitePreferenceStore.embeddingFromRow)
        }
    }

    public func embeddingCount(embedder: String, tier: PreferenceTier?) async throws -> (embedded: Int, pairs: Int) {
        try await read { db in
            let tierSQL = tier == nil ? "" : " AND p.tier = ?"
            let tierArg: [(any DatabaseValueConvertible)?] = tier.map { [$0.rawValue] } ?? []
            let embedded = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM embeddings e JOIN pairs p ON p.id = e.pair_id
                WHERE e.embedder = ? AND p.contaminated_by IS NULL\(tierSQL)
                """, arguments: StatementArguments([embedder] + tierArg)) ?? 0
            let pairs = try Int.fetchOne(db, sql: "SELECT count(*) FROM pairs p WHERE p.contaminated_by IS NULL\(tierSQL)",
                                         arguments: StatementArguments(tierArg)) ?? 0
            return (embedded, pairs)
        }
    }

    private static func embeddingFromRow(_ row: Row) throws -> StoredEmbedding {
        let id: Int64 = row[0]
        let blob: Data = row[3]
        return StoredEmbedding(pairID: id, vector: try StoredEmbeddings.decode(pairID: id, format: row[1], dims: row[2], bytes: [UInt8](blob)))
    }
}
