import CSynprefKernels

/// Scaled dot-product attention over packed sequences, tiled with an online softmax
/// (`synpref_attention_block`), so memory stays O(threads × tile) for any length; keys and
/// values are packed into contiguous blocks once per call (one copy of k and v).
public enum Attention {
    /// out[N, heads*D] = softmax(scale · q kᵀ [causal]) v, per sequence and head.
    ///   q: [N, heads*D], k, v: [N, kvHeads*D] (GQA/MQA: query head h reads kv head
    ///   h / (heads / kvHeads)). Row strides may exceed the widths (views into a fused
    ///   buffer).
    ///   lse (optional, [heads, N] contiguous): each row's log-sum-exp of the scaled
    ///   scores, which training keeps for the backward pass.
    public static func forward(
        q: Tensor, k: Tensor, v: Tensor, into out: Tensor, sequences: PackedSequences,
        heads: Int, kvHeads: Int, headDim: Int, scale: Float, causal: Bool, ctx: ComputeContext,
        lse: Tensor? = nil
    ) {
        let n = sequences.totalTokens
        precondition(q.shape == [n, heads * headDim] && out.shape == [n, heads * headDim], "attention q/out shapes")
        precondition(k.shape == [n, kvHeads * headDim] && v.shape == [n, kvHeads * headDim], "attention k/v shapes")
        precondition(kvHeads > 0 && heads % kvHeads == 0, "heads must be a multiple of kv heads")
        precondition(lse.map { $0.shape == [heads, n] && $0.isContiguous } ?? true, "attention lse shape")
        let lsep = lse?.f32
        let group = heads / kvHeads
        let bq = Int(SYNPREF_ATTN_BQ)
        // Work items (sequence, head, query block), most expensive first so they balance.
        var items: [(s: Int32, h: Int32, b: Int32, cost: Int)] = []
        for s in 0..<sequences.count {
            let len = sequences.length(s)
            let blocks = (len + bq - 1) / bq
            for b in 0..<blocks {
                let cost = causal ? Swift.min(len, (b + 1) * bq) : len
                for h in 0..<heads { items.append((Int32(s), Int32(h), Int32(b), cost)) }
            }
        }
        items.sort { $0.cost > $1.cost }
        let scratchFloats = synpref_attention_scratch_floats(headDim)
        let workers = ctx.threads
        let scratch = (0..<workers).map { ctx.scratch(2 + $0, floats: scratchFloats) }
        let t0 = ctx.profile != nil ? Profile.now() : 0
        let packed = PackedKV(k: k, v: v, sequences: sequences, kvHeads: kvHeads, headDim: headDim, ctx: ctx)
        let qp = UnsafePointer(q.f32), op = out.f32
        let ldq = q.rowStride, ldo = out.rowStride
        let offsets = sequences.offsets
        items.withUnsafeBufferPointer { itemsp in
            ctx.parallelFor(itemsp.count) { i, worker in
                let it = itemsp[i]
                let s = Int(it.s), h = Int(it.h), b = Int(it.b)
                let start = offsets[s], len = offsets[s + 1] - start
                let q0 = b * bq, nq = Swift.min(bq, len - q0)
                let (kp, vp) = packed.pointers(sequence: s, kvHead: h / group)
                synpref_attention_block(
                    qp + (start + q0) * ldq + h * headDim, ldq, q0, nq, kp, vp, len,
                    headDim, scale, causal ? 1 : 0,
                    op + (start + q0) * ldo + h * headDim, ldo, lsep.map { $0 + h * n + start + q0 }, scratch[worker])
            }
        }
        if ctx.profile != nil {
            ctx.profile?.attentionSeconds += Profile.now() - t0
            var flops = 0.0
            for s in 0..<sequences.count {
                let l = Double(sequences.length(s))
                flops += 4 * Double(heads * headDim) * (causal ? l * (l + 1) / 2 : l * l)
            }
            ctx.profile?.attentionFlops += flops
        }
    }

