import Foundation
import GRDB
import SynprefCore

/// The embedded store: one SQLite file in WAL mode through GRDB (`sqlite:./synpref.db`).
/// Its roles live in `+Pairs`, `+CurationLog` and `+WorkQueue`.
///
/// Many processes may open the same file: writes take SQLite's write lock up front
/// (`BEGIN IMMEDIATE`) and wait up to `busyTimeout` for it, so every write transaction —
/// a queue claim included — runs alone; that is the SQLite equivalent of PostgreSQL's
/// `FOR UPDATE SKIP LOCKED`. `synchronous = NORMAL` in WAL mode loses no committed
/// transaction when a process is killed (only on power loss may the last ones roll back).
public final class SQLitePreferenceStore: PreferenceStore {
    public let path: String
    private let pool: DatabasePool

    /// Opens (or creates) the store at `path` and brings its schema up to date.
    public convenience init(path: String, busyTimeout: TimeInterval = 60) throws {
        try self.init(path: path, busyTimeout: busyTimeout, schemaVersion: StoreSchema.version)
    }

    /// Opens the store with its schema brought up to `schemaVersion` (never down).
    init(path: String, busyTimeout: TimeInterval, schemaVersion: Int) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // 16 KiB pages for new files (an existing file keeps its own): a 1.4 KB pair
            // row shares fewer page headers and WAL frames, and bulk imports write in
            // fewer, larger pieces (about 20% faster than 4 KiB in benchmarks/data).
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Page cache: 64 MiB for the one writer (bulk imports rewrite index pages over
            // and over), 8 MiB for each reader (they mostly scan; the OS caches the file).
            // Each connection's cache fills up to its limit as the database grows, so the
            // readers' limit is what keeps a long judge or embedding run's memory small
            // (a 100k-pair judge run peaked at 201 MB with 64 MiB per reader, 89 MB with 8).
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = -65536")
            // Checkpoint every 16384 pages of WAL (256 MiB with 16 KiB pages; measured a
            // little faster than 64 MiB) instead of 1000: index pages rewritten by many
            // commits are copied into the database once per checkpoint, not once per commit.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try SQLitePreferenceStore.migrate(db, to: schemaVersion)
                    return .commit
                }
            }
        } catch let e as DatabaseError {
            throw StoreError.database("\(path): \(e.message ?? "\(e)")")
        }
    }

    /// Runs the schema steps the store is missing up to `target`.
    static func migrate(_ db: Database, to target: Int) throws {
        try db.execute(sql: StoreSchema.meta)
        let v = try String.fetchOne(db, sql: "SELECT value FROM synpref_meta WHERE key = 'schema_version'").flatMap { Int($0) } ?? 0
        if v > StoreSchema.version { throw StoreError.schemaTooNew(found: v, supported: StoreSchema.version) }
        guard v < target else { return }
        for step in StoreSchema.sqlite[v..<target] {
            for sql in step { try db.execute(sql: sql) }
        }
        try db.execute(sql: StoreSchema.setVersion(target))
    }

    static var now: Double { Date().timeIntervalSince1970 }

    /// Runs `body` in an IMMEDIATE transaction; database errors become `StoreError.database`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!  // set whenever inTransaction returns without throwing
            }
        } catch let e as DatabaseError {
            throw StoreError.database("\(path): \(e.message ?? "\(e)")")
        }
    }

    /// Runs `body` on a read-only snapshot; database errors become `StoreError.database`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let e as DatabaseError {
            throw StoreError.database("\(path): \(e.message ?? "\(e)")")
        }
    }

    public func close() async throws {
        try pool.close()
    }

    /// Runs raw SQL (tests use it to check what the schema refuses).
    func execute(rawSQL sql: String) async throws {
        try await write { db in try db.execute(sql: sql) }
    }
}
