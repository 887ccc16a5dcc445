import SynprefModels
import SynprefTensor

/// BertForSequenceClassification for training (no dropout: Synpref trains
/// deterministically, like transformers in eval mode).
///
/// The forward calls the engine's kernels in `BertEncoder.forward`'s order (word +
/// position + token-type embeddings → LayerNorm; per layer q/k/v GEMMs → bidirectional
/// attention → output GEMM accumulated into the residual → LayerNorm → intermediate GEMM →
/// GELU → output GEMM accumulated → LayerNorm; pooler GEMM + tanh on each sequence's first
/// token; classifier GEMM), keeping each intermediate in its own buffer. A test checks the
/// rewards equal the engine's bit for bit.
public final class TrainableBert: TrainableRewardModel, @unchecked Sendable {
    // @unchecked Sendable: parameters and buffers are used by one training step at a time.

    struct Norm {
        let weight: Parameter, bias: Parameter
        func layerNorm(_ eps: Float) -> LayerNorm { LayerNorm(weight: weight.value, bias: bias.value, eps: eps) }
    }

    struct Layer {
        let q, k, v, attnOut: TrainableLinear
        let attnNorm: Norm
        let inter, out: TrainableLinear
        let outNorm: Norm
    }

    /// One layer's saved activations (N tokens, H hidden, I intermediate).
    struct Tape {
        var q, k, v: Tensor   // [N, H]
        var attn: Tensor      // [N, H]
        var lse: Tensor       // [heads, N]
        var xa: Tensor        // [N, H]  x + attention output (LayerNorm input)
        var x1: Tensor        // [N, H]  attention LayerNorm output
        var inter: Tensor     // [N, I]  intermediate GEMM output (GELU input)
        var g: Tensor         // [N, I]  gelu(inter)
        var xb: Tensor        // [N, H]  x1 + output GEMM (LayerNorm input)
        var lora: [String: Tensor] = [:]
    }

    public let config: ModelConfig
    public let bertConfig: BertConfig
    public let parameters: ParameterSet
    let word, position, tokenType: Parameter
    let embNorm: Norm
    let layers: [Layer]
    let pooler: TrainableLinear
    let classifier: TrainableLinear
    public var recomputeLayers: Bool
    public let loraAdapters: [String: LoRAAdapter]

    private let kept = Arena()
    private let scratch = Arena()
    private let grads = Arena()   // the residual stream's gradient, kept across layers
    private var last: ForwardState?

    struct ForwardState {
        let batch: TrainingBatch
        let positions: [Int]
        let embedded: Tensor       // [N, H] sum of the three embeddings (LayerNorm input)
        let inputs: [Tensor]       // inputs[l] enters layer l; inputs[L] = last_hidden_state
        let tapes: [Tape]
        let first: Tensor          // [S, H] each sequence's first-token state
        let pooled: Tensor         // [S, H] tanh(pooler)
    }

    /// Parameters named as transformers names `BertForSequenceClassification`
    /// ("bert.embeddings.word_embeddings.weight", ..., "classifier.weight").
    init(config c: BertConfig, parameters: ParameterSet, lora: [String: LoRAAdapter] = [:], recomputeLayers: Bool = false) {
        self.bertConfig = c
        self.config = .bert(c)
        self.parameters = parameters
        self.recomputeLayers = recomputeLayers
        self.loraAdapters = lora
        let p = parameters
        func linear(_ name: String) -> TrainableLinear {
            TrainableLinear(weight: p.require("\(name).weight"), bias: p.require("\(name).bias"), lora: lora[name])
        }
        func norm(_ name: String) -> Norm { Norm(weight: p.require("\(name).weight"), bias: p.require("\(name).bias")) }
        word = p.require("bert.embeddings.word_embeddings.weight")
        position = p.require("bert.embeddings.position_embeddings.weight")
        tokenType = p.require("bert.embeddings.token_type_embeddings.weight")
        embNorm = norm("bert.embeddings.LayerNorm")
        layers = (0..<c.numHiddenLayers).map { i in
            let l = "bert.encoder.layer.\(i)"
            return Layer(
                q: linear("\(l).attention.self.query"), k: linear("\(l).attention.self.key"),
                v: linear("\(l).attention.self.value"), attnOut: linear("\(l).attention.output.dense"),
                attnNorm: norm("\(l).attention.output.LayerNorm"),
                inter: linear("\(l).intermediate.dense"), out: linear("\(l).output.dense"),
                outNorm: norm("\(l).output.LayerNorm"))
        }
        pooler = linear("bert.pooler.dense")
        classifier = TrainableLinear(weight: p.require("classifier.weight"), bias: p.require("classifier.bias"))
    }

    public var activationPeakFloats: Int { kept.peak + scratch.peak + grads.peak }

    private var eps: Float { Float(bertConfig.layerNormEps) }

    // MARK: - Forward

