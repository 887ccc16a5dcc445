import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `PairStore`: inserts by content hash (one round trip per chunk), reads, keyset pages,
/// counts and stats.
extension PostgresPreferenceStore {
    public func insert(_ pairs: [PreparedPair], importID: String) async throws -> [InsertOutcome] {
        // The first occurrence of each hash goes to the database; later ones refer to it.
        var firstIndex: [ContentHash: Int] = [:]
        var unique: [Int] = []
        for (i, p) in pairs.enumerated() where firstIndex[p.hash] == nil {
            firstIndex[p.hash] = i
            unique.append(i)
        }
        var b = PostgresBindings(capacity: 14)
        b.append(unique.map { ByteBuffer(bytes: pairs[$0].hash.bytes) })
        b.append(unique.map { pairs[$0].pair.source })
        b.append(unique.map { pairs[$0].contextJSON })
        b.append(unique.map { pairs[$0].chosenJSON })
        b.append(unique.map { pairs[$0].rejectedJSON })
        b.append(unique.map { pairs[$0].pair.margin ?? .nan })
        b.append(unique.map { pairs[$0].pair.tier.rawValue })
        b.append(unique.map { pairs[$0].pair.origin ?? "" })
        b.append(unique.map { pairs[$0].contextChars })
        b.append(unique.map { pairs[$0].chosenChars })
        b.append(unique.map { pairs[$0].rejectedChars })
        b.append(unique.map { pairs[$0].pair.context.count })
        b.append(importID)
        let binds = b
        let (firstOf, uniqueIndices) = (firstIndex, unique)
        let sql = """
            INSERT INTO pairs (content_hash, source, context, chosen, rejected, margin, tier, origin, import_id,
                               context_chars, chosen_chars, rejected_chars, context_turns, created_at)
            SELECT h, s, c, ch, rj, NULLIF(m, 'NaN'::float8), t, NULLIF(o, ''), $13, cc, chc, rjc, turns, \(PostgresPreferenceStore.nowSQL)
            FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[], $8::text[],
                        $9::int8[], $10::int8[], $11::int8[], $12::int8[])
                 WITH ORDINALITY AS x(h, s, c, ch, rj, m, t, o, cc, chc, rjc, turns, ord)
            ORDER BY ord
            ON CONFLICT (content_hash) DO NOTHING
            RETURNING content_hash, id
            """
        return try await transaction { conn in
            var inserted: [ContentHash: Int64] = [:]
            for row in try await self.rows(conn, sql, binds) {
                let (h, id) = try row.decode((ByteBuffer, Int64).self)
                if let hash = ContentHash(bytes: Array(h.readableBytesView)) { inserted[hash] = id }
            }
            var existing: [ContentHash: (Int64, String, String?)] = [:]
            let missing = uniqueIndices.map { pairs[$0].hash }.filter { inserted[$0] == nil }
            if !missing.isEmpty {
                var fb = PostgresBindings()
                fb.append(missing.map { ByteBuffer(bytes: $0.bytes) })
                for row in try await self.rows(conn, "SELECT content_hash, id, source, import_id FROM pairs WHERE content_hash = ANY($1::bytea[])", fb) {
                    let (h, id, source, imp) = try row.decode((ByteBuffer, Int64, String, String?).self)
                    if let hash = ContentHash(bytes: Array(h.readableBytesView)) { existing[hash] = (id, source, imp) }
                }
            }
            var out: [InsertOutcome] = []
            out.reserveCapacity(pairs.count)
            for (i, p) in pairs.enumerated() {
                if let id = inserted[p.hash] {
                    if firstOf[p.hash] == i {
                        out.append(.inserted(id: id))
                        try await self.recordExtras(conn, p.pair, id: id, actor: "import \(importID)")
                    } else {
                        out.append(.existing(id: id, source: pairs[firstOf[p.hash] ?? i].pair.source, importID: importID))
                    }
                } else if let e = existing[p.hash] {
                    out.append(.existing(id: e.0, source: e.1, importID: e.2))
                } else {
                    throw StoreError.database("insert of \(p.hash.hex) conflicted but no row has that hash")
                }
            }
            return out
        }
    }

    /// Attributes, labels and a non-default tier that came with an imported pair.
    private func recordExtras(_ conn: PostgresConnection, _ pair: PreferencePair, id: Int64, actor: String) async throws {
        if let a = pair.attributes { try await upsertAttributes(conn, [(id, a)], setBy: actor) }
        if !pair.labels.isEmpty {
            var labels = pair.labels
            for i in labels.indices { labels[i].pairID = id }
            for l in labels { try StoredPair.checkLabel(l) }
            _ = try await insertLabels(conn, labels)
        }
        if pair.tier != .unverified {
            try await logMoves(conn, [(id, .unverified, pair.tier, "imported")], actor: actor)
        }
    }

