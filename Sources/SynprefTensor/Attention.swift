import CSynprefKernels

/// Scaled dot-product attention over packed sequences, tiled with an online softmax
/// (`synpref_attention_block`), so memory stays O(threads × tile) for any length.
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
        let (ktp, ldkt) = transposedKeys(k, kvHeads: kvHeads, headDim: headDim, ctx: ctx)
        let qp = UnsafePointer(q.f32), vp = UnsafePointer(v.f32), op = out.f32
        let ldq = q.rowStride, ldv = v.rowStride, ldo = out.rowStride
        let offsets = sequences.offsets
        items.withUnsafeBufferPointer { itemsp in
            ctx.parallelFor(itemsp.count) { i, worker in
                let it = itemsp[i]
                let s = Int(it.s), h = Int(it.h), b = Int(it.b)
                let start = offsets[s], len = offsets[s + 1] - start
                let q0 = b * bq, nq = Swift.min(bq, len - q0)
                let kvh = h / group
                synpref_attention_block(
                    qp + (start + q0) * ldq + h * headDim, ldq, q0, nq,
                    ktp + kvh * headDim * ldkt + start, ldkt, vp + start * ldv + kvh * headDim, ldv, len,
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
        let (ktp, ldkt) = transposedKeys(k, kvHeads: kvHeads, headDim: headDim, ctx: ctx)
        let qp = UnsafePointer(q.f32), vp = UnsafePointer(v.f32), op = out.f32
        let ldq = q.rowStride, ldv = v.rowStride, ldo = out.rowStride
        let offsets = sequences.offsets
        ctx.parallelFor(rows * heads) { item, worker in
            let i = item / heads, h = item % heads
            let start = offsets[sequenceOf[i]], pos = positions[i]
            let kvh = h / group
            synpref_attention_block(
                qp + i * ldq + h * headDim, ldq, pos, 1,
                ktp + kvh * headDim * ldkt + start, ldkt, vp + start * ldv + kvh * headDim, ldv, pos + 1,
                headDim, scale, 1, op + i * ldo + h * headDim, ldo, nil, scratch[worker])
        }
        if ctx.profile != nil {
            ctx.profile?.attentionSeconds += Profile.now() - t0
            ctx.profile?.attentionFlops += positions.reduce(0.0) { $0 + 4 * Double(heads * headDim) * Double($1 + 1) }
        }
    }

    /// Keys transposed once per call: kt[kvHead][d][token] with row stride n + 16, the 16
    /// padding floats zeroed so the kernel's 16-wide tiles never read past the buffer.
    private static func transposedKeys(_ k: Tensor, kvHeads: Int, headDim: Int, ctx: ComputeContext) -> (UnsafeMutablePointer<Float>, Int) {
        let n = k.shape[0], ldkt = n + 16
        let ktp = ctx.scratch(1, floats: kvHeads * headDim * ldkt)
        let kp = UnsafePointer(k.f32), ldk = k.rowStride
        for r in 0..<(kvHeads * headDim) { (ktp + r * ldkt + n).initialize(repeating: 0, count: 16) }
        ctx.parallelRanges(n, minimumPerWorker: 64) { r in
            synpref_transpose_heads(ktp, ldkt, kp, ldk, r.lowerBound, r.upperBound, kvHeads, headDim)
        }
        return (ktp, ldkt)
    }
}
