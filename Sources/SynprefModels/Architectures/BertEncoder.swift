import SynprefTensor

/// One BERT layer (post-norm): attention + residual + LayerNorm, GELU MLP + residual +
/// LayerNorm.
struct BertLayer: Sendable {
    /// query, key and value as one projection (bf16/f16 weights widen into one tile).
    let qkv: FusedLinear
    let attnOut: Linear
    let attnNorm: LayerNorm
    let inter, out: Linear
    let outNorm: LayerNorm
}

/// BertModel / BertForSequenceClassification: absolute position and token-type
/// embeddings, bidirectional attention per packed sequence, pooler (tanh of a dense layer
/// on the first token) and a classifier on the pooled output; also mean-pooled token
/// embeddings (sentence-transformers models such as all-MiniLM-L6-v2).
public struct BertEncoder: Sendable {
    public let config: BertConfig
    let word, position, tokenType: Embedding
    let embNorm: LayerNorm
    let layers: [BertLayer]
    let pooler: Linear?
    let classifier: Linear?

    public init(config c: BertConfig, weights: Weights) throws {
        guard c.hiddenAct == "gelu" else {
            throw ModelError.unsupported("BERT hidden_act \"\(c.hiddenAct)\" is not supported; supported: gelu")
        }
        self.config = c
        let base = weights.contains("bert.embeddings.word_embeddings.weight") ? weights.pp("bert") : weights
        let h = c.hiddenSize, eps = Float(c.layerNormEps)
        func layerNorm(_ w: Weights, _ name: String) throws -> LayerNorm {
            // Old TensorFlow-converted checkpoints name the parameters gamma/beta.
            let old = !w.contains("\(name).weight") && w.contains("\(name).gamma")
            return LayerNorm(weight: try w.f32("\(name).\(old ? "gamma" : "weight")", shape: [h]),
                             bias: try w.f32("\(name).\(old ? "beta" : "bias")", shape: [h]), eps: eps)
        }
        let e = base.pp("embeddings")
        word = Embedding(weight: try e.stored("word_embeddings.weight", shape: [c.vocabSize, h]))
        position = Embedding(weight: try e.stored("position_embeddings.weight", shape: [c.maxPositionEmbeddings, h]))
        tokenType = Embedding(weight: try e.stored("token_type_embeddings.weight", shape: [c.typeVocabSize, h]))
        embNorm = try layerNorm(e, "LayerNorm")
        layers = try (0..<c.numHiddenLayers).map { i in
            let l = base.pp("encoder.layer.\(i)")
            let s = l.pp("attention.self")
            return BertLayer(
                qkv: FusedLinear([try s.linear("query", out: h, in: h, bias: true),
                                  try s.linear("key", out: h, in: h, bias: true),
                                  try s.linear("value", out: h, in: h, bias: true)]),
                attnOut: try l.linear("attention.output.dense", out: h, in: h, bias: true),
                attnNorm: try layerNorm(l, "attention.output.LayerNorm"),
                inter: try l.linear("intermediate.dense", out: c.intermediateSize, in: h, bias: true),
                out: try l.linear("output.dense", out: h, in: c.intermediateSize, bias: true),
                outNorm: try layerNorm(l, "output.LayerNorm"))
        }
        pooler = base.contains("pooler.dense.weight") ? try base.linear("pooler.dense", out: h, in: h, bias: true) : nil
        classifier = weights.contains("classifier.weight")
            ? Linear(weight: try weights.f32("classifier.weight", shape: [c.numLabels, h]),
                     bias: try weights.f32("classifier.bias", shape: [c.numLabels]))
            : nil
    }

