import Testing
@testable import SynprefTensor
import SynprefTestSupport

/// `BLAS.sgemm` cuts large products into slices of C run on our own threads: every element
/// of C is computed once, for every transpose combination, column and row slicing, and
/// leading dimensions wider than the matrices, and it is a GEMM (checked against a
/// double-precision sum). The slices agree with one call to f32 rounding, not always bit
/// for bit: some kernel sets (OpenBLAS's Haswell kernels) sum an element's k products in
/// another order when it sits at another position of a panel.
@Suite(.computeThreads) struct BLASSplitTests {
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func slicesEqualOneCall(trans: (Bool, Bool)) {
        let (ta, tb) = trans
        // (m, n, k): more columns than rows (column slices), then more rows (row slices);
        // both above splitMinimumMACs (2^24) and not multiples of the 64-wide panels.
        for (m, n, k) in [(130, 1000, 160), (1100, 150, 120)] {
            #expect(Double(m * n * k) >= BLAS.splitMinimumMACs)
            let pad = 3
            let lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad
            let a = Ref.random((ta ? k : m) * lda, seed: 11)
            let b = Ref.random((tb ? n : k) * ldb, seed: 12)
            let c0 = Ref.random(m * ldc, seed: 13)
            func run(_ parts: Int) -> [Float] {
                var c = c0
                BLAS.sgemm(splitInto: parts, transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                           b: b, ldb: ldb, beta: 0.25, c: &c, ldc: ldc)
                return c
            }
            let one = run(1)
            // Any two summation orders of k products differ by at most 2·k·2⁻²⁴·Σ|a||b|;
            // |a|, |b| < 1 here, so by less than 2·k·2⁻²⁴·k·0.5 (alpha) + the beta term.
            let bound = Float(2 * k) * 0x1p-24 * (Float(k) * 0.5 + 0.25) * 2
            for parts in [2, 3] {
                let sliced = run(parts)
                let off = zip(sliced, one).filter { abs($0 - $1) > bound }.count
                #expect(off == 0, "m \(m) n \(n) k \(k) transA \(ta) transB \(tb): \(parts) slices, \(off) elements beyond \(bound)")
                #expect(sliced[ldc - 1] == c0[ldc - 1])  // padding column untouched by every slice
            }
            // A few elements against the definition, including the padding left alone.
            for (i, j) in [(0, 0), (m - 1, n - 1), (m / 2, n / 3), (m - 1, 0)] {
                var want = 0.25 * Double(c0[i * ldc + j])
                for p in 0..<k {
                    let x = ta ? a[p * lda + i] : a[i * lda + p]
                    let y = tb ? b[j * ldb + p] : b[p * ldb + j]
                    want += 0.5 * Double(x) * Double(y)
                }
                #expect(abs(Double(one[i * ldc + j]) - want) < 1e-3, "C[\(i)][\(j)]")
            }
            #expect(one[ldc - 1] == c0[ldc - 1])  // padding column untouched
        }
    }
}
