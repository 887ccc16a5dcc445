import SynprefModels
import SynprefTensor

/// Qwen3ForSequenceClassification / LlamaForSequenceClassification for training.
///
/// The forward calls the engine's kernels in the engine's order (`DecoderModel.forward`:
/// embedding, then per layer RMSNorm → q/k/v GEMMs → [Qwen3 q/k RMSNorm] → RoPE →
/// attention → o GEMM accumulated into the residual → RMSNorm → gate/up GEMMs → SiLU·mul
/// → down GEMM accumulated; final RMSNorm; score GEMM on the picked rows), writing each
/// intermediate into its own buffer instead of in place so the backward can read it. A
/// test checks that the rewards equal the engine's bit for bit.
///
/// With `recomputeLayers` (gradient checkpointing) only each layer's input is kept and a
/// layer's activations are recomputed just before its backward: memory O(layers × tokens ×
/// hidden) + one layer's activations.
public final class TrainableDecoder: TrainableRewardModel, @unchecked Sendable {
    // @unchecked Sendable: parameters and buffers are used by one training step at a time.

    struct Layer {
        let inputNorm: Parameter
        let q, k, v, o: TrainableLinear
        let qNorm, kNorm: Parameter?
        let postNorm: Parameter
        let gate, up, down: TrainableLinear
    }

    /// One layer's saved activations (shapes for N tokens; Q = heads·D, KV = kvHeads·D,
    /// I = intermediate).
    struct Tape {
        var h1: Tensor        // [N, H]   input_layernorm(x)
        var qPre: Tensor?     // [N, Q]   q_proj output before q_norm (Qwen3)
        var kPre: Tensor?     // [N, KV]
        var q: Tensor         // [N, Q]   after norm + RoPE (attention input)
        var k: Tensor         // [N, KV]
        var v: Tensor         // [N, KV]
        var attn: Tensor      // [N, Q]   attention output
        var lse: Tensor       // [heads, N]
        var xMid: Tensor      // [N, H]   residual after attention
        var h2: Tensor        // [N, H]   post_attention_layernorm(xMid)
        var gate: Tensor      // [N, I]   gate_proj output
        var up: Tensor        // [N, I]
        var act: Tensor       // [N, I]   silu(gate) · up
        var lora: [String: Tensor] = [:]  // x Aᵀ per adapted projection
    }

    public let config: ModelConfig
    public let decoderConfig: DecoderConfig
    public let parameters: ParameterSet
    let embed: Parameter
    let layers: [Layer]
    let norm: Parameter
    let score: Parameter
    let rope: RotaryEmbedding
    /// Gradient checkpointing: recompute each layer's activations in the backward.
    public var recomputeLayers: Bool
    public let loraAdapters: [String: LoRAAdapter]

    private let kept = Arena()      // layer inputs, tapes (unless recomputing), head state
    private let scratch = Arena()   // per-layer temporaries of the backward / recomputation
    private let grads = Arena()     // the residual stream's gradient, carried down through the layers
    private var last: ForwardState?

    struct ForwardState {
        let batch: TrainingBatch
        let cos: Tensor, sin: Tensor
        /// inputs[l] = residual stream entering layer l; inputs[L] = after the last layer.
        let inputs: [Tensor]
        let tapes: [Tape]           // empty when recomputing
        let normed: Tensor          // [N, H] final norm output
        let rows: [Int]             // score row of each sequence
        let picked: Tensor          // [S, H]
    }

    /// Builds the model over `parameters`, named as transformers names a
    /// `*ForSequenceClassification` checkpoint ("model.layers.0.self_attn.q_proj.weight",
    /// ..., "score.weight"); `lora` maps adapted projection names (the weight's prefix) to
    /// their adapters.
    init(config c: DecoderConfig, parameters: ParameterSet, lora: [String: LoRAAdapter] = [:], recomputeLayers: Bool = false) {
        self.decoderConfig = c
        self.config = .decoder(c)
        self.parameters = parameters
        self.recomputeLayers = recomputeLayers
        self.loraAdapters = lora
        let p = parameters
        func linear(_ name: String, bias: Bool) -> TrainableLinear {
            TrainableLinear(weight: p.require("\(name).weight"), bias: bias ? p.require("\(name).bias") : nil, lora: lora[name])
        }
        let qwen3 = c.architecture == .qwen3ForSequenceClassification
        embed = p.require("model.embed_tokens.weight")
        layers = (0..<c.numHiddenLayers).map { i in
            let l = "model.layers.\(i)"
            return Layer(
                inputNorm: p.require("\(l).input_layernorm.weight"),
                q: linear("\(l).self_attn.q_proj", bias: c.attentionBias),
                k: linear("\(l).self_attn.k_proj", bias: c.attentionBias),
                v: linear("\(l).self_attn.v_proj", bias: c.attentionBias),
                o: linear("\(l).self_attn.o_proj", bias: c.attentionBias),
                qNorm: qwen3 ? p.require("\(l).self_attn.q_norm.weight") : nil,
                kNorm: qwen3 ? p.require("\(l).self_attn.k_norm.weight") : nil,
                postNorm: p.require("\(l).post_attention_layernorm.weight"),
                gate: linear("\(l).mlp.gate_proj", bias: c.mlpBias),
                up: linear("\(l).mlp.up_proj", bias: c.mlpBias),
                down: linear("\(l).mlp.down_proj", bias: c.mlpBias))
        }
        norm = p.require("model.norm.weight")
        score = p.require("score.weight")
        let scaling = c.ropeScaling.map {
            RotaryEmbedding.Llama3(factor: Float($0.factor), lowFreqFactor: Float($0.lowFreqFactor),
                                   highFreqFactor: Float($0.highFreqFactor),
                                   originalMaxPositionEmbeddings: $0.originalMaxPositionEmbeddings)
        }
        rope = RotaryEmbedding(headDim: c.headDim, theta: c.ropeTheta, llama3: scaling)
    }