    static func pairFromRow(_ row: PostgresRow) throws -> PreferencePair {
        let (id, source, context, chosen, rejected, margin, tier, origin, cat, obj, con, des, gui, flipped) =
            try row.decode((Int64, String, String, String, String, Double?, String, String?, String?, String?, String?, String?, String?, Bool).self)
        return try StoredPair.make(id: id, source: source, context: context, chosen: chosen, rejected: rejected, margin: margin,
                                   tier: tier, origin: origin, attributes: (cat, obj, con, des, gui), flipped: flipped)
    }

    public func pair(id: Int64) async throws -> PreferencePair? {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(id)
            guard let row = try await self.rows(conn, "SELECT \(StoreSchema.pairColumns) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id WHERE p.id = $1", b).first else {
                return nil
            }
            var p = try PostgresPreferenceStore.pairFromRow(row)
            p.labels = try await self.labels(conn, pairID: id)
            return p
        }
    }

    public func pairIDs(for hashes: [ContentHash]) async throws -> [ContentHash: Int64] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(hashes.map { ByteBuffer(bytes: $0.bytes) })
            var out: [ContentHash: Int64] = [:]
            for row in try await self.rows(conn, "SELECT content_hash, id FROM pairs WHERE content_hash = ANY($1::bytea[])", b) {
                let (h, id) = try row.decode((ByteBuffer, Int64).self)
                if let hash = ContentHash(bytes: Array(h.readableBytesView)) { out[hash] = id }
            }
            return out
        }
    }

    public func tiers(of ids: [Int64]) async throws -> [Int64: PairTier] {
        guard !ids.isEmpty else { return [:] }
        return try await withConnection { conn in
            var b = PostgresBindings()
            b.append(Array(Set(ids)))
            var out: [Int64: PairTier] = [:]
            for row in try await self.rows(conn, "SELECT id, tier, flipped FROM pairs WHERE id = ANY($1::bigint[])", b) {
                let (id, tier, flipped) = try row.decode((Int64, String, Bool).self)
                if let t = PreferenceTier(rawValue: tier) { out[id] = PairTier(tier: t, flipped: flipped) }
            }
            return out
        }
    }

    public func pairs(_ q: PairQuery) async throws -> [PreferencePair] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(q.afterID)
            b.append(q.tier?.rawValue)
            b.append(q.source)
            b.append(q.includeContaminated)
            b.append(q.limit)
            return try await self.rows(conn, """
                SELECT \(StoreSchema.pairColumns) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id
                WHERE p.id > $1 AND ($2::text IS NULL OR p.tier = $2) AND ($3::text IS NULL OR p.source = $3)
                      AND ($4 OR p.contaminated_by IS NULL)
                ORDER BY p.id LIMIT $5
                """, b).map(PostgresPreferenceStore.pairFromRow)
        }
    }

    public func count(tier: PreferenceTier?) async throws -> Int {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(tier?.rawValue)
            let row = try await self.rows(conn, "SELECT count(*) FROM pairs WHERE $1::text IS NULL OR tier = $1", b)
            return Int(try row.first?.decode(Int64.self) ?? 0)
        }
    }

    public func stats() async throws -> PreferenceStats {
        try await withConnection { conn in
            func grouped(_ sql: String) async throws -> [String: Int] {
                var out: [String: Int] = [:]
                for row in try await self.rows(conn, sql) {
                    let (k, n) = try row.decode((String?, Int64).self)
                    out[k ?? "(none)"] = Int(n)
                }
                return out
            }
            let totals = try await self.rows(conn, "SELECT count(*), count(contaminated_by) FROM pairs")
            var total: Int64 = 0
            var contaminated: Int64 = 0
            if let first = totals.first { (total, contaminated) = try first.decode((Int64, Int64).self) }
            var percentiles: [String: [PreferenceStats.Percentile]] = [:]
            if total > 0 {
                let qs = PreferenceStats.percentiles.map { String($0.q) }.joined(separator: ",")
                for (part, column) in [("context", "context_chars"), ("chosen", "chosen_chars"), ("rejected", "rejected_chars")] {
                    let row = try await self.rows(conn, "SELECT percentile_disc(ARRAY[\(qs)]::float8[]) WITHIN GROUP (ORDER BY \(column)) FROM pairs")
                    let values = try row.first?.decode([Int32].self) ?? []
                    percentiles[part] = zip(PreferenceStats.percentiles, values).map { PreferenceStats.Percentile(name: $0.name, value: Int($1)) }
                }
            }
            let labels = try await self.rows(conn, "SELECT count(*) FROM labels").first?.decode(Int64.self) ?? 0
            return PreferenceStats(
                total: Int(total), contaminated: Int(contaminated),
                bySource: try await grouped("SELECT source, count(*) FROM pairs GROUP BY source"),
                byTier: try await grouped("SELECT tier, count(*) FROM pairs GROUP BY tier"),
                byTaskCategory: try await grouped("SELECT a.task_category, count(*) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id GROUP BY a.task_category"),
                byObjectivity: try await grouped("SELECT a.objectivity, count(*) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id GROUP BY a.objectivity"),
                byControversiality: try await grouped("SELECT a.controversiality, count(*) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id GROUP BY a.controversiality"),
                labels: Int(labels), lengthPercentiles: percentiles)
        }
    }
}
