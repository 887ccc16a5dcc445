import Testing
@testable import SynprefEval

@Suite("Best-of-K closed form")
struct BestOfKTests {
    /// Brute force: enumerate every K-subset; within it, average the truth over the responses
    /// tied at the subset's top score (uniform tie-breaking); average over subsets.
    static func bruteForce(scores: [Double], truths: [Double], k: Int) -> Double {
        let n = scores.count
        var total = 0.0
        var subsets = 0
        func visit(_ start: Int, _ chosen: [Int]) {
            if chosen.count == k {
                let top = chosen.map { scores[$0] }.max() ?? 0
                let tied = chosen.filter { scores[$0] == top }
                total += tied.map { truths[$0] }.reduce(0, +) / Double(tied.count)
                subsets += 1
                return
            }
            guard start < n else { return }
            for i in start..<n { visit(i + 1, chosen + [i]) }
        }
        visit(0, [])
        return total / Double(subsets)
    }

    @Test("K = 1 is the mean truth; K = N picks the top group")
    func endpoints() {
        // Truths 1,0,0,1 → mean 0.5. Top score 0.9 belongs to response 0 (truth 1).
        let scores = [0.9, 0.1, 0.5, 0.3]
        let truths = [1.0, 0, 0, 1]
        #expect(BestOfK.expected(scores: scores, truths: truths, k: 1) == 0.5)
        #expect(BestOfK.expected(scores: scores, truths: truths, k: 4) == 1)
    }

    @Test("a hand-derived K = 2 value with distinct scores")
    func handDerived() throws {
        // Scores 3 > 2 > 1 with truths 0, 1, 1. The 3 pairs: {3,2}→0, {3,1}→0, {2,1}→1 → 1/3.
        let v = try #require(BestOfK.expected(scores: [3, 2, 1], truths: [0, 1, 1], k: 2))
        #expect(abs(v - 1.0 / 3) < 1e-15)
    }

    @Test("ties at the top share the pick uniformly")
    func ties() throws {
        // All scores equal: every draw is a uniform pick among its K, so the value is the mean
        // truth (2/3) for every K.
        for k in 1...3 {
            let v = try #require(BestOfK.expected(scores: [1, 1, 1], truths: [1, 1, 0], k: k))
            #expect(abs(v - 2.0 / 3) < 1e-15)
        }
        // Scores 2,2,1 truths 1,0,1, K = 2: {a,b} → (1+0)/2, {a,c} → 1, {b,c} → 0: mean 1/2.
        let v = try #require(BestOfK.expected(scores: [2, 2, 1], truths: [1, 0, 1], k: 2))
        #expect(abs(v - 0.5) < 1e-15)
    }

    @Test("matches brute-force enumeration on small random cases")
    func bruteForceAgreement() {
        var rng = SplitMix(seed: 7)
        for trial in 0..<200 {
            let n = 1 + trial % 9
            // Few distinct score values so ties are common; truths in {0, 0.5, 1}.
            let scores = (0..<n).map { _ in Double(rng.next() % 4) }
            let truths = (0..<n).map { _ in Double(rng.next() % 3) / 2 }
            for k in 1...n {
                let closed = BestOfK.expected(scores: scores, truths: truths, k: k) ?? .nan
                let brute = BestOfKTests.bruteForce(scores: scores, truths: truths, k: k)
                #expect(abs(closed - brute) < 1e-12, "n=\(n) k=\(k) scores=\(scores) truths=\(truths)")
            }
        }
    }

    @Test("K outside 1...N has no value")
    func outOfRange() {
        #expect(BestOfK.expected(scores: [1, 2], truths: [0, 1], k: 0) == nil)
        #expect(BestOfK.expected(scores: [1, 2], truths: [0, 1], k: 3) == nil)
        #expect(BestOfK.curve(scores: [1, 2], truths: [0, 1], maxK: 32).count == 2)
    }
}

/// A small deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
