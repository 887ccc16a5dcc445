import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `CurationLog`: the label and tier-move logs (appended, never changed), attributes and
/// contamination marks.
extension PostgresPreferenceStore {
    public func apply(_ batch: CurationBatch) async throws -> CurationResult {
        for l in batch.labels { try StoredPair.checkLabel(l) }
        let labels = batch.labels
        let attributes = batch.attributes.map { ($0.pairID, $0.attributes) }
        let moves = batch.moves
        let actor = batch.actor
        let completions = batch.completions
        return try await transaction { conn in
            for c in completions where try await !self.complete(conn, c) {
                throw StoreError.leaseLost(taskID: c.taskID, worker: c.worker)
            }
            let ids = Array(Set(labels.map(\.pairID) + attributes.map(\.0) + moves.map(\.pairID))).sorted()
            var current: [Int64: PreferenceTier] = [:]
            if !ids.isEmpty {
                var b = PostgresBindings()
                b.append(ids)
                for row in try await self.rows(conn, "SELECT id, tier FROM pairs WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE", b) {
                    let (id, t) = try row.decode((Int64, String).self)
                    current[id] = PreferenceTier(rawValue: t)
                }
                if let missing = ids.first(where: { current[$0] == nil }) { throw StoreError.unknownPair(missing) }
            }
            let plan = try StoredPair.plan(moves, current: current)
            let labelIDs = labels.isEmpty ? [] : try await self.insertLabels(conn, labels)
            if !attributes.isEmpty { try await self.upsertAttributes(conn, attributes, setBy: actor) }
            if !plan.final.isEmpty {
                let final = plan.final.sorted { $0.key < $1.key }
                var b = PostgresBindings()
                b.append(final.map(\.key))
                b.append(final.map(\.value.rawValue))
                try await self.exec(conn, "UPDATE pairs p SET tier = u.t FROM unnest($1::int8[], $2::text[]) AS u(i, t) WHERE p.id = u.i", b)
            }
            let orientations = StoredPair.orientations(moves).sorted { $0.key < $1.key }
            if !orientations.isEmpty {
                var b = PostgresBindings()
                b.append(orientations.map(\.key))
                b.append(orientations.map(\.value))
                try await self.exec(conn, "UPDATE pairs p SET flipped = u.f FROM unnest($1::int8[], $2::bool[]) AS u(i, f) WHERE p.id = u.i", b)
            }
            try await self.logMoves(conn, plan.log.map { ($0.pairID, $0.from, $0.to, $0.reason) }, actor: actor)
            return CurationResult(labelIDs: labelIDs, moved: plan.log.count)
        }
    }

    /// The label log of a pair, oldest first (also read by `pair(id:)`).
    func labels(_ conn: PostgresConnection, pairID: Int64) async throws -> [LabelEntry] {
        var b = PostgresBindings()
        b.append(pairID)
        return try await rows(conn, "SELECT id, labeler_kind, labeler_id, label, confidence, rationale, created_at FROM labels WHERE pair_id = $1 ORDER BY id", b).map { row in
            let (id, kind, who, label, conf, rationale, created) = try row.decode((Int64, String, String, String, Double?, String?, Double).self)
            guard let k = Labeler.Kind(rawValue: kind), let l = PreferenceLabel(rawValue: label) else {
                throw StoreError.invalidValue("label row \(id)")
            }
            return LabelEntry(id: id, pairID: pairID, labeler: Labeler(kind: k, id: who), label: l, confidence: conf, rationale: rationale,
                              createdAt: Date(timeIntervalSince1970: created))
        }
    }

    public func labels(pairID: Int64) async throws -> [LabelEntry] {
        try await withConnection { conn in try await self.labels(conn, pairID: pairID) }
    }

