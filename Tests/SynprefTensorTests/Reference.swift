@testable import SynprefTensor
import CSynprefKernels
import Foundation

/// Naive double-precision references the kernels are checked against, and helpers.
enum Ref {
    /// Deterministic pseudo-random floats in [-scale, scale) (xorshift).
    static func random(_ n: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var x = seed &* 0x9E3779B97F4A7C15 | 1
        return (0..<n).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return (Float(x >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// Attention for one sequence: q [T, H*D], k/v [T, KV*D] -> [T, H*D].
    static func attention(q: [Float], k: [Float], v: [Float], t: Int, heads: Int, kvHeads: Int, d: Int, scale: Double, causal: Bool) -> [Float] {
        var out = [Float](repeating: 0, count: t * heads * d)
        for h in 0..<heads {
            let kh = h / (heads / kvHeads)
            for i in 0..<t {
                let last = causal ? i : t - 1
                var scores = [Double](repeating: 0, count: last + 1)
                for j in 0...last {
                    var s = 0.0
                    for e in 0..<d { s += Double(q[i * heads * d + h * d + e]) * Double(k[j * kvHeads * d + kh * d + e]) }
                    scores[j] = s * scale
                }
                let m = scores.max() ?? 0
                let ex = scores.map { exp($0 - m) }
                let z = ex.reduce(0, +)
                for e in 0..<d {
                    var a = 0.0
                    for j in 0...last { a += ex[j] / z * Double(v[j * kvHeads * d + kh * d + e]) }
                    out[i * heads * d + h * d + e] = Float(a)
                }
            }
        }
        return out
    }
}

