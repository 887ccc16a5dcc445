import Foundation

/// The parts of a `postgres://` URL.
struct PostgresURL: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String?
    var schema: String?
    var requireTLS: Bool

    init(_ url: String) throws {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql" else {
            throw StoreError.badURL(url, reason: "not a postgres:// URL")
        }
        guard let host = c.host, !host.isEmpty else { throw StoreError.badURL(url, reason: "no host") }
        self.host = host
        port = c.port ?? 5432
        user = c.user ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = c.password
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = path.isEmpty ? nil : path
        let items = c.queryItems ?? []
        schema = items.first { $0.name == "schema" }?.value
        if let s = schema, s.isEmpty || !s.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) {
            throw StoreError.badURL(url, reason: "schema '\(s)' must be lower-case letters, digits and underscores")
        }
        let ssl = items.first { $0.name == "sslmode" }?.value ?? "disable"
        requireTLS = ssl == "require" || ssl == "verify-full" || ssl == "verify-ca"
    }
}
