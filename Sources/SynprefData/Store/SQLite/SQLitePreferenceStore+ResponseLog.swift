import Foundation
import GRDB
import SynprefCore

/// `ResponseLog`: judges' answers by request key; the first answer saved for a key stays.
extension SQLitePreferenceStore {
    public func responses(keys: [String]) async throws -> [String: StoredResponse] {
        try await read { db in
            var out: [String: StoredResponse] = [:]
            let stmt = try db.cachedStatement(sql: """
                SELECT judge, content, prompt_tokens, completion_tokens, attempts FROM responses WHERE key = ?
                """)
            for key in Set(keys) {
                if let row = try Row.fetchOne(stmt, arguments: [key]) {
                    out[key] = StoredResponse(key: key, judge: row[0], content: row[1], promptTokens: row[2], completionTokens: row[3], attempts: row[4])
                }
            }
            return out
        }
    }

    @discardableResult
    public func saveResponses(_ responses: [StoredResponse]) async throws -> Int {
        guard !responses.isEmpty else { return 0 }
        return try await write { db in
            let now = SQLitePreferenceStore.now
            let stmt = try db.cachedStatement(sql: """
                INSERT INTO responses (key, judge, content, prompt_tokens, completion_tokens, attempts, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING
                """)
            var added = 0
            for r in responses {
                try stmt.execute(arguments: [r.key, r.judge, r.content, r.promptTokens, r.completionTokens, r.attempts, now])
                added += db.changesCount
            }
            return added
        }
    }

    public func responseCount() async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM responses") ?? 0 }
    }
}
