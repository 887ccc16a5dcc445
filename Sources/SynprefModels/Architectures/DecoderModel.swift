import SynprefTensor

/// One Qwen3 / Llama decoder layer's weights.
struct DecoderLayer: Sendable {
    let inputNorm: RMSNorm
    let q, o: Linear
    /// [q; k; v] and [k; v] run as one projection each (the same memory-mapped weights).
    let qkv, kv: FusedLinear
    /// Qwen3: RMSNorm over each head's `head_dim` of q and k, before RoPE.
    let qNorm, kNorm: RMSNorm?
    let postNorm: RMSNorm
    /// [gate; up] as one projection.
    let gateUp: FusedLinear
    let down: Linear

    init(inputNorm: RMSNorm, q: Linear, k: Linear, v: Linear, o: Linear, qNorm: RMSNorm?, kNorm: RMSNorm?,
         postNorm: RMSNorm, gate: Linear, up: Linear, down: Linear) {
        self.inputNorm = inputNorm
        self.q = q
        self.o = o
        self.qkv = FusedLinear([q, k, v])
        self.kv = FusedLinear([k, v])
        self.qNorm = qNorm
        self.kNorm = kNorm
        self.postNorm = postNorm
        self.gateUp = FusedLinear([gate, up])
        self.down = down
    }
}

/// Qwen3ForSequenceClassification / LlamaForSequenceClassification: a pre-norm decoder
/// (RMSNorm, GQA attention with RoPE, SwiGLU MLP) and a linear score head without bias,
/// read at each sequence's last (non-pad) token, as transformers does.
///
/// Runs on packed batches: the tokens of many sequences are concatenated for every
/// projection (one GEMM per weight), attention is causal within each sequence, and no
/// FLOP is spent on padding.
public struct DecoderModel: Sendable {
    public let config: DecoderConfig
    let embed: Embedding
    let layers: [DecoderLayer]
    let norm: RMSNorm
    /// [num_labels, hidden], no bias (absent for a bare base model).
    let score: Linear?
    let rope: RotaryEmbedding
    /// Rows of the MLP's [rows, intermediate] activations processed at a time; bounds
    /// activation memory for long inputs.
    public var mlpRowChunk = 2048

    /// Builds the model from checkpoint tensors named as transformers saves them
    /// (`model.layers.N.self_attn.q_proj.weight`, ..., `score.weight`).
    public init(config c: DecoderConfig, weights: Weights) throws {
        self.config = c
        let base = weights.contains("model.embed_tokens.weight") ? weights.pp("model") : weights
        let h = c.hiddenSize, qDim = c.numAttentionHeads * c.headDim, kvDim = c.numKeyValueHeads * c.headDim
        let eps = Float(c.rmsNormEps)
        let qwen3 = c.architecture == .qwen3ForSequenceClassification
        embed = Embedding(weight: try base.stored("embed_tokens.weight", shape: [c.vocabSize, h]))
        layers = try (0..<c.numHiddenLayers).map { i in
            let l = base.pp("layers.\(i)")
            let a = l.pp("self_attn"), m = l.pp("mlp")
            return DecoderLayer(
                inputNorm: RMSNorm(weight: try l.f32("input_layernorm.weight", shape: [h]), eps: eps),
                q: try a.linear("q_proj", out: qDim, in: h, bias: c.attentionBias),
                k: try a.linear("k_proj", out: kvDim, in: h, bias: c.attentionBias),
                v: try a.linear("v_proj", out: kvDim, in: h, bias: c.attentionBias),
                o: try a.linear("o_proj", out: h, in: qDim, bias: c.attentionBias),
                qNorm: qwen3 ? RMSNorm(weight: try a.f32("q_norm.weight", shape: [c.headDim]), eps: eps) : nil,
                kNorm: qwen3 ? RMSNorm(weight: try a.f32("k_norm.weight", shape: [c.headDim]), eps: eps) : nil,
                postNorm: RMSNorm(weight: try l.f32("post_attention_layernorm.weight", shape: [h]), eps: eps),
                gate: try m.linear("gate_proj", out: c.intermediateSize, in: h, bias: c.mlpBias),
                up: try m.linear("up_proj", out: c.intermediateSize, in: h, bias: c.mlpBias),
                down: try m.linear("down_proj", out: h, in: c.intermediateSize, bias: c.mlpBias))
        }
        norm = RMSNorm(weight: try base.f32("norm.weight", shape: [h]), eps: eps)
        score = weights.contains("score.weight")
            ? Linear(weight: try weights.f32("score.weight", shape: [c.numLabels, h])) : nil
        let scaling = c.ropeScaling.map {
            RotaryEmbedding.Llama3(factor: Float($0.factor), lowFreqFactor: Float($0.lowFreqFactor),
                                   highFreqFactor: Float($0.highFreqFactor),
                                   originalMaxPositionEmbeddings: $0.originalMaxPositionEmbeddings)
        }
        rope = RotaryEmbedding(headDim: c.headDim, theta: c.ropeTheta, llama3: scaling)
    }

