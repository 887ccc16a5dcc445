import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// The shared store for many workers on many machines: PostgreSQL through postgres-nio
/// (`postgres://user[:password]@host[:port]/database[?schema=name&sslmode=require]`).
///
/// Same schema as the SQLite store (`StoreSchema`). Batches travel as arrays
/// (`unnest`) so an import chunk is one round trip; queue claims use
/// `FOR UPDATE SKIP LOCKED`; lease times come from the server clock, so workers on
/// machines with skewed clocks agree. `schema=name` keeps several datasets (or test runs)
/// apart in one database. Transactions that hit a deadlock or serialization failure are
/// retried (every write here is safe to repeat as a whole).
public final class PostgresPreferenceStore: PreferenceStore {
    public let url: String
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    public init(url: String) async throws {
        self.url = url
        let parsed = try PostgresURL(url)
        var config = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: parsed.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        if let schema = parsed.schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        config.options.maximumConnections = 8
        let logger = Logger(label: "synpref.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        self.logger = logger
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        self.runner = Task { await client.run() }
        do {
            try await migrate(schema: parsed.schema)
        } catch {
            runner.cancel()
            throw error
        }
    }

    deinit { runner.cancel() }

    public func close() async throws {
        runner.cancel()
    }

    /// Runs raw SQL (tests use it to check what the schema refuses, and to drop their schema).
    func execute(rawSQL sql: String) async throws {
        try await transaction { conn in try await self.exec(conn, sql) }
    }

    // MARK: plumbing

    private static let retryableStates: Set<String> = ["40P01", "40001"]

    /// The server's message for an error, if it came from the server.
    static func describe(_ error: any Error) -> (message: String, sqlState: String?) {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                return ("\(info[.message] ?? "server error")\(info[.detail].map { " (\($0))" } ?? "")", info[.sqlState])
            }
            return ("\(e.code)", nil)
        }
        if let t = error as? PostgresTransactionError {
            if let inner = t.closureError { return describe(inner) }
            if let inner = t.commitError { return describe(inner) }
            if let inner = t.beginError { return describe(inner) }
        }
        return ("\(error)", nil)
    }

    private func mapError(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        if let t = error as? PostgresTransactionError, let inner = t.closureError, inner is StoreError { return inner }
        return StoreError.database("\(url): \(PostgresPreferenceStore.describe(error).message)")
    }

    /// Runs `body` in a transaction, retrying deadlocks and serialization failures.
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await client.withTransaction(logger: logger) { conn in try await body(conn) }
            } catch {
                attempt += 1
                if let state = PostgresPreferenceStore.describe(error).sqlState, PostgresPreferenceStore.retryableStates.contains(state), attempt < 8 {
                    try await Task.sleep(nanoseconds: UInt64(attempt) * 20_000_000)
                    continue
                }
                throw mapError(error)
            }
        }
    }

    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { conn in try await body(conn) }
        } catch {
            throw mapError(error)
        }
    }

    private func rows(_ conn: PostgresConnection, _ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws -> [PostgresRow] {
        var out: [PostgresRow] = []
        for try await row in try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) { out.append(row) }
        return out
    }

    private func exec(_ conn: PostgresConnection, _ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws {
        _ = try await rows(conn, sql, binds)
    }

    private func migrate(schema: String?) async throws {
        try await withConnection { conn in
            if let schema { try await self.exec(conn, "CREATE SCHEMA IF NOT EXISTS \"\(schema)\"") }
        }
        try await transaction { conn in
            // One migrator at a time across all workers.
            try await self.exec(conn, "SELECT pg_advisory_xact_lock(7357011)")
            try await self.exec(conn, StoreSchema.postgres[0])
            let found = try await self.rows(conn, "SELECT value FROM synpref_meta WHERE key = 'schema_version'")
            let v = try found.first.map { Int(try $0.decode(String.self)) ?? 0 } ?? 0
            if v > StoreSchema.version { throw StoreError.schemaTooNew(found: v, supported: StoreSchema.version) }
            if v == StoreSchema.version { return }
            for sql in StoreSchema.postgres.dropFirst() { try await self.exec(conn, sql) }
            var b = PostgresBindings()
            b.append(String(StoreSchema.version))
            try await self.exec(conn, "INSERT INTO synpref_meta (key, value) VALUES ('schema_version', $1)", b)
        }
    }

    private static let nowSQL = "extract(epoch from clock_timestamp())"

    // MARK: pairs

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

    private func upsertAttributes(_ conn: PostgresConnection, _ items: [(Int64, PreferenceAttributes)], setBy: String) async throws {
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

    private func insertLabels(_ conn: PostgresConnection, _ labels: [LabelEntry]) async throws -> [Int64] {
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

    private func logMoves(_ conn: PostgresConnection, _ moves: [(Int64, PreferenceTier, PreferenceTier, String)], actor: String) async throws {
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

    private static func pairFromRow(_ row: PostgresRow) throws -> PreferencePair {
        let (id, source, context, chosen, rejected, margin, tier, origin, cat, obj, con, des, gui) =
            try row.decode((Int64, String, String, String, String, Double?, String, String?, String?, String?, String?, String?, String?).self)
        return try StoredPair.make(id: id, source: source, context: context, chosen: chosen, rejected: rejected, margin: margin,
                                   tier: tier, origin: origin, attributes: (cat, obj, con, des, gui))
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

    // MARK: curation

    public func apply(_ batch: CurationBatch) async throws -> CurationResult {
        for l in batch.labels { try StoredPair.checkLabel(l) }
        let labels = batch.labels
        let attributes = batch.attributes.map { ($0.pairID, $0.attributes) }
        let moves = batch.moves
        let actor = batch.actor
        return try await transaction { conn in
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
            try await self.logMoves(conn, plan.log.map { ($0.pairID, $0.from, $0.to, $0.reason) }, actor: actor)
            return CurationResult(labelIDs: labelIDs, moved: plan.log.count)
        }
    }

    private func labels(_ conn: PostgresConnection, pairID: Int64) async throws -> [LabelEntry] {
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

    // MARK: work queue

    public func enqueue(_ tasks: [NewTask], queue: String) async throws -> [Int64] {
        var b = PostgresBindings()
        b.append(queue)
        b.append(tasks.map { $0.pairID ?? 0 })
        b.append(tasks.map { $0.payload })
        b.append(tasks.map { max(1, $0.maxAttempts) })
        let binds = b
        return try await transaction { conn in
            try await self.rows(conn, """
                INSERT INTO tasks (queue, pair_id, payload, max_attempts, created_at, updated_at)
                SELECT $1, NULLIF(p, 0), d, m, \(PostgresPreferenceStore.nowSQL), \(PostgresPreferenceStore.nowSQL)
                FROM unnest($2::int8[], $3::text[], $4::int8[]) WITH ORDINALITY AS x(p, d, m, ord)
                ORDER BY ord
                RETURNING id
                """, binds).map { try $0.decode(Int64.self) }.sorted()
        }
    }

    private static func task(_ row: PostgresRow) throws -> WorkTask {
        let (id, queue, pairID, payload, attempts, maxAttempts, owner, expires) =
            try row.decode((Int64, String, Int64?, String, Int32, Int32, String?, Double?).self)
        return WorkTask(id: id, queue: queue, pairID: pairID, payload: payload, attempts: Int(attempts), maxAttempts: Int(maxAttempts),
                        leaseOwner: owner, leaseExpiresAt: expires.map { Date(timeIntervalSince1970: $0) })
    }

    public func claim(queue: String, worker: String, limit: Int, lease: TimeInterval) async throws -> [WorkTask] {
        try await transaction { conn in
            var fb = PostgresBindings()
            fb.append(queue)
            try await self.exec(conn, """
                UPDATE tasks SET state = 'failed', lease_owner = NULL, last_error = 'lease expired on the last allowed attempt',
                    updated_at = \(PostgresPreferenceStore.nowSQL)
                WHERE id IN (SELECT id FROM tasks WHERE queue = $1 AND state = 'leased' AND lease_expires_at < \(PostgresPreferenceStore.nowSQL)
                             AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)
                """, fb)
            var b = PostgresBindings()
            b.append(queue)
            b.append(limit)
            b.append(worker)
            b.append(lease)
            return try await self.rows(conn, """
                WITH picked AS (
                    SELECT id FROM tasks
                    WHERE queue = $1 AND (state = 'pending'
                          OR (state = 'leased' AND lease_expires_at < \(PostgresPreferenceStore.nowSQL) AND attempts < max_attempts))
                    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
                UPDATE tasks t SET state = 'leased', lease_owner = $3, lease_expires_at = \(PostgresPreferenceStore.nowSQL) + $4,
                    attempts = t.attempts + 1, updated_at = \(PostgresPreferenceStore.nowSQL)
                FROM picked WHERE t.id = picked.id
                RETURNING t.id, t.queue, t.pair_id, t.payload, t.attempts, t.max_attempts, t.lease_owner, t.lease_expires_at
                """, b).map(PostgresPreferenceStore.task).sorted { $0.id < $1.id }
        }
    }

    public func renew(_ taskIDs: [Int64], worker: String, lease: TimeInterval) async throws -> [Int64] {
        var b = PostgresBindings()
        b.append(taskIDs)
        b.append(worker)
        b.append(lease)
        let binds = b
        return try await transaction { conn in
            try await self.rows(conn, """
                UPDATE tasks SET lease_expires_at = \(PostgresPreferenceStore.nowSQL) + $3, updated_at = \(PostgresPreferenceStore.nowSQL)
                WHERE id = ANY($1::int8[]) AND state = 'leased' AND lease_owner = $2 RETURNING id
                """, binds).map { try $0.decode(Int64.self) }.sorted()
        }
    }

    public func complete(_ taskID: Int64, worker: String, result: String?) async throws {
        var b = PostgresBindings()
        b.append(result)
        b.append(taskID)
        b.append(worker)
        let binds = b
        let n = try await transaction { conn in
            try await self.rows(conn, """
                UPDATE tasks SET state = 'done', result = $1, lease_expires_at = NULL, updated_at = \(PostgresPreferenceStore.nowSQL)
                WHERE id = $2 AND state = 'leased' AND lease_owner = $3 RETURNING id
                """, binds).count
        }
        if n == 0 { throw StoreError.leaseLost(taskID: taskID, worker: worker) }
    }

    public func release(_ taskID: Int64, worker: String, error: String, retry: Bool) async throws {
        var b = PostgresBindings()
        b.append(retry)
        b.append(error)
        b.append(taskID)
        b.append(worker)
        let binds = b
        let n = try await transaction { conn in
            try await self.rows(conn, """
                UPDATE tasks SET state = CASE WHEN $1 AND attempts < max_attempts THEN 'pending' ELSE 'failed' END,
                    lease_owner = NULL, lease_expires_at = NULL, last_error = $2, updated_at = \(PostgresPreferenceStore.nowSQL)
                WHERE id = $3 AND state = 'leased' AND lease_owner = $4 RETURNING id
                """, binds).count
        }
        if n == 0 { throw StoreError.leaseLost(taskID: taskID, worker: worker) }
    }

    public func queueCounts(queue: String) async throws -> [WorkTask.State: Int] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(queue)
            var out: [WorkTask.State: Int] = [:]
            for row in try await self.rows(conn, "SELECT state, count(*) FROM tasks WHERE queue = $1 GROUP BY state", b) {
                let (s, n) = try row.decode((String, Int64).self)
                if let state = WorkTask.State(rawValue: s) { out[state] = Int(n) }
            }
            return out
        }
    }

    // MARK: stats

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

/// The parts of a `postgres://` URL.
struct PostgresURL: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var schema: String?
    var requireTLS: Bool

    init(_ url: String) throws {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql" else {
            throw StoreError.badURL(url, reason: "not a postgres:// URL")
        }
        guard let host = c.host, !host.isEmpty else { throw StoreError.badURL(url, reason: "no host") }
        self.host = host
        port = c.port ?? 5432
        user = c.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = c.password
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? nil : path
        let items = c.queryItems ?? []
        schema = items.first { $0.name == "schema" }?.value
        if let s = schema, s.isEmpty || !s.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) {
            throw StoreError.badURL(url, reason: "schema '\(s)' must be lower-case letters, digits and underscores")
        }
        let ssl = items.first { $0.name == "sslmode" }?.value ?? "disable"
        requireTLS = ssl == "require" || ssl == "verify-full" || ssl == "verify-ca"
    }
}