    public func forward(_ batch: TrainingBatch, ctx: ComputeContext) -> [Float] {
        let c = bertConfig, n = batch.tokenCount, h = c.hiddenSize
        kept.reset()
        let positions = batch.sequences.positions
        let embedded = kept.tensor([n, h])
        Embedding(weight: word.value).forward(ids: batch.ids, into: embedded, ctx: ctx)
        Embedding(weight: position.value).forward(ids: positions, into: embedded, accumulate: true, ctx: ctx)
        Embedding(weight: tokenType.value).forward(ids: batch.tokenTypes, into: embedded, accumulate: true, ctx: ctx)
        var inputs = [kept.tensor([n, h])]
        embNorm.layerNorm(eps).forward(embedded, into: inputs[0], ctx: ctx)
        var tapes: [Tape] = []
        for layer in layers {
            let out = kept.tensor([n, h])
            if recomputeLayers {
                scratch.reset()
                _ = layerForward(layer, x: inputs[inputs.count - 1], out: out, batch: batch, arena: scratch, ctx: ctx)
            } else {
                tapes.append(layerForward(layer, x: inputs[inputs.count - 1], out: out, batch: batch, arena: kept, ctx: ctx))
            }
            inputs.append(out)
        }
        let hidden = inputs[inputs.count - 1]
        let s = batch.count
        let first = kept.tensor([s, h])
        for i in 0..<s {
            first.f32.advanced(by: i * h).update(from: hidden.f32 + batch.sequences.offsets[i] * hidden.rowStride, count: h)
        }
        let pooled = kept.tensor([s, h])
        pooler.forward(first, into: pooled, ctx: ctx)
        Activation.tanh(pooled, ctx: ctx)
        let logits = kept.tensor([s, c.numLabels])
        classifier.forward(pooled, into: logits, ctx: ctx)
        last = ForwardState(batch: batch, positions: positions, embedded: embedded, inputs: inputs, tapes: tapes, first: first, pooled: pooled)
        let flat = logits.toArray(), l = c.numLabels
        return (0..<s).map { flat[$0 * l] }
    }

    private func layerForward(_ L: Layer, x: Tensor, out: Tensor, batch: TrainingBatch, arena: Arena, ctx: ComputeContext) -> Tape {
        let c = bertConfig, n = batch.tokenCount, h = c.hiddenSize
        let heads = c.numAttentionHeads, hd = h / heads
        var t = Tape(q: arena.tensor([n, h]), k: arena.tensor([n, h]), v: arena.tensor([n, h]), attn: arena.tensor([n, h]),
                     lse: arena.tensor([heads, n]), xa: arena.tensor([n, h]), x1: arena.tensor([n, h]),
                     inter: arena.tensor([n, c.intermediateSize]), g: arena.tensor([n, c.intermediateSize]), xb: arena.tensor([n, h]))
        func lora(_ lin: TrainableLinear, _ key: String) -> Tensor? {
            guard let a = lin.lora else { return nil }
            let buffer = arena.tensor([n, a.rank])
            t.lora[key] = buffer
            return buffer
        }
        L.q.forward(x, into: t.q, loraHidden: lora(L.q, "q"), ctx: ctx)
        L.k.forward(x, into: t.k, loraHidden: lora(L.k, "k"), ctx: ctx)
        L.v.forward(x, into: t.v, loraHidden: lora(L.v, "v"), ctx: ctx)
        Attention.forward(q: t.q, k: t.k, v: t.v, into: t.attn, sequences: batch.sequences, heads: heads, kvHeads: heads,
                          headDim: hd, scale: 1 / Float(hd).squareRoot(), causal: false, ctx: ctx, lse: t.lse)
        copy(x, into: t.xa)
        L.attnOut.forward(t.attn, into: t.xa, accumulate: true, loraHidden: lora(L.attnOut, "attnOut"), ctx: ctx)
        L.attnNorm.layerNorm(eps).forward(t.xa, into: t.x1, ctx: ctx)
        L.inter.forward(t.x1, into: t.inter, loraHidden: lora(L.inter, "inter"), ctx: ctx)
        copy(t.inter, into: t.g)
        Activation.gelu(t.g, ctx: ctx)
        copy(t.x1, into: t.xb)
        L.out.forward(t.g, into: t.xb, accumulate: true, loraHidden: lora(L.out, "out"), ctx: ctx)
        L.outNorm.layerNorm(eps).forward(t.xb, into: out, ctx: ctx)
        return t
    }

    // MARK: - Backward

