import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `WorkQueue`: tasks with one claim per (task, worker). A claim locks the tasks it takes
/// with `FOR UPDATE SKIP LOCKED`, so concurrent claimers pass over each other's tasks
/// instead of waiting. Whether a task has a free slot is decided by its own row (`state`,
/// from the `held` and `completed` counters), which every claim updates; a claimer that
/// meets a row another transaction has just changed re-checks it against the new values.
extension PostgresPreferenceStore {
    private var now: String { PostgresPreferenceStore.nowSQL }

    public func enqueue(_ tasks: [NewTask], queue: String) async throws -> [Int64] {
        var b = PostgresBindings()
        b.append(queue)
        b.append(tasks.map { $0.pairID ?? 0 })
        b.append(tasks.map(\.kind))
        b.append(tasks.map(\.payload))
        b.append(tasks.map { max(1, $0.requiredWorkers) })
        b.append(tasks.map { max(1, $0.maxAttempts) })
        b.append(tasks.map { $0.key ?? "" })
        let binds = b
        let keys = tasks.map(\.key)
        return try await transaction { conn in
            // Keyless tasks get ids in input order (the insert follows `ord`); keyed ones are
            // looked up by key afterwards, whether this insert or an earlier one added them.
            let keyless = try await self.rows(conn, """
                INSERT INTO tasks (queue, pair_id, kind, payload, required_workers, max_attempts, task_key, created_at, updated_at)
                SELECT $1, NULLIF(p, 0), k, d, r, m, NULLIF(y, ''), \(self.now), \(self.now)
                FROM unnest($2::int8[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::text[]) WITH ORDINALITY AS x(p, k, d, r, m, y, ord)
                ORDER BY ord
                ON CONFLICT (queue, task_key) WHERE task_key IS NOT NULL DO NOTHING
                RETURNING id, task_key
                """, binds).compactMap { row -> Int64? in
                let (id, key) = try row.decode((Int64, String?).self)
                return key == nil ? id : nil
            }.sorted()
            var byKey: [String: Int64] = [:]
            let wanted = Array(Set(keys.compactMap { $0 }))
            if !wanted.isEmpty {
                var kb = PostgresBindings()
                kb.append(queue)
                kb.append(wanted)
                for row in try await self.rows(conn, "SELECT task_key, id FROM tasks WHERE queue = $1 AND task_key = ANY($2::text[])", kb) {
                    let (key, id) = try row.decode((String, Int64).self)
                    byKey[key] = id
                }
            }
            var next = keyless.makeIterator()
            return try keys.map { key in
                if let key {
                    guard let id = byKey[key] else { throw StoreError.database("task with key '\(key)' was not stored") }
                    return id
                }
                guard let id = next.next() else { throw StoreError.database("task insert returned too few ids") }
                return id
            }
        }
    }

    public func claim(queue: String, worker: String, limit: Int, lease: TimeInterval, filter: ClaimFilter) async throws -> [WorkTask] {
        try WorkQueueRequest.check(worker: worker, lease: lease)
        if WorkQueueRequest.matchesNothing(limit: limit, filter: filter) { return [] }
        var b = PostgresBindings()
        b.append(queue)
        b.append(worker)
        b.append(limit)
        b.append(lease)
        var conditions = ""
        if let ids = filter.pairIDs {
            b.append(ids)
            conditions += " AND t.pair_id = ANY($5::int8[])"
        }
        if let kinds = filter.kinds {
            b.append(kinds)
            conditions += " AND t.kind = ANY($\(filter.pairIDs == nil ? 5 : 6)::text[])"
        }
        let binds = b
        let sql = """
            WITH picked AS (
                SELECT t.id FROM tasks t
                WHERE t.queue = $1 AND t.state = 'pending'
                  AND NOT EXISTS (SELECT 1 FROM task_claims c WHERE c.task_id = t.id AND c.worker = $2)\(conditions)
                ORDER BY t.id LIMIT $3
                FOR UPDATE SKIP LOCKED),
            taken AS (
                UPDATE tasks t SET held = t.held + 1, attempts = t.attempts + 1,
                    state = \(StoreSchema.taskState(held: "t.held + 1")), updated_at = \(now)
                FROM picked WHERE t.id = picked.id
                RETURNING t.id, t.queue, t.pair_id, t.kind, t.payload, t.required_workers, t.attempts, t.max_attempts),
            leased AS (
                INSERT INTO task_claims (task_id, worker, state, attempt, claimed_at, lease_expires_at)
                SELECT id, $2, 'leased', attempts, \(now), \(now) + $4 FROM taken
                RETURNING task_id, lease_expires_at)
            SELECT taken.id, taken.queue, taken.pair_id, taken.kind, taken.payload, taken.required_workers, taken.attempts,
                   taken.max_attempts, leased.lease_expires_at
            FROM taken JOIN leased ON leased.task_id = taken.id
            ORDER BY taken.id
            """
        return try await transaction { conn in
            try await self.expireLeases(conn, queue: queue)
            return try await self.rows(conn, sql, binds).map { row in
                let (id, queue, pairID, kind, payload, required, attempts, maxAttempts, expires) =
                    try row.decode((Int64, String, Int64?, String, String, Int32, Int32, Int32, Double).self)
                return WorkTask(id: id, queue: queue, pairID: pairID, kind: kind, payload: payload, requiredWorkers: Int(required),
                                attempts: Int(attempts), maxAttempts: Int(maxAttempts), worker: worker,
                                leaseExpiresAt: Date(timeIntervalSince1970: expires))
            }
        }
    }

