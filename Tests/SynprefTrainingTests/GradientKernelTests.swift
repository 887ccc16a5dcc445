import CSynprefKernels
import Foundation
import SynprefTensor
import SynprefTestSupport
@testable import SynprefTraining
import Testing

/// Every backward op against PyTorch autograd (fixtures from
/// scripts/reference/train_grad_ops.py) and against finite differences of our own forward.
/// The scalar/SIMD switch is process-wide, so the suite runs serially.
extension TrainingTests {
@Suite struct GradientKernelTests {
    let fx: Fixture
    let ctx = testContext
    init() throws { fx = try Fixture("grad_ops.safetensors") }

    private func expectClose(_ ours: [Float], _ name: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (ok, worst) = withinGradientTolerance(ours, try fx.array(name))
        #expect(ok, "\(path) \(name): max abs diff \(worst)", sourceLocation: sourceLocation)
    }

    @Test func rmsNorm() throws {
        let x = try fx.tensor("rmsnorm.x"), w = try fx.tensor("rmsnorm.weight"), dy = try fx.tensor("rmsnorm.dy")
        let norm = RMSNorm(weight: w, eps: 1e-6)
        try withEveryKernelPath { path in
            let y = Tensor(zeros: x.shape)
            norm.forward(x, into: y, ctx: ctx)
            try expectClose(y.toArray(), "rmsnorm.y", path)
            let dx = Tensor(zeros: x.shape), dw = Tensor(zeros: w.shape)
            NormBackward.rmsNorm(dy: dy, x: x, weight: w, eps: 1e-6, dx: dx, dWeight: dw, ctx: ctx)
            try expectClose(dx.toArray(), "rmsnorm.dx", path)
            try expectClose(dw.toArray(), "rmsnorm.dweight", path)
            let fdx = finiteDifferenceError(x: x.toArray(), grad: dx.toArray(), dy: dy.toArray()) { v in
                let out = Tensor(zeros: x.shape)
                norm.forward(Tensor(v, shape: x.shape), into: out, ctx: ctx)
                return out.toArray()
            }
            let fdw = finiteDifferenceError(x: w.toArray(), grad: dw.toArray(), dy: dy.toArray()) { v in
                let out = Tensor(zeros: x.shape)
                RMSNorm(weight: Tensor(v, shape: w.shape), eps: 1e-6).forward(x, into: out, ctx: ctx)
                return out.toArray()
            }
            #expect(fdx < 2e-3 && fdw < 2e-3, "\(path) finite differences \(fdx) \(fdw)")
        }
    }

    @Test func rmsNormAccumulatesIntoInputGradient() throws {
        // The backward adds to dx (the residual stream's gradient): starting from ones must
        // give exactly 1 + the gradient from zeros.
        let x = try fx.tensor("rmsnorm.x"), w = try fx.tensor("rmsnorm.weight"), dy = try fx.tensor("rmsnorm.dy")
        let a = Tensor(zeros: x.shape), b = Tensor([Float](repeating: 1, count: x.count), shape: x.shape)
        NormBackward.rmsNorm(dy: dy, x: x, weight: w, eps: 1e-6, dx: a, dWeight: nil, ctx: ctx)
        NormBackward.rmsNorm(dy: dy, x: x, weight: w, eps: 1e-6, dx: b, dWeight: nil, ctx: ctx)
        #expect(zip(a.toArray(), b.toArray()).allSatisfy { abs(($0 + 1) - $1) <= 1e-6 })
    }

    @Test func layerNorm() throws {
        let x = try fx.tensor("layernorm.x"), w = try fx.tensor("layernorm.weight"), b = try fx.tensor("layernorm.bias")
        let dy = try fx.tensor("layernorm.dy")
        let ln = LayerNorm(weight: w, bias: b, eps: 1e-12)
        try withEveryKernelPath { path in
            let y = Tensor(zeros: x.shape)
            ln.forward(x, into: y, ctx: ctx)
            try expectClose(y.toArray(), "layernorm.y", path)
            let dx = Tensor(zeros: x.shape), dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
            NormBackward.layerNorm(dy: dy, x: x, weight: w, eps: 1e-12, dx: dx, dWeight: dw, dBias: db, ctx: ctx)
            try expectClose(dx.toArray(), "layernorm.dx", path)
            try expectClose(dw.toArray(), "layernorm.dweight", path)
            try expectClose(db.toArray(), "layernorm.dbias", path)
            let fd = finiteDifferenceError(x: x.toArray(), grad: dx.toArray(), dy: dy.toArray()) { v in
                let out = Tensor(zeros: x.shape)
                ln.forward(Tensor(v, shape: x.shape), into: out, ctx: ctx)
                return out.toArray()
            }
            #expect(fd < 2e-3, "\(path) finite differences \(fd)")
        }
    }