    public func backward(dRewards: [Float], ctx: ComputeContext) {
        guard let s = last else { preconditionFailure("backward without a forward") }
        let c = bertConfig, n = s.batch.tokenCount, h = c.hiddenSize, count = s.batch.count
        precondition(dRewards.count == count, "one reward gradient per sequence")
        scratch.reset()
        grads.reset()
        // Head: logits = classifier(tanh(pooler(first))).
        let dPooled = scratch.tensor([count, h])
        classifier.backward(dy: Tensor(dRewards, shape: [count, 1]), x: s.pooled, dx: dPooled, scratch: scratch, ctx: ctx)
        ActivationBackward.tanh(dy: dPooled, y: s.pooled, dx: dPooled, ctx: ctx)
        let dFirst = scratch.tensor([count, h])
        pooler.backward(dy: dPooled, x: s.first, dx: dFirst, scratch: scratch, ctx: ctx)
        var dx = grads.zeros([n, h])
        for i in 0..<count {
            let dst = dx.f32 + s.batch.sequences.offsets[i] * h, src = dFirst.f32 + i * h
            for j in 0..<h { dst[j] += src[j] }
        }
        // Two buffers take turns: a layer reads the gradient of its output from one and
        // writes that of its input into the other.
        var spare = grads.tensor([n, h])
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            scratch.reset()
            let tape: Tape
            if recomputeLayers {
                tape = layerForward(layers[l], x: s.inputs[l], out: scratch.tensor([n, h]), batch: s.batch, arena: scratch, ctx: ctx)
            } else {
                tape = s.tapes[l]
            }
            layerBackward(layers[l], tape: tape, x: s.inputs[l], dOut: dx, dIn: spare, batch: s.batch, ctx: ctx)
            swap(&dx, &spare)
        }
        // Embeddings: inputs[0] = LayerNorm(word + position + token type).
        let dEmb = grads.zeros([n, h])
        NormBackward.layerNorm(dy: dx, x: s.embedded, weight: embNorm.weight.value, eps: eps, dx: dEmb,
                               dWeight: embNorm.weight.grad, dBias: embNorm.bias.grad, ctx: ctx)
        let scatter: [(Parameter, [Int])] = [(word, s.batch.ids), (position, s.positions), (tokenType, s.batch.tokenTypes)]
        for (table, ids) in scatter {
            if let g = table.grad { EmbeddingBackward.backward(dOut: dEmb, ids: ids.map { Int32(truncatingIfNeeded: $0) }, dTable: g, ctx: ctx) }
        }
    }

    /// dOut = ∂L/∂(layer output); WRITES dIn = ∂L/∂(layer input).
    private func layerBackward(_ L: Layer, tape t: Tape, x: Tensor, dOut: Tensor, dIn: Tensor, batch: TrainingBatch, ctx: ComputeContext) {
        let c = bertConfig, n = batch.tokenCount, h = c.hiddenSize
        let heads = c.numAttentionHeads, hd = h / heads
        // out = LayerNorm(xb), xb = x1 + g · outᵀ
        let dxb = scratch.zeros([n, h])
        NormBackward.layerNorm(dy: dOut, x: t.xb, weight: L.outNorm.weight.value, eps: eps, dx: dxb,
                               dWeight: L.outNorm.weight.grad, dBias: L.outNorm.bias.grad, ctx: ctx)
        let dg = scratch.tensor([n, c.intermediateSize])
        L.out.backward(dy: dxb, x: t.g, dx: dg, loraHidden: t.lora["out"], scratch: scratch, ctx: ctx)
        ActivationBackward.gelu(dy: dg, x: t.inter, y: t.g, dx: dg, ctx: ctx)
        // x1 feeds both the residual (dxb) and the intermediate GEMM.
        let dx1 = dxb
        L.inter.backward(dy: dg, x: t.x1, dx: dx1, accumulateInput: true, loraHidden: t.lora["inter"], scratch: scratch, ctx: ctx)
        // x1 = LayerNorm(xa), xa = x + attn · attnOutᵀ
        let dxa = scratch.zeros([n, h])
        NormBackward.layerNorm(dy: dx1, x: t.xa, weight: L.attnNorm.weight.value, eps: eps, dx: dxa,
                               dWeight: L.attnNorm.weight.grad, dBias: L.attnNorm.bias.grad, ctx: ctx)
        let dAttn = scratch.tensor([n, h])
        L.attnOut.backward(dy: dxa, x: t.attn, dx: dAttn, loraHidden: t.lora["attnOut"], scratch: scratch, ctx: ctx)
        let dq = scratch.tensor([n, h]), dk = scratch.tensor([n, h]), dv = scratch.tensor([n, h])
        AttentionBackward.backward(dOut: dAttn, q: t.q, k: t.k, v: t.v, out: t.attn, lse: t.lse, dq: dq, dk: dk, dv: dv,
                                   sequences: batch.sequences, heads: heads, kvHeads: heads, headDim: hd,
                                   scale: 1 / Float(hd).squareRoot(), causal: false, ctx: ctx)
        copy(dxa, into: dIn)
        L.q.backward(dy: dq, x: x, dx: dIn, accumulateInput: true, loraHidden: t.lora["q"], scratch: scratch, ctx: ctx)
        L.k.backward(dy: dk, x: x, dx: dIn, accumulateInput: true, loraHidden: t.lora["k"], scratch: scratch, ctx: ctx)
        L.v.backward(dy: dv, x: x, dx: dIn, accumulateInput: true, loraHidden: t.lora["v"], scratch: scratch, ctx: ctx)
    }
}