    /// The rotary inverse frequencies (for parity checks).
    public var ropeInverseFrequencies: [Float] { rope.invFreq }

    /// Final hidden states (after the final norm) of a packed batch whose ids have been
    /// validated (0 <= id < vocab_size): [N, hidden], or [rows.count, hidden] for just
    /// `outputRows`. Asking for rows lets the last layer skip the queries, attention
    /// output and MLP of every other token (a score head reads one row per sequence).
    public func forward(ids: [Int], sequences: PackedSequences, outputRows: [Int]? = nil, ctx: ComputeContext) -> Tensor {
        let c = config
        let n = ids.count, hd = c.headDim
        let heads = c.numAttentionHeads, kvHeads = c.numKeyValueHeads
        let qDim = heads * hd, kvDim = kvHeads * hd
        precondition(n == sequences.totalTokens, "ids and sequences disagree")
        let x = Tensor(uninitialized: [n, c.hiddenSize])
        let h = Tensor(uninitialized: [n, c.hiddenSize])
        // One buffer for the fused projection: q | k | v side by side in each row.
        let qkv = Tensor(uninitialized: [n, qDim + 2 * kvDim])
        let q = qkv.columns(0..<qDim), k = qkv.columns(qDim..<(qDim + kvDim))
        let v = qkv.columns((qDim + kvDim)..<(qDim + 2 * kvDim))
        let attn = Tensor(uninitialized: [n, qDim])
        let mlpRows = Swift.max(1, Swift.min(n, mlpRowChunk))
        let gateUp = Tensor(uninitialized: [mlpRows, 2 * c.intermediateSize])
        let positions = sequences.positions
        let (cos, sin) = rope.tables(positions: positions)
        let scale = 1 / Float(hd).squareRoot()

        embed.forward(ids: ids, into: x, ctx: ctx)
        for (index, layer) in layers.enumerated() {
            layer.inputNorm.forward(x, into: h, ctx: ctx)
            if let rows = outputRows, index == layers.count - 1 {
                // Keys and values of every row; queries only for the rows asked for.
                layer.kv.forward(h, into: qkv.columns(qDim..<(qDim + 2 * kvDim)), ctx: ctx)
                rotate(k, heads: kvHeads, norm: layer.kNorm, cos: cos, sin: sin, ctx: ctx)
                return lastLayer(layer, rows: rows, x: x, h: h, k: k, v: v, positions: positions,
                                 sequences: sequences, gateUp: gateUp, ctx: ctx)
            }
            layer.qkv.forward(h, into: qkv, ctx: ctx)
            rotate(k, heads: kvHeads, norm: layer.kNorm, cos: cos, sin: sin, ctx: ctx)
            rotate(q, heads: heads, norm: layer.qNorm, cos: cos, sin: sin, ctx: ctx)
            Attention.forward(q: q, k: k, v: v, into: attn, sequences: sequences, heads: heads, kvHeads: kvHeads,
                              headDim: hd, scale: scale, causal: true, ctx: ctx)
            layer.o.forward(attn, into: x, accumulate: true, ctx: ctx) // x += attn Woᵀ (+ b)
            layer.postNorm.forward(x, into: h, ctx: ctx)
            mlp(layer, h: h, x: x, gateUp: gateUp, ctx: ctx)
        }
        if let rows = outputRows { // no layers: the embeddings, normed
            let xs = gather(x, rows: rows)
            norm.forward(xs, into: xs, ctx: ctx)
            return xs
        }
        norm.forward(x, into: x, ctx: ctx)
        return x
    }

    /// Qwen3's per-head norm (when the layer has one), then RoPE, in place.
    private func rotate(_ t: Tensor, heads: Int, norm: RMSNorm?, cos: Tensor, sin: Tensor, ctx: ComputeContext) {
        if let norm {
            rope.apply(t, heads: heads, headNorm: norm, cos: cos, sin: sin, ctx: ctx)
        } else {
            rope.apply(t, heads: heads, cos: cos, sin: sin, ctx: ctx)
        }
    }

