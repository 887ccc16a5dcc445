import Foundation
import SynprefCore
@testable import SynprefModels
import Testing
import SynprefTestSupport

/// The persistent score cache: entries per fingerprint, durable appends, torn lines.
@Suite(.computeThreads) struct ScoreCacheTests {
    /// A temporary folder removed when the test ends.
    final class ScratchFolder {
        let path: String
        init() throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-cache-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        func write(_ name: String, _ text: String) throws -> String {
            let file = path + "/" + name
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test("the cache persists entries per fingerprint across openings")
    func cachePersists() async throws {
        let scratch = try ScratchFolder()
        let path = scratch.path + "/cache/scores.jsonl"
        let first = try ScoreCache(path: path, fingerprint: "model-A")
        try await first.store([("k1", 1.25), ("k2", -3)])
        await first.close()
        let other = try ScoreCache(path: path, fingerprint: "model-B")
        #expect(await other.count == 0)
        try await other.store([("k1", 9)])
        await other.close()
        let again = try ScoreCache(path: path, fingerprint: "model-A")
        let k1 = await again.lookup("k1"), k2 = await again.lookup("k2")
        #expect(k1 == 1.25 && k2 == -3)
    }

    @Test("a torn last line is dropped and overwritten; a bad line elsewhere is corruption")
    func cacheTornLine() async throws {
        let scratch = try ScratchFolder()
        let good = #"{"fp":"m","key":"k1","score":1}"#
        let path = try scratch.write("c.jsonl", good + "\n" + #"{"fp":"m","key":"k2","sco"#)
        let cache = try ScoreCache(path: path, fingerprint: "m")
        #expect(await cache.count == 1)
        try await cache.store([("k3", 3)])
        await cache.close()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == good + "\n" + #"{"fp":"m","key":"k3","score":3.0}"# + "\n")
        let corrupt = try scratch.write("d.jsonl", "garbage\n" + good + "\n")
        #expect(throws: ScoreCacheError.corrupt(path: corrupt, line: 1, reason: "not a cache entry")) {
            _ = try ScoreCache(path: corrupt, fingerprint: "m")
        }
        #expect(ScoreCacheError.corrupt(path: corrupt, line: 1, reason: "x").description.contains("Delete the file"))
        // A complete last line without its newline is kept, and the next entry starts a new line.
        let unterminated = try scratch.write("e.jsonl", good)
        let c2 = try ScoreCache(path: unterminated, fingerprint: "m")
        try await c2.store([("k4", 4)])
        await c2.close()
        #expect(try String(contentsOfFile: unterminated, encoding: .utf8) == good + "\n" + #"{"fp":"m","key":"k4","score":4.0}"# + "\n")
    }


    /// Blank lines (spaces, tabs, CR) between entries are skipped, not corruption.
    @Test func blankLinesAreSkipped() async throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("b.jsonl", #"{"fp":"m","key":"k1","score":1}"# + "\n \t\r\n" + #"{"fp":"m","key":"k2","score":2}"# + "\n")
        let cache = try ScoreCache(path: path, fingerprint: "m")
        #expect(await cache.count == 2)
    }

    /// The cached-scoring wrapper refuses a cache opened for another model.
    @Test func cachedScoringChecksTheFingerprint() throws {
        let model = try RewardModel.open(ParityFixtures.folder("qwen3-gqa-f32").path)
        let service = try ScoringService(model: model)
        let scratch = try ScratchFolder()
        let other = try ScoreCache(path: scratch.path + "/x.jsonl", fingerprint: "another model")
        #expect(throws: ScoreCacheError.self) { _ = try CachedScoring(service: service, cache: other) }
    }

    /// Inputs scored once are served from the cache afterwards, with the same value.
    @Test func cachedScoringScoresEachInputOnce() async throws {
        let model = try RewardModel.open(ParityFixtures.folder("qwen3-gqa-f32").path)
        let service = try ScoringService(model: model)
        let scratch = try ScratchFolder()
        let cache = try ScoreCache(path: scratch.path + "/c.jsonl", fingerprint: service.fingerprint)
        let cached = try CachedScoring(service: service, cache: cache)
        let inputs = try [[1, 2, 3], [4, 5], [1, 2, 3]].map { try service.prepare(tokens: $0) }
        let first = try await cached.score(Array(inputs.prefix(2)))
        #expect(first.map(\.cached) == [false, false])
        let second = try await cached.score(inputs)
        #expect(second.map(\.cached) == [true, true, true])
        #expect(second.map(\.score) == [first[0].score, first[1].score, first[0].score])
        #expect(service.statistics.sequences == 2)
    }
}
