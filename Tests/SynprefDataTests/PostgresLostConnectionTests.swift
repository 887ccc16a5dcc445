import Foundation
import Synchronization
import Testing
@testable import SynprefData

/// The PostgreSQL store when the server drops a connection under a transaction (here the
/// backend ends itself with pg_terminate_backend, which closes only its own connection; a
/// crashed backend or a restart closes them all the same way for the client).
@Suite struct PostgresLostConnectionTests {
    @Test(.enabled(if: StoreKind.available.contains(.postgres), "needs PostgreSQL"))
    func aTransactionWhoseConnectionIsLostRunsAgainOnANewConnection() async throws {
        try await withTestStore(.postgres) { t in
            let s = try #require(t.store as? PostgresPreferenceStore)
            try await s.execute(rawSQL: "CREATE TABLE lost_conn (n INT)")
            let attempts = Mutex(0)
            let backends: [Int32] = try await s.transaction { conn in
                let attempt = attempts.withLock { $0 += 1; return $0 }
                try await s.exec(conn, "INSERT INTO lost_conn VALUES (\(attempt))")
                let pid = try await s.rows(conn, "SELECT pg_backend_pid()").first!.decode(Int32.self)
                if attempt == 1 { try await s.exec(conn, "SELECT pg_terminate_backend(pg_backend_pid())") }
                return [pid]
            }
            #expect(attempts.withLock { $0 } == 2)
            let rows = try await s.withConnection { conn in
                try await s.rows(conn, "SELECT n FROM lost_conn ORDER BY n").map { try $0.decode(Int32.self) }
            }
            // The first attempt was rolled back by the server; only the second one is stored.
            #expect(rows == [2])
            #expect(backends.count == 1)
            // The store keeps working afterwards.
            #expect(try await s.withConnection { conn in try await s.rows(conn, "SELECT 1").count } == 1)
        }
    }

    /// Before, postgres-nio's withTransaction sent ROLLBACK on the dead connection and
    /// that never returned; the time limit (generous: the whole suite runs in parallel on
    /// two cores) turns such a hang into a failure.
    @Test(.enabled(if: StoreKind.available.contains(.postgres), "needs PostgreSQL"), .timeLimit(.minutes(20)))
    func aConnectionLostOnEveryAttemptIsAnErrorNotAHang() async throws {
        try await withTestStore(.postgres) { t in
            let s = try #require(t.store as? PostgresPreferenceStore)
            let attempts = Mutex(0)
            await #expect(throws: StoreError.self) {
                try await s.transaction { conn in
                    attempts.withLock { $0 += 1 }
                    try await s.exec(conn, "SELECT pg_terminate_backend(pg_backend_pid())")
                }
            }
            // The first attempt and two on a new pool, then the error.
            #expect(attempts.withLock { $0 } == 3)
            #expect(try await s.withConnection { conn in try await s.rows(conn, "SELECT 1").count } == 1)
        }
    }
}
