import Foundation
import SynprefCore
import Testing
import SynprefTestSupport
@testable import SynprefData

/// An import killed mid-way (SIGKILL, no chance to clean up) and re-run stores every pair
/// exactly once.
@Suite struct CrashSafetyTests {
    static let total = 8_000

    /// The `synpref-crash-harness` executable (Tests/SynprefCrashHarness), built next to the
    /// test runner by `swift build`.
    static func harness() throws -> URL {
        let name = "synpref-crash-harness"
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent(name)) }
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        candidates.append(arg0.deletingLastPathComponent().appendingPathComponent(name))
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        throw HarnessMissing(searched: candidates.map(\.path))
    }

    struct HarnessMissing: Error, CustomStringConvertible {
        var searched: [String]
        var description: String { "synpref-crash-harness was not found (looked at \(searched)); build it with `swift build`" }
    }

    static func writeInput() throws -> (URL, [ContentHash]) {
        var text = ""
        var hashes: [ContentHash] = []
        for i in 0..<total {
            let p = samplePair(i, turns: 1 + i % 3)
            hashes.append(p.contentHash)
            text += try #require(PreferenceFormat.trl.encoder()).encode(p) + "\n"
        }
        return (try temporaryFile("kill.jsonl", text), hashes)
    }

    @Test(arguments: StoreKind.available)
    func killedImportResumesWithoutDuplicatesOrLosses(kind: StoreKind) async throws {
        let binary = try CrashSafetyTests.harness()
        let (input, hashes) = try CrashSafetyTests.writeInput()
        defer { try? FileManager.default.removeItem(at: input) }
        try await withTestStore(kind) { t in
            try await CrashSafetyTests.killAndResume(binary: binary, input: input, hashes: hashes, t: t)
        }
    }

    static func killAndResume(binary: URL, input: URL, hashes: [ContentHash], t: TestStore) async throws {
        let child = Process()
        child.executableURL = binary
        // The harness imports in chunks of 200 and SIGKILLs itself right after its 5th chunk
        // commits: a kill mid-import, without depending on how loaded the machine is.
        child.arguments = [t.url, input.path, "kill", "200", "5"]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        await child.waitForExit()
        #expect(child.terminationReason == .uncaughtSignal, "the import was not killed")
        let atKill = try await t.store.count(tier: nil)
        #expect(atKill == 5 * 200, "killed with \(atKill) of \(total) pairs stored; expected the 5 committed chunks")
        #expect(atKill % 200 == 0, "only whole chunks are committed")

        // Re-run the same import: it stores exactly the missing pairs.
        let report = try await PreferenceImporter(store: t.store, options: ImportOptions(source: "kill", chunkSize: 200)).run([input.path])
        let c = try #require(report.sources["kill"])
        #expect(c.alreadyStored == atKill)
        #expect(c.inserted == total - atKill)
        #expect(c.duplicates == 0)
        #expect(try await t.store.count(tier: nil) == total)
        var found = 0
        for start in stride(from: 0, to: hashes.count, by: 2000) {
            found += try await t.store.pairIDs(for: Array(hashes[start..<min(hashes.count, start + 2000)])).count
        }
        #expect(found == total)
    }
}