    /// last_hidden_state [N, hidden] of a packed batch (ids, types and lengths validated).
    public func forward(ids: [Int], tokenTypes: [Int], sequences: PackedSequences, ctx: ComputeContext) -> Tensor {
        let c = config, n = ids.count, h = c.hiddenSize
        let heads = c.numAttentionHeads, hd = h / heads
        let x = Tensor(uninitialized: [n, h])
        word.forward(ids: ids, into: x, ctx: ctx)
        position.forward(ids: sequences.positions, into: x, accumulate: true, ctx: ctx)
        tokenType.forward(ids: tokenTypes, into: x, accumulate: true, ctx: ctx)
        embNorm.forward(x, into: x, ctx: ctx)
        let qkv = Tensor(uninitialized: [n, 3 * h])
        let q = qkv.columns(0..<h), k = qkv.columns(h..<(2 * h)), v = qkv.columns((2 * h)..<(3 * h))
        let attn = Tensor(uninitialized: [n, h])
        let inter = Tensor(uninitialized: [n, c.intermediateSize])
        let scale = 1 / Float(hd).squareRoot()
        for layer in layers {
            layer.qkv.forward(x, into: qkv, ctx: ctx)
            Attention.forward(q: q, k: k, v: v, into: attn, sequences: sequences, heads: heads, kvHeads: heads,
                              headDim: hd, scale: scale, causal: false, ctx: ctx)
            layer.attnOut.forward(attn, into: x, accumulate: true, ctx: ctx)
            layer.attnNorm.forward(x, into: x, ctx: ctx)
            layer.inter.forward(x, into: inter, ctx: ctx)
            Activation.gelu(inter, ctx: ctx)
            layer.out.forward(inter, into: x, accumulate: true, ctx: ctx)
            layer.outNorm.forward(x, into: x, ctx: ctx)
        }
        return x
    }

    /// The hidden state of each sequence's first token ([CLS]) [S, hidden].
    public func firstTokens(hidden: Tensor, sequences: PackedSequences) -> Tensor {
        let h = config.hiddenSize
        let first = Tensor(uninitialized: [sequences.count, h])
        for s in 0..<sequences.count {
            first.f32.advanced(by: s * h).update(from: hidden.f32 + sequences.offsets[s] * hidden.rowStride, count: h)
        }
        return first
    }

    /// The pooler output [S, hidden]: tanh(dense(hidden state of each sequence's first token)).
    public func pooled(hidden: Tensor, sequences: PackedSequences, ctx: ComputeContext) throws -> Tensor {
        guard let pooler else { throw ModelError.unsupported("this BERT checkpoint has no pooler (pooler.dense.weight)") }
        let h = config.hiddenSize
        let first = firstTokens(hidden: hidden, sequences: sequences)
        let out = Tensor(uninitialized: [sequences.count, h])
        pooler.forward(first, into: out, ctx: ctx)
        Activation.tanh(out, ctx: ctx)
        return out
    }

    /// BertForSequenceClassification logits [S][num_labels] (classifier on the pooled output).
    public func classify(hidden: Tensor, sequences: PackedSequences, ctx: ComputeContext) throws -> [[Float]] {
        guard let classifier else {
            throw ModelError.unsupported("this BERT checkpoint has no classifier (classifier.weight); it is a bare encoder")
        }
        let p = try pooled(hidden: hidden, sequences: sequences, ctx: ctx)
        let logits = Tensor(uninitialized: [sequences.count, config.numLabels])
        classifier.forward(p, into: logits, ctx: ctx)
        let flat = logits.toArray(), l = config.numLabels
        return (0..<sequences.count).map { Array(flat[($0 * l)..<(($0 + 1) * l)]) }
    }

    /// Mean of each sequence's token states [S][hidden] (sentence-transformers' mean pooling).
    public func meanPooled(hidden: Tensor, sequences: PackedSequences) -> [[Float]] {
        let h = config.hiddenSize
        return (0..<sequences.count).map { s in
            var acc = [Double](repeating: 0, count: h)
            for r in sequences.range(s) {
                let row = hidden.f32 + r * hidden.rowStride
                for j in 0..<h { acc[j] += Double(row[j]) }
            }
            let n = Double(Swift.max(1, sequences.length(s)))
            return acc.map { Float($0 / n) }
        }
    }
}