    /// Attention for selected query rows only (e.g. the token a score head reads): query
    /// i sits at `positions[i]` of sequence `sequenceOf[i]` and attends causally to that
    /// sequence's keys 0...position.
    ///   q: [S, heads*D] (the selected rows), k, v: [N, kvHeads*D] (all rows), out: [S, heads*D].
    public static func forwardSelected(
        q: Tensor, positions: [Int], sequenceOf: [Int], k: Tensor, v: Tensor, into out: Tensor,
        sequences: PackedSequences, heads: Int, kvHeads: Int, headDim: Int, scale: Float, ctx: ComputeContext
    ) {
        let rows = positions.count
        precondition(q.shape == [rows, heads * headDim] && out.shape == q.shape && sequenceOf.count == rows, "selected attention shapes")
        let group = heads / kvHeads
        let scratchFloats = synpref_attention_scratch_floats(headDim)
        let scratch = (0..<ctx.threads).map { ctx.scratch(2 + $0, floats: scratchFloats) }
        let t0 = ctx.profile != nil ? Profile.now() : 0
        let packed = PackedKV(k: k, v: v, sequences: sequences, kvHeads: kvHeads, headDim: headDim, ctx: ctx)
        let qp = UnsafePointer(q.f32), op = out.f32
        let ldq = q.rowStride, ldo = out.rowStride
        ctx.parallelFor(rows * heads) { item, worker in
            let i = item / heads, h = item % heads
            let pos = positions[i]
            let (kp, vp) = packed.pointers(sequence: sequenceOf[i], kvHead: h / group)
            synpref_attention_block(
                qp + i * ldq + h * headDim, ldq, pos, 1, kp, vp, pos + 1,
                headDim, scale, 1, op + i * ldo + h * headDim, ldo, nil, scratch[worker])
        }
        if ctx.profile != nil {
            ctx.profile?.attentionSeconds += Profile.now() - t0
            ctx.profile?.attentionFlops += positions.reduce(0.0) { $0 + 4 * Double(heads * headDim) * Double($1 + 1) }
        }
    }
}

/// Keys and values packed once per call into contiguous per-(sequence, kv head) blocks
/// (`synpref_attention_pack`), in scratch slot 1: keys of all sequences and heads first,
/// then values, each [kvHeads][blocks][BK][D].
private struct PackedKV {
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    /// First block of each sequence.
    let blockStart: [Int]
    let totalBlocks: Int
    let blockFloats: Int

    init(k: Tensor, v: Tensor, sequences: PackedSequences, kvHeads: Int, headDim: Int, ctx: ComputeContext) {
        let bk = Int(SYNPREF_ATTN_BK)
        var starts: [Int] = []
        starts.reserveCapacity(sequences.count)
        var blocks = 0
        for s in 0..<sequences.count {
            starts.append(blocks)
            blocks += (sequences.length(s) + bk - 1) / bk
        }
        blockStart = starts
        totalBlocks = blocks
        blockFloats = bk * headDim
        let perTensor = kvHeads * blocks * blockFloats
        keys = ctx.scratch(1, floats: 2 * perTensor)
        values = keys + perTensor
        let kp = UnsafePointer(k.f32), vp = UnsafePointer(v.f32), ldk = k.rowStride, ldv = v.rowStride
        let offsets = sequences.offsets
        let (kd, vd, total, bf) = (keys, values, blocks, blockFloats)
        ctx.parallelFor(sequences.count * kvHeads) { item, _ in
            let s = item / kvHeads, h = item % kvHeads
            let at = (h * total + starts[s]) * bf, start = offsets[s]
            synpref_attention_pack(kd + at, vd + at, kp + start * ldk + h * headDim, ldk,
                                   vp + start * ldv + h * headDim, ldv, offsets[s + 1] - start, headDim)
        }
    }

    func pointers(sequence s: Int, kvHead h: Int) -> (UnsafePointer<Float>, UnsafePointer<Float>) {
        let at = (h * totalBlocks + blockStart[s]) * blockFloats
        return (UnsafePointer(keys + at), UnsafePointer(values + at))
    }
}
