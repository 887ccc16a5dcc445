import Foundation

/// McNemar's exact test for two classifiers judged on the same items (McNemar 1947; the
/// exact form is a two-sided binomial test on the discordant items): of the items exactly
/// one of them gets right, `b` only A gets right and `c` only B; under "equally accurate"
/// each discordant item is A's with probability ½, so
///
///     p = min(1, 2 · P(X ≤ min(b, c))),   X ~ Binomial(b + c, ½).
///
/// The paired test for "is curated data better than raw data on this held-out set": both
/// models see the same pairs, so only the pairs they disagree on carry information.
public struct McNemarTest: Sendable, Equatable {
    /// Items only A gets right, and only B.
    public var onlyA: Int
    public var onlyB: Int
    /// Two-sided p-value.
    public var p: Double

    /// The test on per-item correctness of A and B (same items, same order).
    public init(a: [Bool], b: [Bool]) {
        precondition(a.count == b.count, "McNemar's test needs the same items for both")
        var onlyA = 0, onlyB = 0
        for (x, y) in zip(a, b) where x != y {
            if x { onlyA += 1 } else { onlyB += 1 }
        }
        self.init(onlyA: onlyA, onlyB: onlyB)
    }

    public init(onlyA: Int, onlyB: Int) {
        self.onlyA = onlyA
        self.onlyB = onlyB
        let n = onlyA + onlyB
        guard n > 0 else {
            p = 1
            return
        }
        let k = min(onlyA, onlyB)
        // Σ_{i ≤ k} C(n, i) / 2^n, in log space so large n does not overflow.
        let logHalfN = Double(n) * log(0.5)
        var tail = 0.0
        for i in 0...k {
            tail += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) + logHalfN)
        }
        p = min(1, 2 * tail)
    }
}