    @Test func rotaryLlama3() throws {
        let x = try fx.tensor("rope.x"), dy = try fx.tensor("rope.dy")
        let cos = try fx.tensor("rope.cos"), sin = try fx.tensor("rope.sin")
        let heads = 3, hd = 16
        let rope = RotaryEmbedding(headDim: hd, theta: 500000, llama3: .init(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 64))
        // The engine's tables for these positions agree with transformers' (a forward check).
        let (c2, s2) = rope.tables(positions: try fx.ints("rope.positions"))
        #expect(maxScaledError(c2.toArray(), cos.toArray()) < 1e-5 && maxScaledError(s2.toArray(), sin.toArray()) < 1e-5)
        try withEveryKernelPath { path in
            let y = Tensor(x.toArray(), shape: x.shape)
            rope.apply(y, heads: heads, cos: cos, sin: sin, ctx: ctx)
            try expectClose(y.toArray(), "rope.y", path)
            let dx = Tensor(dy.toArray(), shape: dy.shape)
            RotaryBackward.apply(dx, rope: rope, heads: heads, cos: cos, sin: sin, ctx: ctx)
            try expectClose(dx.toArray(), "rope.dx", path)
            let fd = finiteDifferenceError(x: x.toArray(), grad: dx.toArray(), dy: dy.toArray()) { v in
                let t = Tensor(v, shape: x.shape)
                rope.apply(t, heads: heads, cos: cos, sin: sin, ctx: ctx)
                return t.toArray()
            }
            #expect(fd < 2e-3, "\(path) finite differences \(fd)")
        }
    }

