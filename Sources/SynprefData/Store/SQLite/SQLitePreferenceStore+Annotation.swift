import Foundation
import GRDB
import SynprefCore

/// `AnnotationStore`: accounts, sessions, annotation projects, and a worker's claims.
extension SQLitePreferenceStore {
    public func addUser(_ user: StoredUser) async throws {
        try StoredUser.check(name: user.name)
        try await write { db in
            if try Int.fetchOne(db, sql: "SELECT 1 FROM users WHERE name = ?", arguments: [user.name]) != nil {
                throw StoreError.invalidValue("user \"\(user.name)\" exists already; change them with `synpref users passwd` or `synpref users set`")
            }
            let now = SQLitePreferenceStore.now
            try db.execute(sql: "INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [user.name, user.role.rawValue, user.passwordHash, user.disabled, now, now])
        }
    }

    public func updateUser(name: String, role: StoredUser.Role?, passwordHash: String?, disabled: Bool?) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE users SET role = COALESCE(?, role), password_hash = COALESCE(?, password_hash),
                    disabled = COALESCE(?, disabled), updated_at = ? WHERE name = ?
                """, arguments: [role?.rawValue, passwordHash, disabled, SQLitePreferenceStore.now, name])
            if db.changesCount == 0 { throw StoreError.invalidValue("no user \"\(name)\"; add them with `synpref users add`") }
        }
    }

    public func user(name: String) async throws -> StoredUser? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT name, role, password_hash, disabled, created_at FROM users WHERE name = ?", arguments: [name])
                .map(Self.user)
        }
    }

    public func users() async throws -> [StoredUser] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, role, password_hash, disabled, created_at FROM users ORDER BY name").map(Self.user)
        }
    }

    private static func user(_ row: Row) throws -> StoredUser {
        guard let role = StoredUser.Role(rawValue: row[1]) else { throw StoreError.invalidValue("user role '\(row[1] as String)'") }
        return StoredUser(name: row[0], role: role, passwordHash: row[2], disabled: row[3], createdAt: Date(timeIntervalSince1970: row[4]))
    }

    public func createSession(_ session: StoredSession) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [SQLitePreferenceStore.now])
            try db.execute(sql: "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [session.tokenHash, session.user, session.csrf, session.createdAt.timeIntervalSince1970,
                                       session.expiresAt.timeIntervalSince1970])
        }
    }

    public func session(tokenHash: String) async throws -> StoredSession? {
        try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT token_hash, user_name, csrf, created_at, expires_at FROM sessions WHERE token_hash = ? AND expires_at >= ?
                """, arguments: [tokenHash, SQLitePreferenceStore.now]).map { row in
                StoredSession(tokenHash: row[0], user: row[1], csrf: row[2], createdAt: Date(timeIntervalSince1970: row[3]),
                              expiresAt: Date(timeIntervalSince1970: row[4]))
            }
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    public func deleteSessions(user: String) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [user])
            return db.changesCount
        }
    }

    public func saveAnnotationProject(name: String, settings: String) async throws {
        try StoredProjects.check(name: name)
        try await write { db in
            let now = SQLitePreferenceStore.now
            try db.execute(sql: """
                INSERT INTO annotation_projects (name, settings, created_at, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
                """, arguments: [name, settings, now, now])
        }
    }

    public func annotationProject(name: String) async throws -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT settings FROM annotation_projects WHERE name = ?", arguments: [name]) }
    }

    public func annotationProjectNames() async throws -> [String] {
        try await read { db in try String.fetchAll(db, sql: "SELECT name FROM annotation_projects ORDER BY name") }
    }

    public func held(queue: String, worker: String) async throws -> [WorkTask] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT t.id, t.queue, t.pair_id, t.kind, t.payload, t.required_workers, t.attempts, t.max_attempts, c.lease_expires_at
                FROM task_claims c JOIN tasks t ON t.id = c.task_id
                WHERE c.worker = ? AND c.state = 'leased' AND c.lease_expires_at >= ? AND t.queue = ?
                ORDER BY t.id
                """, arguments: [worker, SQLitePreferenceStore.now, queue]).map { row in
                WorkTask(id: row[0], queue: row[1], pairID: row[2], kind: row[3], payload: row[4], requiredWorkers: row[5], attempts: row[6],
                         maxAttempts: row[7], worker: worker, leaseExpiresAt: Date(timeIntervalSince1970: row[8]))
            }
        }
    }

    public func openTasks(queue: String, for worker: String) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM tasks t WHERE t.queue = ?1 AND t.state IN ('pending', 'leased')
                  AND NOT EXISTS (SELECT 1 FROM task_claims c WHERE c.task_id = t.id AND c.worker = ?2
                                  AND (c.state <> 'leased' OR c.lease_expires_at < ?3))
                """, arguments: [queue, worker, SQLitePreferenceStore.now]) ?? 0
        }
    }

    public func answers(queue: String, worker: String?) async throws -> [QueueAnswer] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.task_id, t.pair_id, c.worker, c.claimed_at, c.finished_at, c.result
                FROM task_claims c JOIN tasks t ON t.id = c.task_id
                WHERE t.queue = ? AND c.state = 'done' AND (? IS NULL OR c.worker = ?)
                ORDER BY c.finished_at, c.id
                """, arguments: [queue, worker, worker]).map { row in
                QueueAnswer(taskID: row[0], pairID: row[1], worker: row[2], claimedAt: Date(timeIntervalSince1970: row[3]),
                            finishedAt: Date(timeIntervalSince1970: row[4]), result: row[5])
            }
        }
    }
}
