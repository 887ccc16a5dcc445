import SynprefTensor

/// The tensors an architecture needs, by their names in transformers checkpoints, with
/// their shapes. `validate(source:)` checks a checkpoint against it before any weight is
/// used, so a config that does not match its weights fails with every problem listed.
public struct WeightManifest: Sendable, Hashable {
    /// One required (or optional) tensor.
    public struct Entry: Sendable, Hashable {
        public let name: String
        public let shape: [Int]
        /// Optional tensors may be absent (e.g. a `BertModel` saved without its pooler);
        /// when present their shape is still checked.
        public let isOptional: Bool

        public init(name: String, shape: [Int], isOptional: Bool = false) {
            self.name = name
            self.shape = shape
            self.isOptional = isOptional
        }
    }

    public let entries: [Entry]
    /// The prefix of the encoder's tensors: "bert." or "" for BERT (checkpoints of
    /// `BertForSequenceClassification` use "bert.", bare `BertModel` ones none), "model."
    /// for decoders.
    public let prefix: String

    /// The manifest of `config`. For BERT, `bertPrefix` picks "bert." or "" (use
    /// `WeightManifest(config:source:)` to detect it from a checkpoint). `includeHead: false`
    /// leaves out the classification head (`score` / `classifier`), for a base checkpoint
    /// whose head is initialized by the trainer.
    public init(config: ModelConfig, bertPrefix: String = "bert.", decoderPrefix: String = "model.", includeHead: Bool = true) {
        switch config {
        case .decoder(let c):
            prefix = decoderPrefix
            entries = WeightManifest.decoder(c, prefix: decoderPrefix, includeHead: includeHead)
        case .bert(let c):
            prefix = bertPrefix
            entries = WeightManifest.bert(c, prefix: bertPrefix, includeHead: includeHead)
        }
    }

    /// The manifest of `config` for the tensors in `source` (detects BERT's prefix, and a
    /// bare decoder base model's, whose tensors have no "model." in front, as
    /// sentence-transformers saves `Qwen3Model`).
    public init(config: ModelConfig, source: any TensorSource, includeHead: Bool = true) {
        let bare = !source.tensorNames.contains("model.embed_tokens.weight") && source.tensorNames.contains("embed_tokens.weight")
        self.init(config: config, bertPrefix: WeightManifest.bertPrefix(in: source), decoderPrefix: bare ? "" : "model.",
                  includeHead: includeHead)
    }

    /// "bert." when `source` holds `bert.embeddings.word_embeddings.weight`, else "".
    public static func bertPrefix(in source: any TensorSource) -> String {
        source.tensorNames.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
    }

    /// Checks that every required tensor is in `source` with its shape and a supported
    /// dtype; throws one error listing every problem. `checkpoint` names the source in the
    /// error (defaults to the file or index path of safetensors sources).
    public func validate(source: any TensorSource, checkpoint: String? = nil) throws(WeightManifestError) {
        var problems: [WeightProblem] = []
        let available = Set(source.tensorNames)
        for entry in entries {
            guard available.contains(entry.name) else {
                // Not served: absent, or present with a dtype we cannot compute with.
                do {
                    _ = try source.tensor(entry.name)
                } catch let error as CheckpointError {
                    if case .unsupportedDType(_, _, let dtype) = error {
                        problems.append(.unsupportedDType(name: entry.name, dtype: dtype))
                        continue
                    }
                } catch {}
                if !entry.isOptional { problems.append(.missing(name: entry.name, shape: entry.shape)) }
                continue
            }
            do {
                let tensor = try source.tensor(entry.name)
                if tensor.shape != entry.shape {
                    problems.append(.wrongShape(name: entry.name, expected: entry.shape, found: tensor.shape))
                }
            } catch {
                problems.append(.unreadable(name: entry.name, reason: "\(error)"))
            }
        }
        if !problems.isEmpty {
            throw .mismatch(checkpoint: checkpoint ?? WeightManifest.describe(source), problems: problems)
        }
    }

    /// The path naming a source in errors.
    static func describe(_ source: any TensorSource) -> String {
        if let file = source as? SafetensorsFile { return file.url.path }
        if let sharded = source as? ShardedCheckpoint { return sharded.indexURL.path }
        return "checkpoint"
    }

    // MARK: - Architectures

