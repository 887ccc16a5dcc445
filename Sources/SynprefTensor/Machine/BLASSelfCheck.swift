import CSynprefKernels

/// A small product computed with the BLAS and with plain double-precision loops, compared
/// element by element. Some OpenBLAS builds give wrong results on processors newer than
/// themselves; a library that fails this check is not used (`BLAS` falls back to
/// `synpref_sgemm_fallback`).
public struct BLASSelfCheck: Sendable {
    /// Whether every element agreed within its bound.
    public let passed: Bool
    /// The largest |BLAS − reference| / bound over all elements and cases (≤ 1 passes).
    public let worstRatio: Double
    /// The first failing case, for the warning ("transB m=67 n=131 k=257: C[3][40] = ...").
    public let failure: String?

    public typealias GEMM = (
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) -> Void

    /// Runs the check on `gemm`. Shapes are odd on purpose, so kernel edges (partial
    /// panels and tails) are exercised; all four transpose combinations and a nonzero
    /// beta are covered. About 20 M multiply-adds in the reference: a few milliseconds.
    public static func run(_ gemm: GEMM) -> BLASSelfCheck {
        var worst = 0.0
        for (transA, transB, m, n, k, beta) in [
            (false, false, 67, 131, 257, Float(0)), (false, true, 53, 97, 300, Float(0.5)),
            (true, false, 41, 75, 129, Float(0)), (true, true, 33, 65, 96, Float(1)),
        ] {
            var rng = UInt64(0x9E37_79B9_7F4A_7C15) &* UInt64(m * 1000 + n)
            func next() -> Float {
                rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int32(truncatingIfNeeded: rng >> 33)) / Float(1 << 31) * 2
            }
            let a = (0..<(m * k)).map { _ in next() }
            let b = (0..<(k * n)).map { _ in next() }
            let c0 = (0..<(m * n)).map { _ in next() }
            var got = c0, want = c0, absSum = [Float](repeating: 0, count: m * n)
            let (lda, ldb) = (transA ? m : k, transB ? k : n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    gemm(transA, transB, m, n, k, 1.25, a.baseAddress!, lda, b.baseAddress!, ldb, beta, &got, n)
                    synpref_sgemm_plain(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1.25, a.baseAddress!, lda,
                                        b.baseAddress!, ldb, beta, &want, n)
                    let absA = a.map(abs), absB = b.map(abs)
                    absA.withUnsafeBufferPointer { pa in
                        absB.withUnsafeBufferPointer { pb in
                            synpref_sgemm_plain(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1.25, pa.baseAddress!, lda,
                                                pb.baseAddress!, ldb, 0, &absSum, n)
                        }
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let idx = i * n + j
                    // Any summation order of k f32 products errs by at most about
                    // k·u·Σ|a||b| (u = 2^-24); twice that, plus the beta term's rounding.
                    let bound = 2 * Double(k + 2) * 0x1p-24 * (Double(absSum[idx]) + abs(Double(beta * c0[idx]))) + 1e-30
                    let ratio = got[idx].isFinite ? Double(abs(got[idx] - want[idx])) / bound : .infinity
                    if ratio > worst { worst = ratio }
                    if ratio > 1 {
                        let what = "\(transA ? "A^T" : "A")·\(transB ? "B^T" : "B") m=\(m) n=\(n) k=\(k): "
                            + "C[\(i)][\(j)] = \(got[idx]), expected \(want[idx])"
                        return BLASSelfCheck(passed: false, worstRatio: ratio, failure: what)
                    }
                }
            }
        }
        return BLASSelfCheck(passed: true, worstRatio: worst, failure: nil)
    }
}
