import Foundation
import Logging
import PostgresNIO
import Synchronization
import SynprefCore

/// The shared store for many workers on many machines: PostgreSQL through postgres-nio
/// (`postgres://user[:password]@host[:port]/database[?schema=name&sslmode=require]`).
/// Its roles live in `+Pairs`, `+CurationLog` and `+WorkQueue`.
///
/// Same schema as the SQLite store (`StoreSchema`). Batches travel as arrays
/// (`unnest`) so an import chunk is one round trip; queue claims use
/// `FOR UPDATE SKIP LOCKED`; lease times come from the server clock, so workers on
/// machines with skewed clocks agree. `schema=name` keeps several datasets (or test runs)
/// apart in one database. Transactions that hit a deadlock, a serialization failure or a
/// unique-key race are retried (every write here is safe to repeat as a whole).
public final class PostgresPreferenceStore: PreferenceStore {
    public let url: String
    private let configuration: PostgresClient.Configuration
    private let pool: Mutex<Pool>
    private let logger: Logger

    /// A connection pool and the task that runs it.
    private final class Pool: Sendable {
        let client: PostgresClient
        let runner: Task<Void, Never>

        init(_ configuration: PostgresClient.Configuration, logger: Logger) {
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            self.client = client
            self.runner = Task { await client.run() }
        }
    }

    /// Connects to the store at `url` and brings its schema up to date.
    public convenience init(url: String) async throws {
        try await self.init(url: url, schemaVersion: StoreSchema.version)
    }

    /// Connects with the schema brought up to `schemaVersion` (never down).
    init(url: String, schemaVersion: Int) async throws {
        self.url = url
        let parsed = try PostgresURL(url)
        var config = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: parsed.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        if let schema = parsed.schema { config.options.additionalStartupParameters = [("search_path", schema)] }
        config.options.maximumConnections = 8
        let logger = Logger(label: "synpref.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        self.logger = logger
        self.configuration = config
        self.pool = Mutex(Pool(config, logger: logger))
        do {
            try await migrate(schema: parsed.schema, to: schemaVersion)
        } catch {
            pool.withLock { $0.runner.cancel() }
            throw error
        }
    }

    deinit { pool.withLock { $0.runner.cancel() } }

    public func close() async throws {
        pool.withLock { $0.runner.cancel() }
    }

    /// Whether `error` means the server closed or lost the connection under a request (a
    /// restart, a backend that crashed and took every connection of the server with it),
    /// rather than refusing the request itself.
    static func lostConnection(_ error: any Error) -> Bool {
        guard let e = error as? PSQLError else { return false }
        if e.code == .serverClosedConnection || e.code == .connectionError || e.code == .uncleanShutdown { return true }
        // admin_shutdown, crash_shutdown, cannot_connect_now (still recovering).
        if let state = e.serverInfo?[.sqlState] { return ["57P01", "57P02", "57P03"].contains(state) }
        return false
    }

    /// Runs `body` on the current pool. When the server lost the connection before any
    /// COMMIT (a restart, or a crashed backend, which takes every connection of the server
    /// with it), the pool is replaced by a new one and `body` runs again, up to twice, so
    /// a long job survives a database restart; then the error stands.
    private func onPool<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        var renewals = 0
        while true {
            let current = pool.withLock { $0 }
            do {
                return try await body(current.client)
            } catch where PostgresPreferenceStore.lostConnection(error) {
                // Replaced even when this call gives up, so the next request does not
                // depend on the old pool recovering from a connection the server closed.
                pool.withLock { p in
                    if p === current {
                        current.runner.cancel()
                        p = Pool(configuration, logger: logger)
                    }
                }
                guard renewals < 2 else { throw error }
                renewals += 1
                try await Task.sleep(nanoseconds: UInt64(renewals) * 500_000_000)
            }
        }
    }

    /// Runs raw SQL (tests use it to check what the schema refuses, and to drop their schema).
    func execute(rawSQL sql: String) async throws {
        try await transaction { conn in try await self.exec(conn, sql) }
    }

    /// Deadlock, serialization failure, unique violation (two claims by one worker racing).
    private static let retryableStates: Set<String> = ["40P01", "40001", "23505"]

    /// The server's message for an error, if it came from the server.
    static func describe(_ error: any Error) -> (message: String, sqlState: String?) {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                return ("\(info[.message] ?? "server error")\(info[.detail].map { " (\($0))" } ?? "")", info[.sqlState])
            }
            return ("\(e.code)", nil)
        }
        return ("\(error)", nil)
    }

    func mapError(_ error: any Error) -> any Error {
        if error is StoreError { return error }
        return StoreError.database("\(url): \(PostgresPreferenceStore.describe(error).message)")
    }

    /// Runs `body` in a transaction, retrying it whole on the `retryableStates` errors.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await onPool { client in
                    try await client.withConnection { conn in try await self.inTransaction(conn, body) }
                }
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

    /// BEGIN, `body`, COMMIT on one connection; ROLLBACK when `body` fails, unless the
    /// connection is gone (the server rolls back what it loses). postgres-nio's own
    /// `withTransaction` sends ROLLBACK whatever the error, and a ROLLBACK sent on a
    /// connection the server had just closed (its backend crashed) was seen never to
    /// return, leaving the caller waiting forever.
    private func inTransaction<T: Sendable>(_ conn: PostgresConnection,
                                            _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await exec(conn, "BEGIN")
        let value: T
        do {
            value = try await body(conn)
        } catch {
            if !PostgresPreferenceStore.lostConnection(error) { try? await exec(conn, "ROLLBACK") }
            throw error
        }
        do {
            try await exec(conn, "COMMIT")
        } catch where PostgresPreferenceStore.lostConnection(error) {
            // Not run again: the server may have committed before the connection went.
            throw StoreError.database("\(url): the connection was lost during COMMIT, so the transaction may or may not have been applied; run the command again (its writes are safe to repeat)")
        }
        return value
    }

    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await onPool { client in try await client.withConnection { conn in try await body(conn) } }
        } catch {
            throw mapError(error)
        }
    }

    func rows(_ conn: PostgresConnection, _ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws -> [PostgresRow] {
        var out: [PostgresRow] = []
        for try await row in try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) { out.append(row) }
        return out
    }

    func exec(_ conn: PostgresConnection, _ sql: String, _ binds: PostgresBindings = PostgresBindings()) async throws {
        _ = try await rows(conn, sql, binds)
    }

    /// Runs the schema steps the store is missing up to `target`, one migrator at a time
    /// across all workers.
    private func migrate(schema: String?, to target: Int) async throws {
        try await withConnection { conn in
            if let schema { try await self.exec(conn, "CREATE SCHEMA IF NOT EXISTS \"\(schema)\"") }
        }
        try await transaction { conn in
            try await self.exec(conn, "SELECT pg_advisory_xact_lock(7357011)")
            try await self.exec(conn, StoreSchema.meta)
            let found = try await self.rows(conn, "SELECT value FROM synpref_meta WHERE key = 'schema_version'")
            let v = try found.first.map { Int(try $0.decode(String.self)) ?? 0 } ?? 0
            if v > StoreSchema.version { throw StoreError.schemaTooNew(found: v, supported: StoreSchema.version) }
            guard v < target else { return }
            for step in StoreSchema.postgres[v..<target] {
                for sql in step { try await self.exec(conn, sql) }
            }
            try await self.exec(conn, StoreSchema.setVersion(target))
        }
    }

    /// The server's clock in Unix seconds.
    static let nowSQL = "extract(epoch from clock_timestamp())"
}
