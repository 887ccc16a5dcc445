import Foundation
import GRDB
import SynprefCore

/// `CurationLog`: the label and tier-move logs (appended, never changed), attributes and
/// contamination marks.
extension SQLitePreferenceStore {
    public func apply(_ batch: CurationBatch) async throws -> CurationResult {
        for l in batch.labels { try StoredPair.checkLabel(l) }
        let labels = batch.labels
        let attributes = batch.attributes.map { ($0.pairID, $0.attributes) }
        let moves = batch.moves
        let actor = batch.actor
        let completions = batch.completions
        return try await write { db in
            let now = SQLitePreferenceStore.now
            for c in completions where try !SQLitePreferenceStore.complete(db, c, now: now) {
                throw StoreError.leaseLost(taskID: c.taskID, worker: c.worker)
            }
            let exists = try db.cachedStatement(sql: "SELECT tier FROM pairs WHERE id = ?")
            var current: [Int64: PreferenceTier] = [:]
            let ids = Set(labels.map(\.pairID) + attributes.map(\.0) + moves.map(\.pairID))
            for id in ids.sorted() {
                guard let t = try String.fetchOne(exists, arguments: [id]), let tier = PreferenceTier(rawValue: t) else {
                    throw StoreError.unknownPair(id)
                }
                current[id] = tier
            }
            let plan = try StoredPair.plan(moves, current: current)
            var labelIDs: [Int64] = []
            for l in labels { labelIDs.append(try SQLitePreferenceStore.insertLabel(db, l, now: now)) }
            for (id, a) in attributes { try SQLitePreferenceStore.upsertAttributes(db, id, a, setBy: actor, now: now) }
            for (id, tier) in plan.final { try db.execute(sql: "UPDATE pairs SET tier = ? WHERE id = ?", arguments: [tier.rawValue, id]) }
            for (id, f) in StoredPair.orientations(moves) { try db.execute(sql: "UPDATE pairs SET flipped = ? WHERE id = ?", arguments: [f, id]) }
            for m in plan.log {
                try db.execute(sql: "INSERT INTO tier_moves (pair_id, from_tier, to_tier, reason, actor, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [m.pairID, m.from.rawValue, m.to.rawValue, m.reason, actor, now])
            }
            return CurationResult(labelIDs: labelIDs, moved: plan.log.count)
        }
    }

    /// The label log of a pair, oldest first (also read by `pair(id:)`).
    static func labels(_ db: Database, pairID: Int64) throws -> [LabelEntry] {
        try Row.fetchAll(db, sql: "SELECT id, labeler_kind, labeler_id, label, confidence, rationale, created_at FROM labels WHERE pair_id = ? ORDER BY id", arguments: [pairID]).map { row in
            let kindName: String = row[1]
            let labelName: String = row[3]
            guard let kind = Labeler.Kind(rawValue: kindName), let label = PreferenceLabel(rawValue: labelName) else {
                throw StoreError.invalidValue("label row \(row[0] as Int64)")
            }
            return LabelEntry(id: row[0], pairID: pairID, labeler: Labeler(kind: kind, id: row[2]), label: label, confidence: row[4],
                              rationale: row[5], createdAt: Date(timeIntervalSince1970: row[6]))
        }
    }

    public func labels(pairID: Int64) async throws -> [LabelEntry] {
        try await read { db in try SQLitePreferenceStore.labels(db, pairID: pairID) }
    }

    public func tierMoves(pairID: Int64) async throws -> [TierMove] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, from_tier, to_tier, reason, actor, created_at FROM tier_moves WHERE pair_id = ? ORDER BY id", arguments: [pairID]).map { row in
                guard let from = PreferenceTier(rawValue: row[1]), let to = PreferenceTier(rawValue: row[2]) else {
                    throw StoreError.invalidValue("tier move row \(row[0] as Int64)")
                }
                return TierMove(id: row[0], pairID: pairID, from: from, to: to, reason: row[3], actor: row[4], createdAt: Date(timeIntervalSince1970: row[5]))
            }
        }
    }

    public func markContaminated(_ marks: [(pairID: Int64, benchmark: String)], actor: String) async throws -> Int {
        let list = marks.map { ($0.pairID, $0.benchmark) }
        return try await write { db in
            let now = SQLitePreferenceStore.now
            var n = 0
            for (id, bench) in list {
                guard let row = try Row.fetchOne(db, sql: "SELECT tier, contaminated_by FROM pairs WHERE id = ?", arguments: [id]) else {
                    throw StoreError.unknownPair(id)
                }
                if (row[1] as String?) != nil { continue }
                let from: String = row[0]
                try db.execute(sql: "UPDATE pairs SET contaminated_by = ?, tier = 'discarded' WHERE id = ?", arguments: [bench, id])
                try db.execute(sql: "INSERT INTO tier_moves (pair_id, from_tier, to_tier, reason, actor, created_at) VALUES (?, ?, 'discarded', ?, ?, ?)",
                               arguments: [id, from, "contaminated: \(bench)", actor, now])
                n += 1
            }
            return n
        }
    }

    /// Sets a pair's attributes (the latest write wins; who and when are kept).
    static func upsertAttributes(_ db: Database, _ id: Int64, _ a: PreferenceAttributes, setBy: String, now: Double) throws {
        try db.execute(sql: """
            INSERT INTO attributes (pair_id, task_category, objectivity, controversiality, desired_attributes, annotation_guideline, set_by, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (pair_id) DO UPDATE SET task_category = excluded.task_category, objectivity = excluded.objectivity,
                controversiality = excluded.controversiality, desired_attributes = excluded.desired_attributes,
                annotation_guideline = excluded.annotation_guideline, set_by = excluded.set_by, updated_at = excluded.updated_at
            """, arguments: [id, a.taskCategory, a.objectivity.rawValue, a.controversiality.rawValue, a.desiredAttributes, a.annotationGuideline, setBy, now])
    }

    /// Appends one label to the log; returns its id.
    static func insertLabel(_ db: Database, _ l: LabelEntry, now: Double) throws -> Int64 {
        let stmt = try db.cachedStatement(sql: """
            INSERT INTO labels (pair_id, labeler_kind, labeler_id, label, confidence, rationale, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
            """)
        stmt.setUncheckedArguments([l.pairID, l.labeler.kind.rawValue, l.labeler.id, l.label.rawValue, l.confidence, l.rationale,
                                    l.createdAt?.timeIntervalSince1970 ?? now])
        guard let id = try Int64.fetchOne(stmt) else { throw StoreError.database("label insert returned no id") }
        return id
    }
}
