/// Opening a store by URL, as the command line does (`--store URL`).
public enum PreferenceStores {
    /// The embedded default.
    public static let defaultURL = "sqlite:./synpref.db"

    /// `sqlite:PATH` (also `sqlite://PATH`; the file is created if missing) or
    /// `postgres://user[:password]@host[:port]/database[?schema=name]`.
    public static func open(_ url: String) async throws -> any PreferenceStore {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await PostgresPreferenceStore(url: url)
        }
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw StoreError.badURL(url, reason: "no file path after 'sqlite:'") }
            return try SQLitePreferenceStore(path: path)
        }
        throw StoreError.badURL(url, reason: "unknown scheme")
    }
}