    /// x += down(silu(gate(h)) * up(h)), `gateUp.shape[0]` rows at a time; `gateUp` holds
    /// the fused projection's output, gate | up side by side.
    private func mlp(_ layer: DecoderLayer, h: Tensor, x: Tensor, gateUp: Tensor, ctx: ComputeContext) {
        let n = h.shape[0], chunk = gateUp.shape[0], inter = config.intermediateSize
        var r0 = 0
        while r0 < n {
            let r1 = Swift.min(n, r0 + chunk)
            let gu = gateUp.rows(0..<(r1 - r0))
            let g = gu.columns(0..<inter), u = gu.columns(inter..<(2 * inter))
            layer.gateUp.forward(h.rows(r0..<r1), into: gu, ctx: ctx)
            Activation.siluMul(gate: g, up: u, into: g, ctx: ctx)
            layer.down.forward(g, into: x.rows(r0..<r1), accumulate: true, ctx: ctx)
            r0 = r1
        }
    }

    /// The last layer for selected rows only, given every row's (normed) input `h` and
    /// keys/values: the same arithmetic per row as the full layer.
    private func lastLayer(_ layer: DecoderLayer, rows: [Int], x: Tensor, h: Tensor, k: Tensor, v: Tensor,
                           positions: [Int], sequences: PackedSequences, gateUp: Tensor, ctx: ComputeContext) -> Tensor {
        let c = config, s = rows.count, hd = c.headDim, heads = c.numAttentionHeads
        var sequenceOf = [Int](repeating: 0, count: s)
        for (i, r) in rows.enumerated() {
            var lo = 0, hi = sequences.count - 1 // the sequence holding row r
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if sequences.offsets[mid] <= r { lo = mid } else { hi = mid - 1 }
            }
            sequenceOf[i] = lo
        }
        let xs = gather(x, rows: rows), hs = gather(h, rows: rows)
        let qs = Tensor(uninitialized: [s, heads * hd]), attn = Tensor(uninitialized: [s, heads * hd])
        layer.q.forward(hs, into: qs, ctx: ctx)
        let rowPositions = rows.map { positions[$0] }
        let (cos, sin) = rope.tables(positions: rowPositions)
        rotate(qs, heads: heads, norm: layer.qNorm, cos: cos, sin: sin, ctx: ctx)
        Attention.forwardSelected(q: qs, positions: rowPositions, sequenceOf: sequenceOf, k: k, v: v, into: attn,
                                  sequences: sequences, heads: heads, kvHeads: c.numKeyValueHeads, headDim: hd,
                                  scale: 1 / Float(hd).squareRoot(), ctx: ctx)
        layer.o.forward(attn, into: xs, accumulate: true, ctx: ctx)
        layer.postNorm.forward(xs, into: hs, ctx: ctx)
        mlp(layer, h: hs, x: xs, gateUp: gateUp, ctx: ctx)
        norm.forward(xs, into: xs, ctx: ctx)
        return xs
    }

    private func gather(_ t: Tensor, rows: [Int]) -> Tensor {
        let w = t.shape[1], out = Tensor(uninitialized: [rows.count, w])
        for (i, r) in rows.enumerated() { (out.f32 + i * w).update(from: t.f32 + r * t.rowStride, count: w) }
        return out
    }

    /// The row transformers reads the score at: the rightmost token that is not
    /// `pad_token_id` (index 0 when every token is padding), or the last token when the
    /// config has no pad token.
    public func scoreRow(_ ids: ArraySlice<Int>) -> Int {
        guard let pad = config.padTokenId else { return ids.count - 1 }
        var last = 0
        for (i, id) in ids.enumerated() where id != pad { last = i }
        return last
    }

    /// Logits [num_labels] for the given rows of `hidden` (all rows when nil).
    public func scoreHead(hidden: Tensor, rows: [Int]? = nil, ctx: ComputeContext) throws -> [[Float]] {
        let rows = rows ?? Array(0..<hidden.shape[0])
        guard let score else {
            throw ModelError.unsupported("this checkpoint has no score head (score.weight); it is a base model, not a reward model")
        }
        let picked = Tensor(uninitialized: [rows.count, config.hiddenSize])
        for (i, r) in rows.enumerated() {
            picked.f32.advanced(by: i * config.hiddenSize).update(from: hidden.f32 + r * hidden.rowStride, count: config.hiddenSize)
        }
        let logits = Tensor(uninitialized: [rows.count, config.numLabels])
        score.forward(picked, into: logits, ctx: ctx)
        let flat = logits.toArray()
        return (0..<rows.count).map { Array(flat[($0 * config.numLabels)..<(($0 + 1) * config.numLabels)]) }
    }
}
