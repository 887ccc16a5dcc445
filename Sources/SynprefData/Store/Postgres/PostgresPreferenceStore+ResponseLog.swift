import Foundation
import Logging
import PostgresNIO
import SynprefCore

/// `ResponseLog`: judges' answers by request key; the first answer saved for a key stays.
extension PostgresPreferenceStore {
    public func responses(keys: [String]) async throws -> [String: StoredResponse] {
        guard !keys.isEmpty else { return [:] }
        return try await withConnection { conn in
            var b = PostgresBindings()
            b.append(Array(Set(keys)))
            var out: [String: StoredResponse] = [:]
            for row in try await self.rows(conn, """
                SELECT key, judge, content, prompt_tokens, completion_tokens, attempts FROM responses WHERE key = ANY($1::text[])
                """, b) {
                let (key, judge, content, p, c, a) = try row.decode((String, String, String, Int32, Int32, Int32).self)
                out[key] = StoredResponse(key: key, judge: judge, content: content, promptTokens: Int(p), completionTokens: Int(c), attempts: Int(a))
            }
            return out
        }
    }

    @discardableResult
    public func saveResponses(_ responses: [StoredResponse]) async throws -> Int {
        guard !responses.isEmpty else { return 0 }
        var b = PostgresBindings()
        b.append(responses.map(\.key))
        b.append(responses.map(\.judge))
        b.append(responses.map(\.content))
        b.append(responses.map(\.promptTokens))
        b.append(responses.map(\.completionTokens))
        b.append(responses.map(\.attempts))
        let binds = b
        return try await transaction { conn in
            try await self.rows(conn, """
                INSERT INTO responses (key, judge, content, prompt_tokens, completion_tokens, attempts, created_at)
                SELECT k, j, c, p, o, a, \(PostgresPreferenceStore.nowSQL)
                FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[]) AS x(k, j, c, p, o, a)
                ON CONFLICT (key) DO NOTHING
                RETURNING key
                """, binds).count
        }
    }

    public func responseCount() async throws -> Int {
        try await withConnection { conn in
            Int(try await self.rows(conn, "SELECT count(*) FROM responses").first?.decode(Int64.self) ?? 0)
        }
    }
}