    public var activationPeakFloats: Int { kept.peak + scratch.peak + grads.peak }

    /// The row transformers reads the score at (the engine's `DecoderModel.scoreRow` rule):
    /// the rightmost token that is not `pad_token_id`, or the last token without a pad id.
    func scoreRow(_ ids: ArraySlice<Int>) -> Int {
        guard let pad = decoderConfig.padTokenId else { return ids.count - 1 }
        var last = 0
        for (i, id) in ids.enumerated() where id != pad { last = i }
        return last
    }

    // MARK: - Forward

    public func forward(_ batch: TrainingBatch, ctx: ComputeContext) -> [Float] {
        let c = decoderConfig, n = batch.tokenCount, h = c.hiddenSize
        kept.reset()
        let (cos, sin) = rope.tables(positions: batch.sequences.positions)
        var inputs = [kept.tensor([n, h])]
        Embedding(weight: embed.value).forward(ids: batch.ids, into: inputs[0], ctx: ctx)
        var tapes: [Tape] = []
        for layer in layers {
            let out = kept.tensor([n, h])
            if recomputeLayers {
                scratch.reset()
                _ = layerForward(layer, x: inputs[inputs.count - 1], out: out, batch: batch, cos: cos, sin: sin, arena: scratch, ctx: ctx)
            } else {
                tapes.append(layerForward(layer, x: inputs[inputs.count - 1], out: out, batch: batch, cos: cos, sin: sin, arena: kept, ctx: ctx))
            }
            inputs.append(out)
        }
        let xLast = inputs[inputs.count - 1]
        let normed = kept.tensor([n, h])
        RMSNorm(weight: norm.value, eps: Float(c.rmsNormEps)).forward(xLast, into: normed, ctx: ctx)
        let rows = (0..<batch.count).map { batch.sequences.offsets[$0] + scoreRow(batch.tokens($0)) }
        let picked = kept.tensor([rows.count, h])
        for (i, r) in rows.enumerated() {
            picked.f32.advanced(by: i * h).update(from: normed.f32 + r * normed.rowStride, count: h)
        }
        let logits = kept.tensor([rows.count, c.numLabels])
        Linear(weight: score.value).forward(picked, into: logits, ctx: ctx)
        last = ForwardState(batch: batch, cos: cos, sin: sin, inputs: inputs, tapes: tapes, normed: normed, rows: rows, picked: picked)
        let flat = logits.toArray(), l = c.numLabels
        return (0..<rows.count).map { flat[$0 * l] }
    }

