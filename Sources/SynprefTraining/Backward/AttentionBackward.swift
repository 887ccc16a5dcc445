import CSynprefKernels
import SynprefTensor

/// Gradient of `Attention.forward` over packed sequences. The forward (the engine's, with
/// its optional `lse` output, [heads, N]) keeps each row's log-sum-exp; the backward
/// recomputes the probabilities tile by tile from it, so neither direction stores anything
/// of size heads × length².
public enum AttentionBackward {
    /// Given dOut, WRITES dq [N, heads*D], dk, dv [N, kvHeads*D]; q, k, v, out, lse are the
    /// forward's inputs and outputs.
    public static func backward(
        dOut: Tensor, q: Tensor, k: Tensor, v: Tensor, out: Tensor, lse: Tensor,
        dq: Tensor, dk: Tensor, dv: Tensor, sequences: PackedSequences,
        heads: Int, kvHeads: Int, headDim: Int, scale: Float, causal: Bool, ctx: ComputeContext
    ) {
        let n = sequences.totalTokens
        precondition(dOut.shape == [n, heads * headDim] && dq.shape == dOut.shape && out.shape == dOut.shape, "attention backward q shapes")
        precondition(dk.shape == [n, kvHeads * headDim] && dv.shape == dk.shape, "attention backward kv shapes")
        precondition(lse.shape == [heads, n], "attention backward lse shape")
        let group = heads / kvHeads
        // delta[t, h] = Σ_d dOut · out
        let delta = Tensor(uninitialized: [n, heads])
        let dp = delta.f32, dop = UnsafePointer(dOut.f32), outp = UnsafePointer(out.f32)
        let lddo = dOut.rowStride, ldo = out.rowStride
        ctx.parallelRanges(n, minimumPerWorker: 32) { r in
            synpref_attention_backward_delta(dp, heads, dop, lddo, outp, ldo, r.lowerBound, r.upperBound, heads, headDim)
        }
        // dq is accumulated by the kernel.
        let dqp = dq.f32, lddq = dq.rowStride
        for t in 0..<n { (dqp + t * lddq).update(repeating: 0, count: heads * headDim) }
        var items: [(s: Int32, kvh: Int32, cost: Int)] = []
        for s in 0..<sequences.count {
            let len = sequences.length(s)
            if len == 0 { continue }
            for h in 0..<kvHeads { items.append((Int32(s), Int32(h), causal ? len * (len + 1) / 2 : len * len)) }
        }
        items.sort { $0.cost > $1.cost }
        let scratch = WorkerScratch(workers: ctx.threads, floats: synpref_attention_backward_scratch_floats(headDim))
        let qp = UnsafePointer(q.f32), kp = UnsafePointer(k.f32), vp = UnsafePointer(v.f32)
        let lp = UnsafePointer(lse.f32), deltap = UnsafePointer(delta.f32)
        let dkp = dk.f32, dvp = dv.f32
        let ldq = q.rowStride, ldk = k.rowStride, ldv = v.rowStride, lddk = dk.rowStride, lddv = dv.rowStride
        let offsets = sequences.offsets
        items.withUnsafeBufferPointer { itemsp in
            ctx.parallelFor(itemsp.count) { i, worker in
                let it = itemsp[i]
                let s = Int(it.s), kvh = Int(it.kvh)
                let start = offsets[s], len = offsets[s + 1] - start
                let h0 = kvh * group
                synpref_attention_backward(
                    qp + start * ldq + h0 * headDim, ldq,
                    kp + start * ldk + kvh * headDim, ldk, vp + start * ldv + kvh * headDim, ldv,
                    dop + start * lddo + h0 * headDim, lddo,
                    lp + h0 * n + start, n, deltap + start * heads + h0, heads,
                    len, group, headDim, scale, causal ? 1 : 0,
                    dqp + start * lddq + h0 * headDim, lddq,
                    dkp + start * lddk + kvh * headDim, lddk, dvp + start * lddv + kvh * headDim, lddv,
                    scratch[worker])
            }
        }
    }
}

/// One scratch buffer per worker thread, freed with the object. `@unchecked Sendable`:
/// the pointers never change and worker w only ever touches buffer w.
final class WorkerScratch: @unchecked Sendable {
    private let buffers: [UnsafeMutablePointer<Float>]

    init(workers: Int, floats: Int) {
        buffers = (0..<Swift.max(1, workers)).map { _ in
            let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(floats, 16) * 4, alignment: 64)
            return raw.bindMemory(to: Float.self, capacity: Swift.max(floats, 16))
        }
    }

    deinit { for b in buffers { b.deallocate() } }

    subscript(worker: Int) -> UnsafeMutablePointer<Float> { buffers[worker] }
}
