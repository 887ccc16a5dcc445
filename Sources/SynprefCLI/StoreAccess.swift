import SynprefData

/// Opens the store at `url`, runs `body` with it, and closes it whether or not `body` threw.
func withStore<T>(_ url: String, _ body: (any PreferenceStore) async throws -> T) async throws -> T {
    let store = try await PreferenceStores.open(url)
    let result: T
    do {
        result = try await body(store)
    } catch {
        try? await store.close()
        throw error
    }
    try await store.close()
    return result
}