    /// `Qwen3ForSequenceClassification` / `LlamaForSequenceClassification`
    /// (transformers' `GenericForSequenceClassification`: base model under "model.", a
    /// bias-free `score` head).
    static func decoder(_ c: DecoderConfig, prefix: String = "model.", includeHead: Bool) -> [Entry] {
        let hidden = c.hiddenSize
        let q = c.numAttentionHeads * c.headDim
        let kv = c.numKeyValueHeads * c.headDim
        let isQwen = c.architecture == .qwen3ForSequenceClassification
        var entries = [Entry(name: prefix + "embed_tokens.weight", shape: [c.vocabSize, hidden])]
        for layer in 0..<c.numHiddenLayers {
            let p = prefix + "layers.\(layer)."
            entries += [
                Entry(name: p + "input_layernorm.weight", shape: [hidden]),
                Entry(name: p + "self_attn.q_proj.weight", shape: [q, hidden]),
                Entry(name: p + "self_attn.k_proj.weight", shape: [kv, hidden]),
                Entry(name: p + "self_attn.v_proj.weight", shape: [kv, hidden]),
                Entry(name: p + "self_attn.o_proj.weight", shape: [hidden, q]),
            ]
            if c.attentionBias {
                entries += [
                    Entry(name: p + "self_attn.q_proj.bias", shape: [q]),
                    Entry(name: p + "self_attn.k_proj.bias", shape: [kv]),
                    Entry(name: p + "self_attn.v_proj.bias", shape: [kv]),
                    Entry(name: p + "self_attn.o_proj.bias", shape: [hidden]),
                ]
            }
            if isQwen {
                // RMSNorm over each head's query and key vectors.
                entries += [
                    Entry(name: p + "self_attn.q_norm.weight", shape: [c.headDim]),
                    Entry(name: p + "self_attn.k_norm.weight", shape: [c.headDim]),
                ]
            }
            entries += [
                Entry(name: p + "post_attention_layernorm.weight", shape: [hidden]),
                Entry(name: p + "mlp.gate_proj.weight", shape: [c.intermediateSize, hidden]),
                Entry(name: p + "mlp.up_proj.weight", shape: [c.intermediateSize, hidden]),
                Entry(name: p + "mlp.down_proj.weight", shape: [hidden, c.intermediateSize]),
            ]
            if c.mlpBias {
                entries += [
                    Entry(name: p + "mlp.gate_proj.bias", shape: [c.intermediateSize]),
                    Entry(name: p + "mlp.up_proj.bias", shape: [c.intermediateSize]),
                    Entry(name: p + "mlp.down_proj.bias", shape: [hidden]),
                ]
            }
        }
        entries.append(Entry(name: prefix + "norm.weight", shape: [hidden]))
        if includeHead { entries.append(Entry(name: "score.weight", shape: [c.numLabels, hidden])) }
        return entries
    }

    /// `BertModel` / `BertForSequenceClassification` (encoder under `prefix`, pooler,
    /// `classifier` head at the top level).
    static func bert(_ c: BertConfig, prefix: String, includeHead: Bool) -> [Entry] {
        let hidden = c.hiddenSize
        let isClassifier = c.architecture == .bertForSequenceClassification
        func linear(_ name: String, out: Int, in inputs: Int, optional: Bool = false) -> [Entry] {
            [Entry(name: name + ".weight", shape: [out, inputs], isOptional: optional),
             Entry(name: name + ".bias", shape: [out], isOptional: optional)]
        }
        func layerNorm(_ name: String) -> [Entry] {
            [Entry(name: name + ".weight", shape: [hidden]), Entry(name: name + ".bias", shape: [hidden])]
        }
        let e = prefix + "embeddings."
        var entries = [
            Entry(name: e + "word_embeddings.weight", shape: [c.vocabSize, hidden]),
            Entry(name: e + "position_embeddings.weight", shape: [c.maxPositionEmbeddings, hidden]),
            Entry(name: e + "token_type_embeddings.weight", shape: [c.typeVocabSize, hidden]),
        ] + layerNorm(e + "LayerNorm")
        for layer in 0..<c.numHiddenLayers {
            let p = prefix + "encoder.layer.\(layer)."
            entries += linear(p + "attention.self.query", out: hidden, in: hidden)
            entries += linear(p + "attention.self.key", out: hidden, in: hidden)
            entries += linear(p + "attention.self.value", out: hidden, in: hidden)
            entries += linear(p + "attention.output.dense", out: hidden, in: hidden)
            entries += layerNorm(p + "attention.output.LayerNorm")
            entries += linear(p + "intermediate.dense", out: c.intermediateSize, in: hidden)
            entries += linear(p + "output.dense", out: hidden, in: c.intermediateSize)
            entries += layerNorm(p + "output.LayerNorm")
        }
        // The classifier reads the pooler's output; a bare encoder may come without one.
        entries += linear(prefix + "pooler.dense", out: hidden, in: hidden, optional: !isClassifier)
        if isClassifier && includeHead {
            entries += linear("classifier", out: c.numLabels, in: hidden)
        }
        return entries
    }
}
