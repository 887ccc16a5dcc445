import Foundation
import SynprefCore
import Testing
@testable import SynprefData

/// The two store implementations every conformance test runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["SYNPREF_TEST_POSTGRES_URL"] ?? ""
        return url.isEmpty ? nil : url
    }

    /// SQLite always; PostgreSQL when a server is given, or when the test command demands
    /// it (`SYNPREF_REQUIRE_ASSETS=1`): then a missing server fails the tests.
    static var available: [StoreKind] {
        postgresURL != nil || SynprefAssets.required ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// The conformance tests take `StoreKind.available` as arguments, so without a server their
/// PostgreSQL cases are not listed at all; this test shows up as skipped in that case.
@Test(.enabled(if: StoreKind.available.contains(.postgres),
               "PostgreSQL store tests skipped: set SYNPREF_TEST_POSTGRES_URL or run scripts/test.sh"))
func postgresStoreTestsRun() async throws {
    try await withTestStore(.postgres) { _ in }
}

struct MissingPostgres: Error, CustomStringConvertible {
    var description: String {
        "SYNPREF_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh or scripts/with-postgres.sh (which start a throwaway PostgreSQL)"
    }
}

/// A fresh, empty store of one kind (a temporary SQLite file, or a new PostgreSQL schema),
/// and how to open more connections to the same one.
struct TestStore {
    let kind: StoreKind
    let url: String
    let store: any PreferenceStore
    let cleanup: @Sendable () async -> Void

    /// A new store; `schemaVersion` stops its schema at an older version (for migration tests).
    static func make(_ kind: StoreKind, schemaVersion: Int = StoreSchema.version) async throws -> TestStore {
        switch kind {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = "\(dir.path)/test.db"
            let store = try SQLitePreferenceStore(path: path, busyTimeout: 60, schemaVersion: schemaVersion)
            return TestStore(kind: kind, url: "sqlite:\(path)", store: store, cleanup: {
                try? await store.close()
                try? FileManager.default.removeItem(at: dir)
            })
        case .postgres:
            guard let base = StoreKind.postgresURL else { throw MissingPostgres() }
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
            let store = try await PostgresPreferenceStore(url: url, schemaVersion: schemaVersion)
            return TestStore(kind: kind, url: url, store: store, cleanup: {
                try? await store.execute(rawSQL: "DROP SCHEMA \(schema) CASCADE")
                try? await store.close()
            })
        }
    }

    func execute(rawSQL sql: String) async throws {
        if let s = store as? SQLitePreferenceStore { try await s.execute(rawSQL: sql) }
        if let s = store as? PostgresPreferenceStore { try await s.execute(rawSQL: sql) }
    }
}

/// Runs `body` with a fresh store and always cleans up.
func withTestStore(_ kind: StoreKind, schemaVersion: Int = StoreSchema.version, _ body: (TestStore) async throws -> Void) async throws {
    let t = try await TestStore.make(kind, schemaVersion: schemaVersion)
    do {
        try await body(t)
    } catch {
        await t.cleanup()
        throw error
    }
    await t.cleanup()
}

/// The ids of the pairs an insert stored as new, in order.
func insertedIDs(_ outcomes: [InsertOutcome]) -> [Int64] {
    outcomes.compactMap { if case .inserted(let id) = $0 { id } else { nil } }
}

func samplePair(_ i: Int, source: String = "test", turns: Int = 1) -> PreferencePair {
    var context: [Message] = []
    for t in 0..<turns {
        context.append(Message(role: .user, content: "Question \(i) turn \(t): what is \(i) + \(t)?"))
        if t < turns - 1 { context.append(Message(role: .assistant, content: "It is \(i + t).")) }
    }
    return PreferencePair(
        context: context, chosen: Message(role: .assistant, content: "The answer is \(i + turns - 1)."),
        rejected: Message(role: .assistant, content: "I don't know (\(i))."), source: source)
}

func prepared(_ pairs: [PreferencePair]) -> [PreparedPair] { pairs.map(PreparedPair.init) }

func temporaryFile(_ name: String, _ contents: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-\(UUID().uuidString)-\(name)")
    try Data(contents.utf8).write(to: url)
    return url
}

func fixture(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
        throw FixtureMissing(name: name)
    }
    return url
}

struct FixtureMissing: Error, CustomStringConvertible {
    var name: String
    var description: String { "fixture \(name) is missing from Tests/SynprefDataTests/Fixtures" }
}
