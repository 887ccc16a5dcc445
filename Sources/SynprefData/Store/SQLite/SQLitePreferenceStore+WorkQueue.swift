import Foundation
import GRDB
import SynprefCore

/// `WorkQueue`: tasks with one claim per (task, worker). Every operation is one IMMEDIATE
/// transaction, so claims run one at a time under SQLite's write lock and never race.
extension SQLitePreferenceStore {
    public func enqueue(_ tasks: [NewTask], queue: String) async throws -> [Int64] {
        try await write { db in
            let now = SQLitePreferenceStore.now
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO tasks (queue, pair_id, kind, payload, required_workers, max_attempts, task_key, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (queue, task_key) WHERE task_key IS NOT NULL DO NOTHING
                RETURNING id
                """)
            let existing = try db.cachedStatement(sql: "SELECT id FROM tasks WHERE queue = ? AND task_key = ?")
            return try tasks.map { t in
                stmt.setUncheckedArguments([queue, t.pairID, t.kind, t.payload, max(1, t.requiredWorkers), max(1, t.maxAttempts), t.key, now, now])
                if let id = try Int64.fetchOne(stmt) { return id }
                guard let key = t.key, let id = try Int64.fetchOne(existing, arguments: [queue, key]) else {
                    throw StoreError.database("task insert returned no id")
                }
                return id
            }
        }
    }

    public func claim(queue: String, worker: String, limit: Int, lease: TimeInterval, filter: ClaimFilter) async throws -> [WorkTask] {
        try WorkQueueRequest.check(worker: worker, lease: lease)
        if WorkQueueRequest.matchesNothing(limit: limit, filter: filter) { return [] }
        return try await write { db in
            let now = SQLitePreferenceStore.now
            let expires = now + lease
            try SQLitePreferenceStore.expireLeases(db, queue: queue, now: now)
            var sql = """
                SELECT id FROM tasks t
                WHERE t.queue = ? AND t.state = 'pending'
                  AND NOT EXISTS (SELECT 1 FROM task_claims c WHERE c.task_id = t.id AND c.worker = ?)
                """
            var args: [(any DatabaseValueConvertible)?] = [queue, worker]
            if let ids = filter.pairIDs {
                // One JSON array argument, however many ids (SQLite limits bound parameters).
                sql += " AND t.pair_id IN (SELECT value FROM json_each(?))"
                args.append("[" + ids.map { String($0) }.joined(separator: ",") + "]")
            }
            if let kinds = filter.kinds {
                sql += " AND t.kind IN (" + Array(repeating: "?", count: kinds.count).joined(separator: ",") + ")"
                args += kinds.map { $0 as (any DatabaseValueConvertible)? }
            }
            sql += " ORDER BY t.id LIMIT ?"
            args.append(limit)
            let picked = try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            let take = try db.cachedStatement(sql: """
                UPDATE tasks SET held = held + 1, attempts = attempts + 1, state = \(StoreSchema.taskState(held: "held + 1")), updated_at = ?
                WHERE id = ?
                RETURNING id, queue, pair_id, kind, payload, required_workers, attempts, max_attempts
                """)
            let record = try db.cachedStatement(sql: """
                INSERT INTO task_claims (task_id, worker, state, attempt, claimed_at, lease_expires_at) VALUES (?, ?, 'leased', ?, ?, ?)
                """)
            return try picked.map { id in
                guard let row = try Row.fetchOne(take, arguments: [now, id]) else { throw StoreError.database("task \(id) vanished while being claimed") }
                let attempts: Int = row[6]
                try record.execute(arguments: [id, worker, attempts, now, expires])
                return WorkTask(id: row[0], queue: row[1], pairID: row[2], kind: row[3], payload: row[4], requiredWorkers: row[5],
                                attempts: attempts, maxAttempts: row[7], worker: worker, leaseExpiresAt: Date(timeIntervalSince1970: expires))
            }
        }
    }

    /// Marks the leased claims of `queue` whose lease ran out as expired, and gives their
    /// slots back to their tasks (each counts as a failed attempt).
    static func expireLeases(_ db: Database, queue: String, now: Double) throws {
        let expired = try Int64.fetchAll(db, sql: """
            UPDATE task_claims SET state = 'expired', finished_at = ?1, error = 'lease expired'
            WHERE state = 'leased' AND lease_expires_at < ?1
              AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = task_claims.task_id AND t.queue = ?2)
            RETURNING task_id
            """, arguments: [now, queue])
        guard !expired.isEmpty else { return }
        var perTask: [Int64: Int] = [:]
        for id in expired { perTask[id, default: 0] += 1 }
        let free = try db.cachedStatement(sql: """
            UPDATE tasks SET held = held - ?1, failures = failures + ?1,
                state = \(StoreSchema.taskState(held: "held - ?1", failures: "failures + ?1")),
                last_error = 'lease expired', updated_at = ?2
            WHERE id = ?3
            """)
        for (id, n) in perTask.sorted(by: { $0.key < $1.key }) { try free.execute(arguments: [n, now, id]) }
    }

    public func renew(_ taskIDs: [Int64], worker: String, lease: TimeInterval) async throws -> [Int64] {
        try WorkQueueRequest.check(worker: worker, lease: lease)
        return try await write { db in
            let now = SQLitePreferenceStore.now
            let stmt = try db.cachedStatement(sql: """
                UPDATE task_claims SET lease_expires_at = ?1
                WHERE task_id = ?2 AND worker = ?3 AND state = 'leased' AND lease_expires_at >= ?4
                """)
            var held: [Int64] = []
            for id in taskIDs {
                try stmt.execute(arguments: [now + lease, id, worker, now])
                if db.changesCount == 1 { held.append(id) }
            }
            return held
        }
    }

    public func complete(_ taskID: Int64, worker: String, result: String?) async throws {
        let held = try await write { db in
            try SQLitePreferenceStore.complete(db, TaskCompletion(taskID: taskID, worker: worker, result: result), now: SQLitePreferenceStore.now)
        }
        if !held { throw StoreError.leaseLost(taskID: taskID, worker: worker) }
    }

    /// Completes a live claim inside the caller's transaction; false if the worker holds none.
    static func complete(_ db: Database, _ c: TaskCompletion, now: Double) throws -> Bool {
        try db.execute(sql: """
            UPDATE task_claims SET state = 'done', result = ?1, finished_at = ?2
            WHERE task_id = ?3 AND worker = ?4 AND state = 'leased' AND lease_expires_at >= ?2
            """, arguments: [c.result, now, c.taskID, c.worker])
        guard db.changesCount == 1 else { return false }
        try db.execute(sql: """
            UPDATE tasks SET completed = completed + 1, held = held - 1,
                state = \(StoreSchema.taskState(completed: "completed + 1", held: "held - 1")), updated_at = ?1
            WHERE id = ?2
            """, arguments: [now, c.taskID])
        return true
    }

    public func release(_ taskID: Int64, worker: String, error: String, retry: Bool) async throws {
        let held = try await write { db in
            let now = SQLitePreferenceStore.now
            try db.execute(sql: """
                UPDATE task_claims SET state = 'released', error = ?1, finished_at = ?2
                WHERE task_id = ?3 AND worker = ?4 AND state = 'leased' AND lease_expires_at >= ?2
                """, arguments: [error, now, taskID, worker])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: """
                UPDATE tasks SET held = held - 1, failures = failures + 1,
                    state = CASE WHEN ?1 THEN \(StoreSchema.taskState(held: "held - 1", failures: "failures + 1"))
                                 WHEN state = 'done' THEN state ELSE 'failed' END,
                    last_error = ?2, updated_at = ?3
                WHERE id = ?4
                """, arguments: [retry, error, now, taskID])
            return true
        }
        if !held { throw StoreError.leaseLost(taskID: taskID, worker: worker) }
    }

    public func claims(taskID: Int64) async throws -> [WorkClaim] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT task_id, worker, CASE WHEN state = 'leased' AND lease_expires_at < ?1 THEN 'expired' ELSE state END,
                       attempt, claimed_at, lease_expires_at, finished_at, result, error
                FROM task_claims WHERE task_id = ?2 ORDER BY id
                """, arguments: [SQLitePreferenceStore.now, taskID]).map { row in
                guard let state = WorkClaim.State(rawValue: row[2]) else { throw StoreError.invalidValue("claim state '\(row[2] as String)'") }
                return WorkClaim(taskID: row[0], worker: row[1], state: state, attempt: row[3], claimedAt: Date(timeIntervalSince1970: row[4]),
                                 leaseExpiresAt: Date(timeIntervalSince1970: row[5]), finishedAt: (row[6] as Double?).map(Date.init(timeIntervalSince1970:)),
                                 result: row[7], error: row[8])
            }
        }
    }

    public func task(id: Int64) async throws -> QueuedTask? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT queue, pair_id, kind, payload, state FROM tasks WHERE id = ?", arguments: [id]) else { return nil }
            guard let state = WorkTask.State(rawValue: row[4]) else { throw StoreError.invalidValue("task state '\(row[4] as String)'") }
            return QueuedTask(id: id, queue: row[0], pairID: row[1], kind: row[2], payload: row[3], state: state)
        }
    }

    public func queueCounts(queue: String) async throws -> QueueCounts {
        try await read { db in
            let now = SQLitePreferenceStore.now
            var counts = QueueCounts()
            // Open tasks whose leases ran out are counted as the next claim will find them.
            let live = "(SELECT count(*) FROM task_claims c WHERE c.task_id = t.id AND c.state = 'leased' AND c.lease_expires_at >= ?1)"
            for row in try Row.fetchAll(db, sql: """
                SELECT CASE WHEN t.held = 0 THEN t.state
                            ELSE \(StoreSchema.taskState(held: live, failures: "failures + held - \(live)")) END,
                       count(*)
                FROM tasks t WHERE t.queue = ?2 GROUP BY 1
                """, arguments: [now, queue]) {
                if let s = WorkTask.State(rawValue: row[0]) { counts.tasks[s] = row[1] }
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT CASE WHEN c.state = 'leased' AND c.lease_expires_at < ?1 THEN 'expired' ELSE c.state END, count(*)
                FROM task_claims c JOIN tasks t ON t.id = c.task_id WHERE t.queue = ?2 GROUP BY 1
                """, arguments: [now, queue]) {
                if let s = WorkClaim.State(rawValue: row[0]) { counts.claims[s] = row[1] }
            }
            return counts
        }
    }
}