    @Test(arguments: ["attn_causal_gqa", "attn_causal_mqa", "attn_bidir_mha"])
    func attention(_ name: String) throws {
        let q = try fx.tensor("\(name).q"), k = try fx.tensor("\(name).k"), v = try fx.tensor("\(name).v")
        let dy = try fx.tensor("\(name).dy")
        let lengths = try fx.ints("\(name).lengths"), shape = try fx.ints("\(name).shape")
        let heads = shape[0], kvHeads = shape[1], hd = shape[2], causal = shape[3] == 1
        let seqs = PackedSequences(lengths: lengths)
        let n = seqs.totalTokens
        let scale = 1 / Float(hd).squareRoot()
        func forward(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> (Tensor, Tensor) {
            let out = Tensor(zeros: [n, heads * hd]), lse = Tensor(zeros: [heads, n])
            Attention.forward(q: q, k: k, v: v, into: out, sequences: seqs, heads: heads, kvHeads: kvHeads,
                              headDim: hd, scale: scale, causal: causal, ctx: ctx, lse: lse)
            return (out, lse)
        }
        try withEveryKernelPath { path in
            let (out, lse) = forward(q, k, v)
            try expectClose(out.toArray(), "\(name).y", path)
            // Asking for the log-sum-exp does not change the output bits.
            let same = {
                let with = forward(q, k, v).0, without = Tensor(zeros: out.shape)
                Attention.forward(q: q, k: k, v: v, into: without, sequences: seqs, heads: heads, kvHeads: kvHeads,
                                  headDim: hd, scale: scale, causal: causal, ctx: ctx)
                return with.toArray() == without.toArray()
            }()
            #expect(same, "\(path) lse output changed the forward")
            let dq = Tensor(zeros: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
            AttentionBackward.backward(dOut: dy, q: q, k: k, v: v, out: out, lse: lse, dq: dq, dk: dk, dv: dv,
                                       sequences: seqs, heads: heads, kvHeads: kvHeads, headDim: hd, scale: scale,
                                       causal: causal, ctx: ctx)
            try expectClose(dq.toArray(), "\(name).dq", path)
            try expectClose(dk.toArray(), "\(name).dk", path)
            try expectClose(dv.toArray(), "\(name).dv", path)
            let fdq = finiteDifferenceError(x: q.toArray(), grad: dq.toArray(), dy: dy.toArray()) { a in
                forward(Tensor(a, shape: q.shape), k, v).0.toArray()
            }
            let fdk = finiteDifferenceError(x: k.toArray(), grad: dk.toArray(), dy: dy.toArray()) { a in
                forward(q, Tensor(a, shape: k.shape), v).0.toArray()
            }
            let fdv = finiteDifferenceError(x: v.toArray(), grad: dv.toArray(), dy: dy.toArray()) { a in
                forward(q, k, Tensor(a, shape: v.shape)).0.toArray()
            }
            #expect(fdq < 2e-3 && fdk < 2e-3 && fdv < 2e-3, "\(path) finite differences \(fdq) \(fdk) \(fdv)")
        }
    }

    /// The AVX-512 tile products of the attention backward do, for each element, the same
    /// operations in the same order as the AVX2 ones, so both paths give the same bits on
    /// one machine (without AVX-512 both runs take the AVX2 path).
    @Test(arguments: [(70, 32, true), (70, 32, false), (129, 128, true), (33, 48, false), (20, 24, true)])
    func attentionBackwardWidestAndAVX2PathsGiveTheSameBits(t: Int, hd: Int, causal: Bool) {
        let heads = 4, kvHeads = 2
        let seqs = PackedSequences(lengths: [t / 3, t - t / 3])
        func random(_ n: Int, _ seed: UInt64) -> Tensor { Tensor(randomFloats(n, seed: seed), shape: [t, n / t]) }
        let q = random(t * heads * hd, 1), k = random(t * kvHeads * hd, 2), v = random(t * kvHeads * hd, 3)
        let dy = random(t * heads * hd, 4)
        let scale = 1 / Float(hd).squareRoot()
        let results = onWidestAndAVX2Paths { () -> [[Float]] in
            let out = Tensor(zeros: [t, heads * hd]), lse = Tensor(zeros: [heads, t])
            Attention.forward(q: q, k: k, v: v, into: out, sequences: seqs, heads: heads, kvHeads: kvHeads,
                              headDim: hd, scale: scale, causal: causal, ctx: ctx, lse: lse)
            let dq = Tensor(zeros: q.shape), dk = Tensor(zeros: k.shape), dv = Tensor(zeros: v.shape)
            AttentionBackward.backward(dOut: dy, q: q, k: k, v: v, out: out, lse: lse, dq: dq, dk: dk, dv: dv,
                                       sequences: seqs, heads: heads, kvHeads: kvHeads, headDim: hd, scale: scale,
                                       causal: causal, ctx: ctx)
            return [out.toArray(), dq.toArray(), dk.toArray(), dv.toArray()]
        }
        for (i, name) in ["out", "dq", "dk", "dv"].enumerated() {
            #expect(results.widest[i] == results.avx2[i], "\(name) t=\(t) hd=\(hd) causal=\(causal)")
        }
    }

    @Test func siluMul() throws {
        let g = try fx.tensor("silu_mul.gate"), u = try fx.tensor("silu_mul.up"), dy = try fx.tensor("silu_mul.dy")
        try withEveryKernelPath { path in
            let y = Tensor(zeros: g.shape)
            Activation.siluMul(gate: g, up: u, into: y, ctx: ctx)
            try expectClose(y.toArray(), "silu_mul.y", path)
            let dg = Tensor(zeros: g.shape), du = Tensor(zeros: u.shape)
            ActivationBackward.siluMul(dOut: dy, gate: g, up: u, dGate: dg, dUp: du, ctx: ctx)
            try expectClose(dg.toArray(), "silu_mul.dgate", path)
            try expectClose(du.toArray(), "silu_mul.dup", path)
            let fd = finiteDifferenceError(x: g.toArray(), grad: dg.toArray(), dy: dy.toArray()) { v in
                let out = Tensor(zeros: g.shape)
                Activation.siluMul(gate: Tensor(v, shape: g.shape), up: u, into: out, ctx: ctx)
                return out.toArray()
            }
            #expect(fd < 2e-3, "\(path) finite differences \(fd)")
            // In place: dGate aliasing gate and dUp aliasing up give the same values.
            let g2 = Tensor(g.toArray(), shape: g.shape), u2 = Tensor(u.toArray(), shape: u.shape)
            ActivationBackward.siluMul(dOut: dy, gate: g2, up: u2, dGate: g2, dUp: u2, ctx: ctx)
            #expect(g2.toArray() == dg.toArray() && u2.toArray() == du.toArray(), "\(path) aliasing")
        }
    }

    @Test func geluAndTanh() throws {
        let x = try fx.tensor("gelu.x"), dy = try fx.tensor("gelu.dy")
        let y = Tensor(x.toArray(), shape: x.shape)
        Activation.gelu(y, ctx: ctx)
        try expectClose(y.toArray(), "gelu.y", "")
        let dx = Tensor(zeros: x.shape)
        ActivationBackward.gelu(dy: dy, x: x, dx: dx, ctx: ctx)
        try expectClose(dx.toArray(), "gelu.dx", "")
        let fd = finiteDifferenceError(x: x.toArray(), grad: dx.toArray(), dy: dy.toArray()) { v in
            let t = Tensor(v, shape: x.shape)
            Activation.gelu(t, ctx: ctx)
            return t.toArray()
        }
        #expect(fd < 2e-3, "gelu finite differences \(fd)")
        // From the forward's output (Φ = y / x, no erf), on both kernel paths, with x = 0
        // and tails included.
        let xs = Tensor(x.toArray() + [0, -0.0, 1e-30, -9, 9, -20], shape: [1, x.count + 6])
        let ys = Tensor(xs.toArray(), shape: xs.shape)
        Activation.gelu(ys, ctx: ctx)
        let dys = Tensor(dy.toArray() + [1, 1, 1, 1, 1, 1], shape: xs.shape)
        let reference = Tensor(zeros: xs.shape)
        ActivationBackward.gelu(dy: dys, x: xs, dx: reference, ctx: ctx)
        try withEveryKernelPath { path in
            let fast = Tensor(zeros: xs.shape)
            ActivationBackward.gelu(dy: dys, x: xs, y: ys, dx: fast, ctx: ctx)
            let (ok, worst) = withinGradientTolerance(Array(fast.toArray().prefix(x.count)), try fx.array("gelu.dx"))
            #expect(ok, "\(path) from-output gelu backward vs torch: \(worst)")
            #expect(maxScaledError(fast.toArray(), reference.toArray()) < 1e-6, "\(path) from-output vs erf form")
        }

        let tx = try fx.tensor("tanh.x"), tdy = try fx.tensor("tanh.dy")
        let ty = Tensor(tx.toArray(), shape: tx.shape)
        Activation.tanh(ty, ctx: ctx)
        let tdx = Tensor(zeros: tx.shape)
        ActivationBackward.tanh(dy: tdy, y: ty, dx: tdx, ctx: ctx)
        try expectClose(tdx.toArray(), "tanh.dx", "")
        let tfd = finiteDifferenceError(x: tx.toArray(), grad: tdx.toArray(), dy: tdy.toArray()) { v in
            let t = Tensor(v, shape: tx.shape)
            Activation.tanh(t, ctx: ctx)
            return t.toArray()
        }
        #expect(tfd < 2e-3, "tanh finite differences \(tfd)")
    }

    @Test func embeddingScatterAdd() throws {
        let table = try fx.tensor("embedding.table"), dy = try fx.tensor("embedding.dy")
        let ids = try fx.ints("embedding.ids")
        let y = Tensor(zeros: dy.shape)
        Embedding(weight: table).forward(ids: ids, into: y, ctx: ctx)
        try expectClose(y.toArray(), "embedding.y", "")
        let dt = Tensor(zeros: table.shape)
        EmbeddingBackward.backward(dOut: dy, ids: ids.map(Int32.init), dTable: dt, ctx: ctx)
        try expectClose(dt.toArray(), "embedding.dtable", "")
    }

    @Test func linear() throws {
        let x = try fx.tensor("linear.x"), w = try fx.tensor("linear.weight"), b = try fx.tensor("linear.bias")
        let dy = try fx.tensor("linear.dy")
        let lin = Linear(weight: w, bias: b)
        let y = Tensor(zeros: dy.shape)
        lin.forward(x, into: y, ctx: ctx)
        try expectClose(y.toArray(), "linear.y", "")
        let dx = Tensor(zeros: x.shape), dw = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
        LinearBackward.backward(dy: dy, x: x, weight: w, dx: dx, dWeight: dw, dBias: db, ctx: ctx)
        try expectClose(dx.toArray(), "linear.dx", "")
        try expectClose(dw.toArray(), "linear.dweight", "")
        try expectClose(db.toArray(), "linear.dbias", "")
        let fd = finiteDifferenceError(x: w.toArray(), grad: dw.toArray(), dy: dy.toArray()) { v in
            let out = Tensor(zeros: dy.shape)
            Linear(weight: Tensor(v, shape: w.shape), bias: b).forward(x, into: out, ctx: ctx)
            return out.toArray()
        }
        #expect(fd < 2e-3, "finite differences \(fd)")
    }
}
}
