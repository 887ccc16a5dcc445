import Testing
@testable import SynprefData

@Suite struct PreferenceStoresTests {
    @Test func storeURLsAreCheckedWithAHelpfulMessage() async {
        await #expect(throws: StoreError.self) { _ = try await PreferenceStores.open("mysql://x") }
        await #expect(throws: StoreError.self) { _ = try await PreferenceStores.open("sqlite:") }
        await #expect(throws: StoreError.self) { _ = try await PreferenceStores.open("postgres://h/db?schema=Bad-Name") }
        let e = StoreError.badURL("mysql://x", reason: "unknown scheme")
        #expect(e.description.contains("sqlite:PATH"))
    }
}
