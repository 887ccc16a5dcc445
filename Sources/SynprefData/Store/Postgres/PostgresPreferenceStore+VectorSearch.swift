import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `VectorSearch` through pgvector: one table per embedder key (`vectors_<hash>`: pair id
/// and `vector(d)`), filled from the `embeddings` table, with an HNSW index on cosine
/// distance. The extension is created once per database (objects referenced through its
/// schema, so every store schema in the database can use it).
extension PostgresPreferenceStore: VectorSearch {
    /// The schema holding the extension, creating the extension if the server has it.
    private func vectorSchema(_ conn: PostgresConnection) async throws -> String? {
        if let row = try await rows(conn, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'").first {
            return try row.decode(String.self)
        }
        guard try await !rows(conn, "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").isEmpty else { return nil }
        try await exec(conn, "CREATE EXTENSION IF NOT EXISTS vector SCHEMA public")
        return "public"
    }

    public func vectorSearchAvailability() async throws -> VectorSearchAvailability {
        do {
            return try await transaction { conn in
                guard let schema = try await self.vectorSchema(conn) else {
                    return .unavailable(reason: "the server has no pgvector extension (`vector` is not in pg_available_extensions)")
                }
                let version = try await self.rows(conn, "SELECT extversion FROM pg_extension WHERE extname = 'vector'").first?.decode(String.self) ?? "?"
                return .available(version: "pgvector \(version) in schema \(schema)")
            }
        } catch let StoreError.database(message) {
            return .unavailable(reason: "pgvector could not be enabled: \(message)")
        }
    }

    static func vectorTable(_ embedder: String) -> String { "vectors_" + SHA256.hex(embedder).prefix(16) }

    public func updateVectorIndex(embedder: String, onProgress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        let table = Self.vectorTable(embedder)
        // The table, sized by the embedder's dimension.
        let ready: (schema: String, dims: Int)? = try await transaction { conn in
            guard let schema = try await self.vectorSchema(conn) else { throw StoreError.invalidValue("pgvector is not available on this server") }
            var b = PostgresBindings()
            b.append(embedder)
            guard let dims = try await self.rows(conn, "SELECT dims FROM embeddings WHERE embedder = $1 LIMIT 1", b).first?.decode(Int32.self) else { return nil }
            try await self.exec(conn, "SELECT pg_advisory_xact_lock(7357012)")
            try await self.exec(conn, """
                CREATE TABLE IF NOT EXISTS \(table) (pair_id BIGINT PRIMARY KEY REFERENCES pairs (id), embedding \(schema).vector(\(dims)) NOT NULL)
                """)
            return (schema, Int(dims))
        }
        guard let ready else { return 0 }
        var added = 0
        var after: Int64 = 0
        while true {
            // One pass in pair-id order (keyset paging), copying what the table lacks.
            var pb = PostgresBindings()
            pb.append(embedder)
            pb.append(after)
            let b = pb
            let page = try await withConnection { conn in
                try await self.rows(conn, """
                    SELECT e.pair_id, e.format, e.dims, e.vector FROM embeddings e
                    WHERE e.embedder = $1 AND e.pair_id > $2 AND NOT EXISTS (SELECT 1 FROM \(table) v WHERE v.pair_id = e.pair_id)
                    ORDER BY e.pair_id LIMIT 2000
                    """, b).map { row -> (Int64, String) in
                    let (id, format, dims, blob) = try row.decode((Int64, String, Int32, ByteBuffer).self)
                    let v = try StoredEmbeddings.decode(pairID: id, format: format, dims: Int(dims), bytes: Array(blob.readableBytesView))
                    return (id, "[" + v.map { "\($0)" }.joined(separator: ",") + "]")
                }
            }
            guard let last = page.last?.0 else { break }
            after = last
            var ib = PostgresBindings()
            ib.append(page.map(\.0))
            ib.append(page.map(\.1))
            let binds = ib
            try await transaction { conn in
                try await self.exec(conn, """
                    INSERT INTO \(table) (pair_id, embedding) SELECT i, v::\(ready.schema).vector FROM unnest($1::int8[], $2::text[]) AS x(i, v)
                    ON CONFLICT (pair_id) DO NOTHING
                    """, binds)
            }
            added += page.count
            onProgress(added)
        }
        // Fresh statistics, so that the planner walks the HNSW index and filters tiers on the
        // way (with stale ones it may compute every distance of the tier instead).
        if added > 0 { try await withConnection { conn in try await self.exec(conn, "ANALYZE pairs, \(table)") } }
        // The index, built once over what is there (faster than growing it row by row);
        // later rows are added to it as they are inserted.
        try await transaction { conn in
            // At least 1 GB for the build (HNSW builds far faster while its graph fits);
            // a server configured with more keeps its setting.
            try await self.exec(conn, """
                SELECT set_config('maintenance_work_mem', CASE WHEN pg_size_bytes(current_setting('maintenance_work_mem')) < 1073741824
                                  THEN '1GB' ELSE current_setting('maintenance_work_mem') END, true)
                """)
            try await self.exec(conn, """
                CREATE INDEX IF NOT EXISTS \(table)_hnsw ON \(table) USING hnsw (embedding \(ready.schema).vector_cosine_ops)
                """)
        }
        return added
    }

    public func nearest(embedder: String, queries: [[Float]], k: [Int], tier: PreferenceTier, efSearch: Int?) async throws -> [[(pairID: Int64, similarity: Float)]] {
        precondition(k.count == queries.count, "one k per query")
        let table = Self.vectorTable(embedder)
        let schema: String = try await withConnection { conn in
            guard let row = try await self.rows(conn, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'").first else {
                throw StoreError.invalidValue("pgvector is not available on this server")
            }
            return try row.decode(String.self)
        }
        // Queries split over up to 4 connections, each answering its share in one transaction.
        let lanes = max(1, min(4, queries.count))
        var out = [[(pairID: Int64, similarity: Float)]](repeating: [], count: queries.count)
        try await withThrowingTaskGroup(of: [(Int, [(pairID: Int64, similarity: Float)])].self) { group in
            for lane in 0..<lanes {
                let mine = Array(stride(from: lane, to: queries.count, by: lanes))
                group.addTask {
                    try await self.transaction { conn in
                        if let efSearch { try await self.exec(conn, "SET LOCAL hnsw.ef_search = \(max(1, efSearch))") }
                        // Keep scanning the graph until k rows pass the tier filter.
                        try await self.exec(conn, "SET LOCAL hnsw.iterative_scan = strict_order")
                        var results: [(Int, [(pairID: Int64, similarity: Float)])] = []
                        for i in mine where k[i] > 0 {
                            var b = PostgresBindings()
                            b.append("[" + queries[i].map { "\($0)" }.joined(separator: ",") + "]")
                            b.append(tier.rawValue)
                            b.append(k[i])
                            let found = try await self.rows(conn, """
                                SELECT v.pair_id, 1 - (v.embedding OPERATOR(\(schema).<=>) $1::\(schema).vector) AS similarity
                                FROM \(table) v JOIN pairs p ON p.id = v.pair_id
                                WHERE p.tier = $2 AND p.contaminated_by IS NULL
                                ORDER BY v.embedding OPERATOR(\(schema).<=>) $1::\(schema).vector
                                LIMIT $3
                                """, b).map { row -> (pairID: Int64, similarity: Float) in
                                let (id, s) = try row.decode((Int64, Double).self)
                                return (id, Float(s))
                            }
                            results.append((i, found))
                        }
                        return results
                    }
                }
            }
            for try await part in group { for (i, found) in part { out[i] = found } }
        }
        return out
    }
}