    /// One decoder layer: out = x + attention(…) + mlp(…); x is left unchanged.
    private func layerForward(
        _ L: Layer, x: Tensor, out: Tensor, batch: TrainingBatch, cos: Tensor, sin: Tensor, arena: Arena, ctx: ComputeContext
    ) -> Tape {
        let c = decoderConfig, n = batch.tokenCount, h = c.hiddenSize, hd = c.headDim
        let heads = c.numAttentionHeads, kvHeads = c.numKeyValueHeads, inter = c.intermediateSize
        let eps = Float(c.rmsNormEps)
        let qwen3 = L.qNorm != nil
        var t = Tape(
            h1: arena.tensor([n, h]), qPre: qwen3 ? arena.tensor([n, heads * hd]) : nil,
            kPre: qwen3 ? arena.tensor([n, kvHeads * hd]) : nil,
            q: arena.tensor([n, heads * hd]), k: arena.tensor([n, kvHeads * hd]), v: arena.tensor([n, kvHeads * hd]),
            attn: arena.tensor([n, heads * hd]), lse: arena.tensor([heads, n]), xMid: arena.tensor([n, h]),
            h2: arena.tensor([n, h]), gate: arena.tensor([n, inter]), up: arena.tensor([n, inter]), act: arena.tensor([n, inter]))
        func lora(_ lin: TrainableLinear, _ key: String) -> Tensor? {
            guard let a = lin.lora else { return nil }
            let buffer = arena.tensor([n, a.rank])
            t.lora[key] = buffer
            return buffer
        }
        RMSNorm(weight: L.inputNorm.value, eps: eps).forward(x, into: t.h1, ctx: ctx)
        L.q.forward(t.h1, into: t.qPre ?? t.q, loraHidden: lora(L.q, "q"), ctx: ctx)
        L.k.forward(t.h1, into: t.kPre ?? t.k, loraHidden: lora(L.k, "k"), ctx: ctx)
        L.v.forward(t.h1, into: t.v, loraHidden: lora(L.v, "v"), ctx: ctx)
        if let qn = L.qNorm, let kn = L.kNorm, let qPre = t.qPre, let kPre = t.kPre {
            RMSNorm(weight: qn.value, eps: eps).forward(qPre.reshaped([n * heads, hd]), into: t.q.reshaped([n * heads, hd]), ctx: ctx)
            RMSNorm(weight: kn.value, eps: eps).forward(kPre.reshaped([n * kvHeads, hd]), into: t.k.reshaped([n * kvHeads, hd]), ctx: ctx)
        }
        rope.apply(t.q, heads: heads, cos: cos, sin: sin, ctx: ctx)
        rope.apply(t.k, heads: kvHeads, cos: cos, sin: sin, ctx: ctx)
        Attention.forward(q: t.q, k: t.k, v: t.v, into: t.attn, sequences: batch.sequences, heads: heads, kvHeads: kvHeads,
                          headDim: hd, scale: 1 / Float(hd).squareRoot(), causal: true, ctx: ctx, lse: t.lse)
        copy(x, into: t.xMid)
        L.o.forward(t.attn, into: t.xMid, accumulate: true, loraHidden: lora(L.o, "o"), ctx: ctx)
        RMSNorm(weight: L.postNorm.value, eps: eps).forward(t.xMid, into: t.h2, ctx: ctx)
        L.gate.forward(t.h2, into: t.gate, loraHidden: lora(L.gate, "gate"), ctx: ctx)
        L.up.forward(t.h2, into: t.up, loraHidden: lora(L.up, "up"), ctx: ctx)
        Activation.siluMul(gate: t.gate, up: t.up, into: t.act, ctx: ctx)
        copy(t.xMid, into: out)
        L.down.forward(t.act, into: out, accumulate: true, loraHidden: lora(L.down, "down"), ctx: ctx)
        return t
    }

    // MARK: - Backward