    public func tierMoves(pairID: Int64) async throws -> [TierMove] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(pairID)
            return try await self.rows(conn, "SELECT id, from_tier, to_tier, reason, actor, created_at FROM tier_moves WHERE pair_id = $1 ORDER BY id", b).map { row in
                let (id, from, to, reason, actor, created) = try row.decode((Int64, String, String, String, String, Double).self)
                guard let f = PreferenceTier(rawValue: from), let t = PreferenceTier(rawValue: to) else {
                    throw StoreError.invalidValue("tier move row \(id)")
                }
                return TierMove(id: id, pairID: pairID, from: f, to: t, reason: reason, actor: actor, createdAt: Date(timeIntervalSince1970: created))
            }
        }
    }

    public func markContaminated(_ marks: [(pairID: Int64, benchmark: String)], actor: String) async throws -> Int {
        var firstBenchmark: [Int64: String] = [:]
        for m in marks where firstBenchmark[m.pairID] == nil { firstBenchmark[m.pairID] = m.benchmark }
        let wanted = firstBenchmark
        return try await transaction { conn in
            let ids = wanted.keys.sorted()
            guard !ids.isEmpty else { return 0 }
            var b = PostgresBindings()
            b.append(ids)
            var fresh: [(Int64, PreferenceTier, String)] = []
            var seen = Set<Int64>()
            for row in try await self.rows(conn, "SELECT id, tier, contaminated_by FROM pairs WHERE id = ANY($1::int8[]) ORDER BY id FOR UPDATE", b) {
                let (id, tier, by) = try row.decode((Int64, String, String?).self)
                seen.insert(id)
                if by == nil, let t = PreferenceTier(rawValue: tier), let bench = wanted[id] { fresh.append((id, t, bench)) }
            }
            if let missing = ids.first(where: { !seen.contains($0) }) { throw StoreError.unknownPair(missing) }
            guard !fresh.isEmpty else { return 0 }
            var ub = PostgresBindings()
            ub.append(fresh.map(\.0))
            ub.append(fresh.map(\.2))
            try await self.exec(conn, "UPDATE pairs p SET contaminated_by = u.b, tier = 'discarded' FROM unnest($1::int8[], $2::text[]) AS u(i, b) WHERE p.id = u.i", ub)
            try await self.logMoves(conn, fresh.map { ($0.0, $0.1, .discarded, "contaminated: \($0.2)") }, actor: actor)
            return fresh.count
        }
    }

    /// Sets pairs' attributes (the latest write wins; who and when are kept).
    func upsertAttributes(_ conn: PostgresConnection, _ items: [(Int64, PreferenceAttributes)], setBy: String) async throws {
        var last: [Int64: PreferenceAttributes] = [:]
        var order: [Int64] = []
        for (id, a) in items {
            if last[id] == nil { order.append(id) }
            last[id] = a
        }
        let list = order.map { ($0, last[$0]!) }
        var b = PostgresBindings()
        b.append(list.map { $0.0 })
        b.append(list.map { $0.1.taskCategory })
        b.append(list.map { $0.1.objectivity.rawValue })
        b.append(list.map { $0.1.controversiality.rawValue })
        b.append(list.map { $0.1.desiredAttributes })
        b.append(list.map { $0.1.annotationGuideline })
        b.append(setBy)
        try await exec(conn, """
            INSERT INTO attributes (pair_id, task_category, objectivity, controversiality, desired_attributes, annotation_guideline, set_by, updated_at)
            SELECT i, c, o, v, d, g, $7, \(PostgresPreferenceStore.nowSQL)
            FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(i, c, o, v, d, g)
            ON CONFLICT (pair_id) DO UPDATE SET task_category = excluded.task_category, objectivity = excluded.objectivity,
                controversiality = excluded.controversiality, desired_attributes = excluded.desired_attributes,
                annotation_guideline = excluded.annotation_guideline, set_by = excluded.set_by, updated_at = excluded.updated_at
            """, b)
    }

    /// Appends labels to the log; returns their ids in order.
    func insertLabels(_ conn: PostgresConnection, _ labels: [LabelEntry]) async throws -> [Int64] {
        var b = PostgresBindings()
        b.append(labels.map(\.pairID))
        b.append(labels.map { $0.labeler.kind.rawValue })
        b.append(labels.map(\.labeler.id))
        b.append(labels.map { $0.label.rawValue })
        b.append(labels.map { $0.confidence ?? .nan })
        b.append(labels.map { $0.rationale ?? "" })
        b.append(labels.map { $0.rationale == nil })
        b.append(labels.map { $0.createdAt?.timeIntervalSince1970 ?? .nan })
        let rows = try await self.rows(conn, """
            INSERT INTO labels (pair_id, labeler_kind, labeler_id, label, confidence, rationale, created_at)
            SELECT p, k, i, l, NULLIF(c, 'NaN'::float8), CASE WHEN rn THEN NULL ELSE r END,
                   COALESCE(NULLIF(t, 'NaN'::float8), \(PostgresPreferenceStore.nowSQL))
            FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::bool[], $8::float8[])
                 WITH ORDINALITY AS x(p, k, i, l, c, r, rn, t, ord)
            ORDER BY ord
            RETURNING id
            """, b)
        return try rows.map { try $0.decode(Int64.self) }.sorted()
    }

    /// Appends tier moves (pair, from, to, reason) to the log.
    func logMoves(_ conn: PostgresConnection, _ moves: [(Int64, PreferenceTier, PreferenceTier, String)], actor: String) async throws {
        guard !moves.isEmpty else { return }
        var b = PostgresBindings()
        b.append(moves.map { $0.0 })
        b.append(moves.map { $0.1.rawValue })
        b.append(moves.map { $0.2.rawValue })
        b.append(moves.map { $0.3 })
        b.append(actor)
        try await exec(conn, """
            INSERT INTO tier_moves (pair_id, from_tier, to_tier, reason, actor, created_at)
            SELECT p, f, t, r, $5, \(PostgresPreferenceStore.nowSQL)
            FROM unnest($1::int8[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(p, f, t, r, ord)
            ORDER BY ord
            """, b)
    }

}
