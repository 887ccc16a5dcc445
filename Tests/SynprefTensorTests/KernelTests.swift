import Testing
import Foundation
@testable import SynprefTensor
import CSynprefKernels
import SynprefTestSupport

@Suite(.computeThreads) struct KernelTests {
    @Test func bf16AndF16WidenExactly() {
        // bf16 is the top half of an f32: 0x3F80 -> 1.0, 0xC040 -> -3.0, 0x7F80 -> +inf.
        let bf: [UInt16] = [0x3F80, 0xC040, 0x7F80, 0x0000, 0x3E00] + [UInt16](repeating: 0x4000, count: 17)
        var out = [Float](repeating: 0, count: bf.count)
        withEveryKernelPath { _ in
            synpref_bf16_to_f32(bf, &out, bf.count)
            #expect(Array(out[0..<5]) == [1.0, -3.0, .infinity, 0.0, 0.125])
            #expect(out[5...].allSatisfy { $0 == 2.0 })
        }
        // IEEE half: 0x3C00 = 1, 0xC000 = -2, 0x0001 = 2^-24 (smallest subnormal),
        // 0x7BFF = 65504 (largest finite), 0x7C00 = inf, 0x3555 = 0.333251953125.
        let h: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF, 0x7C00, 0x3555, 0x8000, 0x0200, 0x3C00]
        var hf = [Float](repeating: 0, count: h.count)
        withEveryKernelPath { _ in
            synpref_f16_to_f32(h, &hf, h.count)
            #expect(hf[0] == 1 && hf[1] == -2 && hf[2] == powf(2, -24) && hf[3] == 65504)
            #expect(hf[4] == .infinity && hf[5] == 0.333251953125 && hf[6] == 0 && hf[6].sign == .minus)
            #expect(hf[7] == powf(2, -15) && hf[8] == 1) // 0x0200: subnormal 512 * 2^-24
        }
    }

    /// GELU (erf form) against a double-precision reference: within 1e-6 absolute (plus
    /// 2e-7 relative) everywhere, including the far tails, on both kernel paths.
    @Test func geluMatchesDoublePrecision() {
        let x = Ref.random(2000, seed: 5, scale: 12) + [0, -0.0, 1e-8, -1e-8, -20, 20, -40, 40]
        withEveryKernelPath { path in
            var y = x
            synpref_gelu_erf(&y, y.count)
            for (a, b) in zip(y, x) {
                let want = 0.5 * Double(b) * (1 + Foundation.erf(Double(b) / 2.0.squareRoot()))
                #expect(abs(Double(a) - want) <= 1e-6 + 2e-7 * abs(want), "\(path) gelu(\(b)) = \(a), want \(want)")
            }
        }
    }

    @Test func expSiluSoftmaxMatchLibm() {
        let x = Ref.random(1000, seed: 1, scale: 30) + [-100, -88, 0, 88, 100]
        withEveryKernelPath { path in
            var e = x
            synpref_exp(&e, e.count)
            for (a, b) in zip(e, x) {
                let want = Foundation.exp(Double(b))
                if want > Double(Float.greatestFiniteMagnitude) { #expect(a == .infinity, "\(path) exp(\(b))"); continue }
                #expect(abs(Double(a) - want) <= 3e-7 * want + 1e-37, "\(path) exp(\(b)) = \(a), want \(want)")
            }
            let g = Ref.random(37, seed: 2, scale: 8), u = Ref.random(37, seed: 3)
            var o = [Float](repeating: 0, count: 37)
            synpref_silu_mul(&o, g, u, 37)
            for i in 0..<37 {
                let want = Double(g[i]) / (1 + Foundation.exp(-Double(g[i]))) * Double(u[i])
                #expect(abs(Double(o[i]) - want) < 1e-6, "\(path) silu")
            }
            var s = Ref.random(3 * 21, seed: 4, scale: 5)
            let s0 = s
            synpref_softmax_rows(&s, 21, 3, 21)
            for r in 0..<3 {
                let row = s0[(r * 21)..<(r * 21 + 21)].map(Double.init)
                let m = row.max() ?? 0
                let z = row.map { Foundation.exp($0 - m) }.reduce(0, +)
                for j in 0..<21 { #expect(abs(Double(s[r * 21 + j]) - Foundation.exp(row[j] - m) / z) < 1e-6) }
            }
        }
    }

    @Test func normsMatchDoublePrecision() {
        let rows = 5, dim = 67
        let x = Ref.random(rows * dim, seed: 5, scale: 3), w = Ref.random(dim, seed: 6), b = Ref.random(dim, seed: 7)
        withEveryKernelPath { path in
            var o = [Float](repeating: 0, count: rows * dim)
            synpref_rmsnorm(&o, dim, x, dim, w, rows, dim, 1e-6)
            var l = [Float](repeating: 0, count: rows * dim)
            synpref_layernorm(&l, dim, x, dim, w, b, rows, dim, 1e-12)
            for r in 0..<rows {
                let row = x[(r * dim)..<(r * dim + dim)].map(Double.init)
                let rms = 1 / (row.map { $0 * $0 }.reduce(0, +) / Double(dim) + 1e-6).squareRoot()
                let mean = row.reduce(0, +) / Double(dim)
                let std = 1 / (row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(dim) + 1e-12).squareRoot()
                for i in 0..<dim {
                    #expect(abs(Double(o[r * dim + i]) - row[i] * rms * Double(w[i])) < 1e-5, "\(path) rmsnorm")
                    #expect(abs(Double(l[r * dim + i]) - ((row[i] - mean) * std * Double(w[i]) + Double(b[i]))) < 1e-5, "\(path) layernorm")
                }
            }
        }
    }

    @Test func ropeRotatesHalves() {
        // One head of dim 4 at angle θ: (x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin).
        var x: [Float] = [1, 2, 3, 4, 1, 2, 3, 4]
        let c: [Float] = [0, 1], s: [Float] = [1, 0] // pair 0 rotated by 90°, pair 1 by 0°
        withEveryKernelPath { _ in
            var y = x
            synpref_rope(&y, 8, 1, 2, 4, c, s)
            #expect(y == [-3, 2, 1, 4, -3, 2, 1, 4])
        }
        x[0] = 0
    }

    @Test(arguments: [(1, 8), (5, 12), (63, 16), (64, 64), (65, 64), (200, 24)])
    func attentionBlockMatchesNaive(t: Int, d: Int) {
        let heads = 4, kvHeads = 2
        let q = Ref.random(t * heads * d, seed: 11, scale: 2), k = Ref.random(t * kvHeads * d, seed: 12, scale: 2)
        let v = Ref.random(t * kvHeads * d, seed: 13)
        let ctx = ComputeContext(threads: 2)
        for causal in [true, false] {
            let want = Ref.attention(q: q, k: k, v: v, t: t, heads: heads, kvHeads: kvHeads, d: d, scale: 1 / Double(d).squareRoot(), causal: causal)
            withEveryKernelPath { path in
                let out = attention(q, k, v, t: t, heads: heads, kvHeads: kvHeads, d: d, causal: causal, ctx: ctx)
                #expect(Ref.maxAbsDiff(out, want) < 2e-6, "\(path) t=\(t) d=\(d) causal=\(causal)")
            }
        }
    }

    /// The AVX-512 tile kernels do, for each output element, the same operations in the
    /// same order as the AVX2 ones (a zero or rescaled start, then one FMA per element of
    /// the sum), so on one machine both paths give the same bits. Without AVX-512 both runs
    /// take the AVX2 path.
    @Test(arguments: [(5, 24), (63, 32), (130, 48), (200, 64), (97, 128)])
    func attentionWidestAndAVX2PathsGiveTheSameBits(t: Int, d: Int) {
        let heads = 4, kvHeads = 2
        let q = Ref.random(t * heads * d, seed: 21, scale: 2), k = Ref.random(t * kvHeads * d, seed: 22, scale: 2)
        let v = Ref.random(t * kvHeads * d, seed: 23)
        let ctx = ComputeContext(threads: 2)
        for causal in [true, false] {
            let outputs = onWidestAndAVX2Paths {
                attention(q, k, v, t: t, heads: heads, kvHeads: kvHeads, d: d, causal: causal, ctx: ctx)
            }
            #expect(outputs.widest == outputs.avx2, "t=\(t) d=\(d) causal=\(causal)")
        }
    }

    /// GELU's AVX-512 kernel evaluates the AVX2 kernel's formula lane by lane with the same
    /// operations, so both give the same bits (both runs are AVX2 without AVX-512).
    @Test func geluWidestAndAVX2PathsGiveTheSameBits() {
        let x = Ref.random(4099, seed: 31, scale: 12)
        let outputs = onWidestAndAVX2Paths {
            var y = x
            y.withUnsafeMutableBufferPointer { synpref_gelu_erf($0.baseAddress, $0.count) }
            return y
        }
        #expect(outputs.widest == outputs.avx2)
    }

    /// Attention.forward of one sequence of `t` tokens ([t, heads*d] from [t, kvHeads*d] keys
    /// and values), scale 1/√d.
    private func attention(_ q: [Float], _ k: [Float], _ v: [Float], t: Int, heads: Int, kvHeads: Int, d: Int,
                           causal: Bool, ctx: ComputeContext) -> [Float] {
        let out = Tensor(zeros: [t, heads * d])
        Attention.forward(q: Tensor(q, shape: [t, heads * d]), k: Tensor(k, shape: [t, kvHeads * d]),
                          v: Tensor(v, shape: [t, kvHeads * d]), into: out,
                          sequences: PackedSequences(lengths: [t]), heads: heads, kvHeads: kvHeads,
                          headDim: d, scale: 1 / Float(d).squareRoot(), causal: causal, ctx: ctx)
        return out.toArray()
    }
}