    public func backward(dRewards: [Float], ctx: ComputeContext) {
        guard let s = last else { preconditionFailure("backward without a forward") }
        let c = decoderConfig, n = s.batch.tokenCount, h = c.hiddenSize
        precondition(dRewards.count == s.rows.count, "one reward gradient per sequence")
        scratch.reset()
        // Score head: logits[S, 1] = picked · scoreᵀ.
        let dLogits = Tensor(dRewards, shape: [s.rows.count, 1])
        let dPicked = scratch.tensor([s.rows.count, h])
        LinearBackward.backward(dy: dLogits, x: s.picked, weight: score.value, dx: dPicked, dWeight: score.grad, dBias: nil, ctx: ctx)
        let dNormed = scratch.zeros([n, h])
        for (i, r) in s.rows.enumerated() {
            let dst = dNormed.f32 + r * h, src = dPicked.f32 + i * h
            for j in 0..<h { dst[j] += src[j] }
        }
        // The residual stream's gradient lives apart from the per-layer scratch, which is
        // reset for every layer.
        grads.reset()
        let dx = grads.zeros([n, h])
        NormBackward.rmsNorm(dy: dNormed, x: s.inputs[layers.count], weight: norm.value, eps: Float(c.rmsNormEps),
                             dx: dx, dWeight: norm.grad, ctx: ctx)
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            scratch.reset()
            let tape: Tape
            if recomputeLayers {
                let out = scratch.tensor([n, h])
                tape = layerForward(layers[l], x: s.inputs[l], out: out, batch: s.batch, cos: s.cos, sin: s.sin, arena: scratch, ctx: ctx)
            } else {
                tape = s.tapes[l]
            }
            layerBackward(layers[l], tape: tape, x: s.inputs[l], dx: dx, batch: s.batch, cos: s.cos, sin: s.sin, ctx: ctx)
        }
        if let dEmbed = embed.grad {
            EmbeddingBackward.backward(dOut: dx, ids: s.batch.ids.map { Int32(truncatingIfNeeded: $0) }, dTable: dEmbed, ctx: ctx)
        }
    }

    /// dx: on entry ∂L/∂(layer output), on return ∂L/∂(layer input).
    private func layerBackward(
        _ L: Layer, tape t: Tape, x: Tensor, dx: Tensor, batch: TrainingBatch, cos: Tensor, sin: Tensor, ctx: ComputeContext
    ) {
        let c = decoderConfig, n = batch.tokenCount, h = c.hiddenSize, hd = c.headDim
        let heads = c.numAttentionHeads, kvHeads = c.numKeyValueHeads, inter = c.intermediateSize
        let eps = Float(c.rmsNormEps)
        // MLP: out = xMid + act · downᵀ
        let dAct = scratch.tensor([n, inter])
        L.down.backward(dy: dx, x: t.act, dx: dAct, loraHidden: t.lora["down"], scratch: scratch, ctx: ctx)
        // act = silu(gate) · up; the gate/up buffers become their gradients.
        ActivationBackward.siluMul(dOut: dAct, gate: t.gate, up: t.up, dGate: t.gate, dUp: t.up, ctx: ctx)
        let dh2 = scratch.tensor([n, h])
        L.gate.backward(dy: t.gate, x: t.h2, dx: dh2, loraHidden: t.lora["gate"], scratch: scratch, ctx: ctx)
        L.up.backward(dy: t.up, x: t.h2, dx: dh2, accumulateInput: true, loraHidden: t.lora["up"], scratch: scratch, ctx: ctx)
        NormBackward.rmsNorm(dy: dh2, x: t.xMid, weight: L.postNorm.value, eps: eps, dx: dx, dWeight: L.postNorm.grad, ctx: ctx)
        // Attention: xMid = x + attn · oᵀ
        let dAttn = scratch.tensor([n, heads * hd])
        L.o.backward(dy: dx, x: t.attn, dx: dAttn, loraHidden: t.lora["o"], scratch: scratch, ctx: ctx)
        let dq = scratch.tensor([n, heads * hd]), dk = scratch.tensor([n, kvHeads * hd]), dv = scratch.tensor([n, kvHeads * hd])
        AttentionBackward.backward(dOut: dAttn, q: t.q, k: t.k, v: t.v, out: t.attn, lse: t.lse, dq: dq, dk: dk, dv: dv,
                                   sequences: batch.sequences, heads: heads, kvHeads: kvHeads, headDim: hd,
                                   scale: 1 / Float(hd).squareRoot(), causal: true, ctx: ctx)
        RotaryBackward.apply(dq, rope: rope, heads: heads, cos: cos, sin: sin, ctx: ctx)
        RotaryBackward.apply(dk, rope: rope, heads: kvHeads, cos: cos, sin: sin, ctx: ctx)
        var dqIn = dq, dkIn = dk
        if let qn = L.qNorm, let kn = L.kNorm, let qPre = t.qPre, let kPre = t.kPre {
            dqIn = scratch.zeros([n, heads * hd])
            dkIn = scratch.zeros([n, kvHeads * hd])
            NormBackward.rmsNorm(dy: dq.reshaped([n * heads, hd]), x: qPre.reshaped([n * heads, hd]), weight: qn.value, eps: eps,
                                 dx: dqIn.reshaped([n * heads, hd]), dWeight: qn.grad, ctx: ctx)
            NormBackward.rmsNorm(dy: dk.reshaped([n * kvHeads, hd]), x: kPre.reshaped([n * kvHeads, hd]), weight: kn.value, eps: eps,
                                 dx: dkIn.reshaped([n * kvHeads, hd]), dWeight: kn.grad, ctx: ctx)
        }
        let dh1 = scratch.tensor([n, h])
        L.q.backward(dy: dqIn, x: t.h1, dx: dh1, loraHidden: t.lora["q"], scratch: scratch, ctx: ctx)
        L.k.backward(dy: dkIn, x: t.h1, dx: dh1, accumulateInput: true, loraHidden: t.lora["k"], scratch: scratch, ctx: ctx)
        L.v.backward(dy: dv, x: t.h1, dx: dh1, accumulateInput: true, loraHidden: t.lora["v"], scratch: scratch, ctx: ctx)
        NormBackward.rmsNorm(dy: dh1, x: x, weight: L.inputNorm.value, eps: eps, dx: dx, dWeight: L.inputNorm.grad, ctx: ctx)
    }
}

/// dst = src (same shape, contiguous rows of `shape[1]`).
func copy(_ src: Tensor, into dst: Tensor) {
    precondition(src.shape == dst.shape, "copy \(src.shape) into \(dst.shape)")
    let rows = src.shape[0], width = src.count / Swift.max(1, rows)
    if src.isContiguous && dst.isContiguous {
        dst.f32.update(from: src.f32, count: src.count)
        return
    }
    for r in 0..<rows { (dst.f32 + r * dst.rowStride).update(from: src.f32 + r * src.rowStride, count: width) }
}