    /// Marks the leased claims of `queue` whose lease ran out as expired, and gives their
    /// slots back to their tasks (each counts as a failed attempt). Claims another
    /// transaction is completing or releasing right now are left to it.
    private func expireLeases(_ conn: PostgresConnection, queue: String) async throws {
        var b = PostgresBindings()
        b.append(queue)
        try await exec(conn, """
            WITH expired AS (
                UPDATE task_claims c SET state = 'expired', finished_at = \(now), error = 'lease expired'
                WHERE c.id IN (
                    SELECT c2.id FROM task_claims c2 JOIN tasks t ON t.id = c2.task_id
                    WHERE t.queue = $1 AND c2.state = 'leased' AND c2.lease_expires_at < \(now)
                    FOR UPDATE OF c2 SKIP LOCKED)
                RETURNING c.task_id),
            freed AS (SELECT task_id, count(*)::int AS n FROM expired GROUP BY task_id)
            UPDATE tasks t SET held = t.held - freed.n, failures = t.failures + freed.n,
                state = \(StoreSchema.taskState(held: "t.held - freed.n", failures: "t.failures + freed.n")),
                last_error = 'lease expired', updated_at = \(now)
            FROM freed WHERE t.id = freed.task_id
            """, b)
    }

    public func renew(_ taskIDs: [Int64], worker: String, lease: TimeInterval) async throws -> [Int64] {
        try WorkQueueRequest.check(worker: worker, lease: lease)
        var b = PostgresBindings()
        b.append(taskIDs)
        b.append(worker)
        b.append(lease)
        let binds = b
        let renewed = try await transaction { conn in
            Set(try await self.rows(conn, """
                UPDATE task_claims SET lease_expires_at = \(self.now) + $3
                WHERE task_id = ANY($1::int8[]) AND worker = $2 AND state = 'leased' AND lease_expires_at >= \(self.now)
                RETURNING task_id
                """, binds).map { try $0.decode(Int64.self) })
        }
        return taskIDs.filter { renewed.contains($0) }
    }

    public func complete(_ taskID: Int64, worker: String, result: String?) async throws {
        let completion = TaskCompletion(taskID: taskID, worker: worker, result: result)
        let held = try await transaction { conn in try await self.complete(conn, completion) }
        if !held { throw StoreError.leaseLost(taskID: taskID, worker: worker) }
    }

    /// Completes a live claim inside the caller's transaction; false if the worker holds none.
    func complete(_ conn: PostgresConnection, _ c: TaskCompletion) async throws -> Bool {
        var b = PostgresBindings()
        b.append(c.result)
        b.append(c.taskID)
        b.append(c.worker)
        return try await rows(conn, """
                WITH finished AS (
                    UPDATE task_claims SET state = 'done', result = $1, finished_at = \(self.now)
                    WHERE task_id = $2 AND worker = $3 AND state = 'leased' AND lease_expires_at >= \(self.now)
                    RETURNING task_id)
                UPDATE tasks t SET completed = t.completed + 1, held = t.held - 1,
                    state = \(StoreSchema.taskState(completed: "t.completed + 1", held: "t.held - 1")), updated_at = \(self.now)
                FROM finished WHERE t.id = finished.task_id
                RETURNING t.id
                """, b).count == 1
    }

