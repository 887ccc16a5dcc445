import Foundation
import SynprefCore
@testable import SynprefModels
import Testing
import SynprefTestSupport

/// `ScoringService`: many callers at once get their own scores, in their own order, equal
/// to scoring each sequence alone; a cancelled caller leaves the others undisturbed.
@Suite(.computeThreads) struct ScoringServiceTests {
    /// Token sequences of mixed lengths (1...300) for the tiny Qwen3 fixture (vocab 300).
    static func sequences(_ count: Int, seed: UInt64) -> [[Int]] {
        var x = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Int {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return Int(x >> 33)
        }
        return (0..<count).map { _ in (0..<(1 + next() % 300)).map { _ in next() % 300 } }
    }

    /// Packed with other callers' sequences, a sequence's score equals its score alone up to
    /// the BLAS kernels' f32 rounding (a row summed at another tile position), the same
    /// bound the packed-vs-alone parity test uses.
    static func agree(_ a: Float, _ b: Float) -> Bool { abs(a - b) <= 1e-5 * Swift.max(1, abs(b)) }

    @Test func concurrentCallersGetTheirOwnScoresInOrder() async throws {
        let model = try ParityFixtures.open("qwen3-gqa-f32", maxBatchTokens: 1024)
        let service = try ScoringService(model: model, options: .init(maxWait: .milliseconds(5)))
        // 64 callers, 1 to 4 sequences each.
        let work = (0..<64).map { c in Self.sequences(1 + c % 4, seed: UInt64(c + 1)) }
        let alone = try work.map { seqs in try seqs.map { try model.score(tokenSequences: [$0])[0] } }
        let got = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (c, seqs) in work.enumerated() {
                group.addTask {
                    (c, try await service.score(try seqs.map { try service.prepare(tokens: $0) }))
                }
            }
            var out = [[Float]](repeating: [], count: work.count)
            for try await (c, scores) in group { out[c] = scores }
            return out
        }
        for c in 0..<work.count {
            #expect(got[c].count == work[c].count)
            for (i, (g, a)) in zip(got[c], alone[c]).enumerated() {
                #expect(Self.agree(g, a), "caller \(c) sequence \(i): \(g) packed vs \(a) alone")
            }
        }
        let stats = service.statistics
        #expect(stats.sequences == work.reduce(0) { $0 + $1.count })
        #expect(stats.tokens == work.joined().reduce(0) { $0 + $1.count })
        // Callers were batched together: fewer forward passes than sequences.
        #expect(stats.forwardPasses < stats.sequences)
    }

    @Test func aCancelledCallerDoesNotDisturbTheOthers() async throws {
        let model = try ParityFixtures.open("qwen3-gqa-f32", maxBatchTokens: 256)
        let service = try ScoringService(model: model)
        let long = Self.sequences(40, seed: 99)
        let short = Self.sequences(3, seed: 7)
        let want = try short.map { try model.score(tokenSequences: [$0])[0] }
        let doomed = Task { try await service.score(try long.map { try service.prepare(tokens: $0) }) }
        let kept = Task { try await service.score(try short.map { try service.prepare(tokens: $0) }) }
        doomed.cancel()
        await #expect(throws: CancellationError.self) { _ = try await doomed.value }
        let scores = try await kept.value
        for (g, w) in zip(scores, want) { #expect(Self.agree(g, w)) }
        // The service still works after the cancellation.
        let again = try await service.score(try service.prepare(tokens: short[0]))
        #expect(Self.agree(again, want[0]))
    }

    @Test func badInputsFailAtPreparationNamingWhatIsWrong() throws {
        let service = try ScoringService(model: try ParityFixtures.open("qwen3-gqa-f32"))
        #expect(throws: ModelError.tokenOutOfRange(sequence: 0, position: 1, id: 300, vocabSize: 300)) {
            try service.prepare(tokens: [1, 300])
        }
        #expect(throws: ModelError.emptySequence(sequence: 0)) { try service.prepare(tokens: []) }
    }

    @Test func aShutDownServiceRefusesWork() async throws {
        let service = try ScoringService(model: try ParityFixtures.open("qwen3-gqa-f32"))
        let input = try service.prepare(tokens: [1, 2, 3])
        service.shutdown()
        await #expect(throws: ScoringError.shutDown) { _ = try await service.score(input) }
    }

    /// Token inputs are keyed by their ids and type ids; equal inputs share a key.
    @Test func tokenInputsHaveDistinctCacheKeys() throws {
        let service = try ScoringService(model: try ParityFixtures.open("qwen3-gqa-f32"))
        let a = try service.prepare(tokens: [1, 2, 3]), b = try service.prepare(tokens: [1, 2, 3])
        let c = try service.prepare(tokens: [1, 23])
        #expect(a.cacheKey == b.cacheKey && a.cacheKey != c.cacheKey)
        #expect(a.renderedText == nil && a.cacheKey.count == 64)
    }
}
