import Foundation
import GRDB
import SynprefCore

/// `PairStore`: inserts by content hash, reads, keyset pages, counts and stats.
extension SQLitePreferenceStore {
    public func insert(_ pairs: [PreparedPair], importID: String) async throws -> [InsertOutcome] {
        try await write { db in
            let now = SQLitePreferenceStore.now
            let ins = try db.cachedStatement(sql: """
                INSERT INTO pairs (content_hash, source, context, chosen, rejected, margin, tier, origin, import_id,
                                   context_chars, chosen_chars, rejected_chars, context_turns, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (content_hash) DO NOTHING
                """)
            let find = try db.cachedStatement(sql: "SELECT id, source, import_id FROM pairs WHERE content_hash = ?")
            var out: [InsertOutcome] = []
            out.reserveCapacity(pairs.count)
            for p in pairs {
                let hash = Data(p.hash.bytes)
                ins.setUncheckedArguments([
                    hash, p.pair.source, p.contextJSON, p.chosenJSON, p.rejectedJSON, p.pair.margin, p.pair.tier.rawValue,
                    p.pair.origin, importID, p.contextChars, p.chosenChars, p.rejectedChars, p.pair.context.count, now,
                ])
                try ins.execute()
                if db.changesCount == 1 {
                    let id = db.lastInsertedRowID
                    out.append(.inserted(id: id))
                    try SQLitePreferenceStore.recordExtras(db, p.pair, id: id, now: now, actor: "import \(importID)")
                } else {
                    guard let row = try Row.fetchOne(find, arguments: [hash]) else {
                        throw StoreError.database("insert of \(p.hash.hex) conflicted but no row has that hash")
                    }
                    out.append(.existing(id: row[0], source: row[1], importID: row[2]))
                }
            }
            return out
        }
    }

    /// Attributes, labels and a non-default tier that came with an imported pair.
    private static func recordExtras(_ db: Database, _ pair: PreferencePair, id: Int64, now: Double, actor: String) throws {
        if let a = pair.attributes { try upsertAttributes(db, id, a, setBy: actor, now: now) }
        for l in pair.labels {
            var entry = l
            entry.pairID = id
            try StoredPair.checkLabel(entry)
            _ = try insertLabel(db, entry, now: now)
        }
        if pair.tier != .unverified {
            try db.execute(sql: "INSERT INTO tier_moves (pair_id, from_tier, to_tier, reason, actor, created_at) VALUES (?, 'unverified', ?, 'imported', ?, ?)",
                           arguments: [id, pair.tier.rawValue, actor, now])
        }
    }

    static func pairFromRow(_ row: Row) throws -> PreferencePair {
        try StoredPair.make(
            id: row[0], source: row[1], context: row[2], chosen: row[3], rejected: row[4], margin: row[5], tier: row[6],
            origin: row[7], attributes: (row[8], row[9], row[10], row[11], row[12]), flipped: row[13])
    }

    public func pair(id: Int64) async throws -> PreferencePair? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(StoreSchema.pairColumns) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id WHERE p.id = ?", arguments: [id]) else { return nil }
            var p = try SQLitePreferenceStore.pairFromRow(row)
            p.labels = try SQLitePreferenceStore.labels(db, pairID: id)
            return p
        }
    }

    public func pairIDs(for hashes: [ContentHash]) async throws -> [ContentHash: Int64] {
        try await read { db in
            var out: [ContentHash: Int64] = [:]
            let stmt = try db.cachedStatement(sql: "SELECT id FROM pairs WHERE content_hash = ?")
            for h in hashes {
                if let id = try Int64.fetchOne(stmt, arguments: [Data(h.bytes)]) { out[h] = id }
            }
            return out
        }
    }

    public func tiers(of ids: [Int64]) async throws -> [Int64: PairTier] {
        try await read { db in
            var out: [Int64: PairTier] = [:]
            let stmt = try db.cachedStatement(sql: "SELECT tier, flipped FROM pairs WHERE id = ?")
            for id in Set(ids) {
                guard let row = try Row.fetchOne(stmt, arguments: [id]), let tier = PreferenceTier(rawValue: row[0]) else { continue }
                out[id] = PairTier(tier: tier, flipped: row[1])
            }
            return out
        }
    }

    public func pairs(_ q: PairQuery) async throws -> [PreferencePair] {
        try await read { db in
            var sql = "SELECT \(StoreSchema.pairColumns) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id WHERE p.id > ?"
            var args: [(any DatabaseValueConvertible)?] = [q.afterID]
            if let t = q.tier {
                sql += " AND p.tier = ?"
                args.append(t.rawValue)
            }
            if let s = q.source {
                sql += " AND p.source = ?"
                args.append(s)
            }
            if !q.includeContaminated { sql += " AND p.contaminated_by IS NULL" }
            sql += " ORDER BY p.id LIMIT ?"
            args.append(q.limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(SQLitePreferenceStore.pairFromRow)
        }
    }

    public func count(tier: PreferenceTier?) async throws -> Int {
        try await read { db in
            if let tier { return try Int.fetchOne(db, sql: "SELECT count(*) FROM pairs WHERE tier = ?", arguments: [tier.rawValue]) ?? 0 }
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM pairs") ?? 0
        }
    }

    public func stats() async throws -> PreferenceStats {
        try await read { db in
            func grouped(_ sql: String) throws -> [String: Int] {
                var out: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: sql) { out[row[0] ?? "(none)"] = row[1] }
                return out
            }
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM pairs") ?? 0
            var percentiles: [String: [PreferenceStats.Percentile]] = [:]
            for (part, column) in [("context", "context_chars"), ("chosen", "chosen_chars"), ("rejected", "rejected_chars")] where total > 0 {
                percentiles[part] = try PreferenceStats.percentiles.map { p in
                    let k = max(0, Int((p.q * Double(total)).rounded(.up)) - 1)  // nearest rank
                    let v = try Int.fetchOne(db, sql: "SELECT \(column) FROM pairs ORDER BY \(column) LIMIT 1 OFFSET ?", arguments: [k]) ?? 0
                    return PreferenceStats.Percentile(name: p.name, value: v)
                }
            }
            return PreferenceStats(
                total: total,
                contaminated: try Int.fetchOne(db, sql: "SELECT count(*) FROM pairs WHERE contaminated_by IS NOT NULL") ?? 0,
                bySource: try grouped("SELECT source, count(*) FROM pairs GROUP BY source"),
                byTier: try grouped("SELECT tier, count(*) FROM pairs GROUP BY tier"),
                byTaskCategory: try grouped("SELECT a.task_category, count(*) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id GROUP BY a.task_category"),
                byObjectivity: try grouped("SELECT a.objectivity, count(*) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id GROUP BY a.objectivity"),
                byControversiality: try grouped("SELECT a.controversiality, count(*) FROM pairs p LEFT JOIN attributes a ON a.pair_id = p.id GROUP BY a.controversiality"),
                labels: try Int.fetchOne(db, sql: "SELECT count(*) FROM labels") ?? 0,
                lengthPercentiles: percentiles)
        }
    }
}
