import Testing
import Foundation
@testable import SynprefTensor
import SynprefTestSupport

@Suite(.computeThreads) struct TensorOpTests {
    @Test func viewsShareStorage() {
        let t = Tensor((0..<12).map(Float.init), shape: [3, 4])
        #expect(t.rows(1..<3).toArray() == [4, 5, 6, 7, 8, 9, 10, 11])
        #expect(t.columns(1..<3).toArray() == [1, 2, 5, 6, 9, 10])
        #expect(t.reshaped([4, 3]).rows(3..<4).toArray() == [9, 10, 11])
        t.rows(1..<2).f32[0] = 42
        #expect(t.toArray()[4] == 42)
    }

    @Test func linearWithBf16WeightsMatchesF32() {
        // bf16 weights built from f32 values that bf16 represents exactly (8 mantissa bits),
        // so both GEMMs multiply the same numbers.
        let m = 7, k = 33, n = 150
        let wf: [Float] = Ref.random(n * k, seed: 21).map { Float(Int($0 * 64)) / 64 }
        let bf16: [UInt16] = wf.map { UInt16($0.bitPattern >> 16) }
        let x = Ref.random(m * k, seed: 22), bias = Ref.random(n, seed: 23)
        let ctx = ComputeContext(threads: 2)
        ctx.widenTileFloats = 40 * k // several tiles, the last one partial
        let owner = bf16 as AnyObject
        let y16 = Tensor(zeros: [m, n]), y32 = Tensor(zeros: [m, n])
        bf16.withUnsafeBytes { raw in
            let w = Tensor(borrowing: raw, dtype: .bfloat16, shape: [n, k], owner: owner)
            Linear(weight: w, bias: Tensor(bias, shape: [n])).forward(Tensor(x, shape: [m, k]), into: y16, ctx: ctx)
        }
        Linear(weight: Tensor(wf, shape: [n, k]), bias: Tensor(bias, shape: [n])).forward(Tensor(x, shape: [m, k]), into: y32, ctx: ctx)
        var want = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n {
            var s = Double(bias[j])
            for e in 0..<k { s += Double(x[i * k + e]) * Double(wf[j * k + e]) }
            want[i * n + j] = Float(s)
        } }
        #expect(Ref.maxAbsDiff(y16.toArray(), want) < 1e-4)
        #expect(Ref.maxAbsDiff(y32.toArray(), want) < 1e-4)
        // accumulate: y += x Wᵀ + b doubles the result.
        Linear(weight: Tensor(wf, shape: [n, k]), bias: Tensor(bias, shape: [n])).forward(Tensor(x, shape: [m, k]), into: y32, accumulate: true, ctx: ctx)
        #expect(Ref.maxAbsDiff(y32.toArray(), want.map { 2 * $0 }) < 2e-4)
    }

    /// A fused projection (bf16 parts of different sizes with biases, f32 output columns
    /// side by side, into a view with a larger row stride) equals each part on its own;
    /// the small tile makes tiles span part boundaries.
    @Test(arguments: [5, 40, 1000])
    func fusedLinearEqualsItsParts(tileRows: Int) {
        let m = 9, k = 20, outs = [24, 7, 33]
        let ctx = ComputeContext(threads: 2)
        ctx.widenTileFloats = tileRows * k
        let x = Tensor(Ref.random(m * k, seed: 51), shape: [m, k])
        var storage: [[UInt16]] = []
        for (i, o) in outs.enumerated() {
            storage.append(Ref.random(o * k, seed: 52 + UInt64(i)).map { UInt16($0.bitPattern >> 16) })
        }
        let total = outs.reduce(0, +)
        var want = [Float](repeating: 0, count: m * total)
        let y = Tensor(zeros: [m, total + 5]).columns(0..<total)
        func withParts(_ i: Int, _ parts: [Linear], _ body: ([Linear]) -> Void) {
            if i == outs.count { return body(parts) }
            storage[i].withUnsafeBytes { raw in
                let w = Tensor(borrowing: raw, dtype: .bfloat16, shape: [outs[i], k], owner: storage[i] as AnyObject)
                let b = Tensor(Ref.random(outs[i], seed: 60 + UInt64(i)), shape: [outs[i]])
                withParts(i + 1, parts + [Linear(weight: w, bias: b)], body)
            }
        }
        withParts(0, []) { parts in
            let fused = FusedLinear(parts)
            #expect(fused.outFeatures == total && fused.columns(of: 1) == 24..<31)
            fused.forward(x, into: y, ctx: ctx)
            for (i, p) in parts.enumerated() {
                let yi = Tensor(zeros: [m, p.outFeatures])
                p.forward(x, into: yi, ctx: ctx)
                let cols = fused.columns(of: i), got = yi.toArray()
                for r in 0..<m { for c in cols { want[r * total + c] = got[r * p.outFeatures + c - cols.lowerBound] } }
            }
        }
        #expect(Ref.maxAbsDiff(y.toArray(), want) < 1e-5)
    }

    @Test func packedAttentionEqualsOneAtATime() {
        let lengths = [3, 70, 1, 129], heads = 2, d = 16
        let packed = PackedSequences(lengths: lengths)
        let n = packed.totalTokens
        let q = Ref.random(n * heads * d, seed: 31), k = Ref.random(n * d, seed: 32), v = Ref.random(n * d, seed: 33)
        let ctx = ComputeContext(threads: 2)
        let out = Tensor(zeros: [n, heads * d])
        Attention.forward(q: Tensor(q, shape: [n, heads * d]), k: Tensor(k, shape: [n, d]), v: Tensor(v, shape: [n, d]),
                          into: out, sequences: packed, heads: heads, kvHeads: 1, headDim: d, scale: 0.25, causal: true, ctx: ctx)
        let got = out.toArray()
        for s in 0..<lengths.count {
            let r = packed.range(s)
            let want = Ref.attention(q: Array(q[(r.lowerBound * heads * d)..<(r.upperBound * heads * d)]),
                                     k: Array(k[(r.lowerBound * d)..<(r.upperBound * d)]),
                                     v: Array(v[(r.lowerBound * d)..<(r.upperBound * d)]),
                                     t: r.count, heads: heads, kvHeads: 1, d: d, scale: 0.25, causal: true)
            #expect(Ref.maxAbsDiff(Array(got[(r.lowerBound * heads * d)..<(r.upperBound * heads * d)]), want) < 2e-6)
        }
        #expect(packed.positions == Array(0..<3) + Array(0..<70) + [0] + Array(0..<129))
    }

    /// q, k, v as column views of one fused [N, (heads + 2 kvHeads) D] buffer (as a fused
    /// QKV projection writes them), several sequences, GQA: the full forward and the
    /// selected-rows forward both match the naive reference, on both kernel paths.
    @Test func attentionOnFusedViewsAndSelectedRows() {
        let lengths = [5, 130, 64, 1], heads = 4, kvHeads = 2, d = 24
        let packed = PackedSequences(lengths: lengths)
        let n = packed.totalTokens, width = (heads + 2 * kvHeads) * d
        let fused = Tensor(Ref.random(n * width, seed: 41, scale: 2), shape: [n, width])
        let q = fused.columns(0..<(heads * d)), k = fused.columns((heads * d)..<((heads + kvHeads) * d))
        let v = fused.columns(((heads + kvHeads) * d)..<width)
        let all = fused.toArray()
        func part(_ cols: Range<Int>, _ rows: Range<Int>) -> [Float] {
            rows.flatMap { r in all[(r * width + cols.lowerBound)..<(r * width + cols.upperBound)] }
        }
        var want: [Float] = []
        for s in 0..<lengths.count {
            let r = packed.range(s)
            want += Ref.attention(q: part(0..<(heads * d), r), k: part((heads * d)..<((heads + kvHeads) * d), r),
                                  v: part(((heads + kvHeads) * d)..<width, r), t: r.count, heads: heads, kvHeads: kvHeads,
                                  d: d, scale: 0.2, causal: true)
        }
        let rows = [0, 4, 5, 5 + 63, 5 + 64, 5 + 129, 135 + 63, 199], sequenceOf = [0, 0, 1, 1, 1, 1, 2, 3]
        let positions = zip(rows, sequenceOf).map { $0 - packed.offsets[$1] }
        let ctx = ComputeContext(threads: 2)
        withEveryKernelPath { path in
            let out = Tensor(zeros: [n, heads * d])
            Attention.forward(q: q, k: k, v: v, into: out, sequences: packed, heads: heads, kvHeads: kvHeads,
                              headDim: d, scale: 0.2, causal: true, ctx: ctx)
            #expect(Ref.maxAbsDiff(out.toArray(), want) < 2e-6, "\(path)")
            let qs = Tensor(rows.flatMap { r in part(0..<(heads * d), r..<(r + 1)) }, shape: [rows.count, heads * d])
            let outS = Tensor(zeros: [rows.count, heads * d])
            Attention.forwardSelected(q: qs, positions: positions, sequenceOf: sequenceOf, k: k, v: v, into: outS,
                                      sequences: packed, heads: heads, kvHeads: kvHeads, headDim: d, scale: 0.2, ctx: ctx)
            let wantS = rows.flatMap { r in want[(r * heads * d)..<((r + 1) * heads * d)] }
            #expect(Ref.maxAbsDiff(outS.toArray(), wantS) < 2e-6, "\(path) selected")
        }
    }

    @Test func ropeLlama3ScalingFollowsTheFormula() {
        // Frequencies with wavelength < original/high_freq keep their value, those with
        // wavelength > original/low_freq are divided by factor (see transformers'
        // _compute_llama3_parameters); head_dim 128, theta 500000, factor 8, orig 8192.
        let plain = RotaryEmbedding(headDim: 128, theta: 500000)
        let scaled = RotaryEmbedding(headDim: 128, theta: 500000,
                                     llama3: .init(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192))
        #expect(plain.invFreq[0] == 1)
        for i in 0..<64 {
            let wavelen = 2 * Double.pi / Double(plain.invFreq[i])
            if wavelen < 8192 / 4 { #expect(scaled.invFreq[i] == plain.invFreq[i]) }
            if wavelen > 8192 { #expect(abs(scaled.invFreq[i] - plain.invFreq[i] / 8) <= plain.invFreq[i] * 1e-6) }
        }
        // theta^(2i/d) for i = 32 of 64 is sqrt(500000).
        #expect(abs(Double(plain.invFreq[32]) - 1 / 500000.0.squareRoot()) < 1e-9)
        let (c, s) = plain.tables(positions: [0, 3])
        #expect(c.toArray()[0..<64].allSatisfy { $0 == 1 } && s.toArray()[0..<64].allSatisfy { $0 == 0 })
        #expect(abs(c.toArray()[64] - Float(cos(3.0))) < 1e-7)
    }
}
