import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `AnnotationStore`: accounts, sessions, annotation projects, and a worker's claims.
extension PostgresPreferenceStore {
    private var now: String { PostgresPreferenceStore.nowSQL }

    public func addUser(_ user: StoredUser) async throws {
        try StoredUser.check(name: user.name)
        var b = PostgresBindings()
        b.append(user.name)
        b.append(user.role.rawValue)
        b.append(user.passwordHash)
        b.append(user.disabled)
        let binds = b
        let added = try await transaction { conn in
            try await self.rows(conn, """
                INSERT INTO users (name, role, password_hash, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, \(self.now), \(self.now))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """, binds).count
        }
        if added == 0 {
            throw StoreError.invalidValue("user \"\(user.name)\" exists already; change them with `synpref users passwd` or `synpref users set`")
        }
    }

    public func updateUser(name: String, role: StoredUser.Role?, passwordHash: String?, disabled: Bool?) async throws {
        var b = PostgresBindings()
        b.append(role?.rawValue)
        b.append(passwordHash)
        b.append(disabled)
        b.append(name)
        let binds = b
        let n = try await transaction { conn in
            try await self.rows(conn, """
                UPDATE users SET role = COALESCE($1, role), password_hash = COALESCE($2, password_hash),
                    disabled = COALESCE($3, disabled), updated_at = \(self.now) WHERE name = $4 RETURNING name
                """, binds).count
        }
        if n == 0 { throw StoreError.invalidValue("no user \"\(name)\"; add them with `synpref users add`") }
    }

    public func user(name: String) async throws -> StoredUser? {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(name)
            return try await self.rows(conn, "SELECT name, role, password_hash, disabled, created_at FROM users WHERE name = $1", b)
                .first.map(Self.user)
        }
    }

    public func users() async throws -> [StoredUser] {
        try await withConnection { conn in
            try await self.rows(conn, "SELECT name, role, password_hash, disabled, created_at FROM users ORDER BY name").map(Self.user)
        }
    }

    private static func user(_ row: PostgresRow) throws -> StoredUser {
        let (name, roleName, hash, disabled, created) = try row.decode((String, String, String, Bool, Double).self)
        guard let role = StoredUser.Role(rawValue: roleName) else { throw StoreError.invalidValue("user role '\(roleName)'") }
        return StoredUser(name: name, role: role, passwordHash: hash, disabled: disabled, createdAt: Date(timeIntervalSince1970: created))
    }

    public func createSession(_ session: StoredSession) async throws {
        var b = PostgresBindings()
        b.append(session.tokenHash)
        b.append(session.user)
        b.append(session.csrf)
        b.append(session.createdAt.timeIntervalSince1970)
        b.append(session.expiresAt.timeIntervalSince1970)
        let binds = b
        try await transaction { conn in
            try await self.exec(conn, "DELETE FROM sessions WHERE expires_at < \(self.now)")
            try await self.exec(conn, "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", binds)
        }
    }

    public func session(tokenHash: String) async throws -> StoredSession? {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(tokenHash)
            return try await self.rows(conn, """
                SELECT token_hash, user_name, csrf, created_at, expires_at FROM sessions WHERE token_hash = $1 AND expires_at >= \(self.now)
                """, b).first.map { row in
                let (token, user, csrf, created, expires) = try row.decode((String, String, String, Double, Double).self)
                return StoredSession(tokenHash: token, user: user, csrf: csrf, createdAt: Date(timeIntervalSince1970: created),
                                     expiresAt: Date(timeIntervalSince1970: expires))
            }
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        var b = PostgresBindings()
        b.append(tokenHash)
        let binds = b
        try await transaction { conn in try await self.exec(conn, "DELETE FROM sessions WHERE token_hash = $1", binds) }
    }

    public func deleteSessions(user: String) async throws -> Int {
        var b = PostgresBindings()
        b.append(user)
        let binds = b
        return try await transaction { conn in
            try await self.rows(conn, "DELETE FROM sessions WHERE user_name = $1 RETURNING token_hash", binds).count
        }
    }

    public func saveAnnotationProject(name: String, settings: String) async throws {
        try StoredProjects.check(name: name)
        var b = PostgresBindings()
        b.append(name)
        b.append(settings)
        let binds = b
        try await transaction { conn in
            try await self.exec(conn, """
                INSERT INTO annotation_projects (name, settings, created_at, updated_at) VALUES ($1, $2, \(self.now), \(self.now))
                ON CONFLICT (name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
                """, binds)
        }
    }

    public func annotationProject(name: String) async throws -> String? {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(name)
            return try await self.rows(conn, "SELECT settings FROM annotation_projects WHERE name = $1", b).first?.decode(String.self)
        }
    }

    public func annotationProjectNames() async throws -> [String] {
        try await withConnection { conn in
            try await self.rows(conn, "SELECT name FROM annotation_projects ORDER BY name").map { try $0.decode(String.self) }
        }
    }

    public func held(queue: String, worker: String) async throws -> [WorkTask] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(worker)
            b.append(queue)
            return try await self.rows(conn, """
                SELECT t.id, t.queue, t.pair_id, t.kind, t.payload, t.required_workers, t.attempts, t.max_attempts, c.lease_expires_at
                FROM task_claims c JOIN tasks t ON t.id = c.task_id
                WHERE c.worker = $1 AND c.state = 'leased' AND c.lease_expires_at >= \(self.now) AND t.queue = $2
                ORDER BY t.id
                """, b).map { row in
                let (id, queue, pairID, kind, payload, required, attempts, maxAttempts, expires) =
                    try row.decode((Int64, String, Int64?, String, String, Int32, Int32, Int32, Double).self)
                return WorkTask(id: id, queue: queue, pairID: pairID, kind: kind, payload: payload, requiredWorkers: Int(required),
                                attempts: Int(attempts), maxAttempts: Int(maxAttempts), worker: worker, leaseExpiresAt: Date(timeIntervalSince1970: expires))
            }
        }
    }

    public func openTasks(queue: String, for worker: String) async throws -> Int {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(queue)
            b.append(worker)
            return Int(try await self.rows(conn, """
                SELECT count(*) FROM tasks t WHERE t.queue = $1 AND t.state IN ('pending', 'leased')
                  AND NOT EXISTS (SELECT 1 FROM task_claims c WHERE c.task_id = t.id AND c.worker = $2
                                  AND (c.state <> 'leased' OR c.lease_expires_at < \(self.now)))
                """, b).first?.decode(Int64.self) ?? 0)
        }
    }

    public func answers(queue: String, worker: String?) async throws -> [QueueAnswer] {
        try await withConnection { conn in
            var b = PostgresBindings()
            b.append(queue)
            b.append(worker)
            return try await self.rows(conn, """
                SELECT c.task_id, t.pair_id, c.worker, c.claimed_at, c.finished_at, c.result
                FROM task_claims c JOIN tasks t ON t.id = c.task_id
                WHERE t.queue = $1 AND c.state = 'done' AND ($2::text IS NULL OR c.worker = $2)
                ORDER BY c.finished_at, c.id
                """, b).map { row in
                let (task, pairID, worker, claimed, finished, result) = try row.decode((Int64, Int64?, String, Double, Double, String?).self)
                return QueueAnswer(taskID: task, pairID: pairID, worker: worker, claimedAt: Date(timeIntervalSince1970: claimed),
                                   finishedAt: Date(timeIntervalSince1970: finished), result: result)
            }
        }
    }
}