    public func release(_ taskID: Int64, worker: String, error: String, retry: Bool) async throws {
        var b = PostgresBindings()
        b.append(error)
        b.append(taskID)
        b.append(worker)
        b.append(retry)
        let binds = b
        let n = try await transaction { conn in
            try await self.rows(conn, """
                WITH given AS (
                    UPDATE task_claims SET state = 'released', error = $1, finished_at = \(self.now)
                    WHERE task_id = $2 AND worker = $3 AND state = 'leased' AND lease_expires_at >= \(self.now)
                    RETURNING task_id)
                UPDATE tasks t SET held = t.held - 1, failures = t.failures + 1,
                    state = CASE WHEN $4::bool THEN \(StoreSchema.taskState(held: "t.held - 1", failures: "t.failures + 1"))
                                 WHEN t.state = 'done' THEN t.state ELSE 'failed' END,
                    last_error = $1, updated_at = \(self.now)
                FROM given WHERE t.id = given.task_id
                RETURNING t.id
                """, binds).count
        }
        if n == 0 { throw StoreError.leaseLost(taskID: taskID, worker: worker) }
    }

    public func claims(taskID: Int64) async throws -> [WorkClaim] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(taskID)
            return try await self.rows(conn, """
                SELECT task_id, worker, CASE WHEN state = 'leased' AND lease_expires_at < \(self.now) THEN 'expired' ELSE state END,
                       attempt, claimed_at, lease_expires_at, finished_at, result, error
                FROM task_claims WHERE task_id = $1 ORDER BY id
                """, b).map { row in
                let (task, worker, stateName, attempt, claimed, expires, finished, result, error) =
                    try row.decode((Int64, String, String, Int32, Double, Double, Double?, String?, String?).self)
                guard let state = WorkClaim.State(rawValue: stateName) else { throw StoreError.invalidValue("claim state '\(stateName)'") }
                return WorkClaim(taskID: task, worker: worker, state: state, attempt: Int(attempt), claimedAt: Date(timeIntervalSince1970: claimed),
                                 leaseExpiresAt: Date(timeIntervalSince1970: expires), finishedAt: finished.map(Date.init(timeIntervalSince1970:)),
                                 result: result, error: error)
            }
        }
    }

    public func task(id: Int64) async throws -> QueuedTask? {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(id)
            guard let row = try await self.rows(conn, "SELECT queue, pair_id, kind, payload, state FROM tasks WHERE id = $1", b).first else { return nil }
            let (queue, pairID, kind, payload, stateName) = try row.decode((String, Int64?, String, String, String).self)
            guard let state = WorkTask.State(rawValue: stateName) else { throw StoreError.invalidValue("task state '\(stateName)'") }
            return QueuedTask(id: id, queue: queue, pairID: pairID, kind: kind, payload: payload, state: state)
        }
    }

    public func queueCounts(queue: String) async throws -> QueueCounts {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(queue)
            var counts = QueueCounts()
            // Open tasks whose leases ran out are counted as the next claim will find them.
            let live = "(SELECT count(*) FROM task_claims c WHERE c.task_id = t.id AND c.state = 'leased' AND c.lease_expires_at >= \(self.now))"
            for row in try await self.rows(conn, """
                SELECT CASE WHEN t.held = 0 THEN t.state
                            ELSE \(StoreSchema.taskState(held: live, failures: "t.failures + t.held - \(live)")) END,
                       count(*)
                FROM tasks t WHERE t.queue = $1 GROUP BY 1
                """, b) {
                let (s, n) = try row.decode((String, Int64).self)
                if let state = WorkTask.State(rawValue: s) { counts.tasks[state] = Int(n) }
            }
            for row in try await self.rows(conn, """
                SELECT CASE WHEN c.state = 'leased' AND c.lease_expires_at < \(self.now) THEN 'expired' ELSE c.state END, count(*)
                FROM task_claims c JOIN tasks t ON t.id = c.task_id WHERE t.queue = $1 GROUP BY 1
                """, b) {
                let (s, n) = try row.decode((String, Int64).self)
                if let state = WorkClaim.State(rawValue: s) { counts.claims[state] = Int(n) }
            }
            return counts
        }
    }
}
