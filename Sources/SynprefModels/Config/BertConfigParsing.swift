/// BERT `config.json` → `BertConfig`, with the defaults of transformers 5.24's `BertConfig`.
extension BertConfig {
    init(fields: ConfigFields, architecture: ArchitectureKind) throws(ConfigError) {
        let file = fields.file
        let vocabSize = try fields.int("vocab_size", default: 30_522)
        let hiddenSize = try fields.int("hidden_size", default: 768)
        let layers = try fields.int("num_hidden_layers", default: 12)
        let heads = try fields.int("num_attention_heads", default: 12)
        let intermediateSize = try fields.int("intermediate_size", default: 3072)
        let maxPositions = try fields.int("max_position_embeddings", default: 512)
        let typeVocabSize = try fields.int("type_vocab_size", default: 2)
        for (value, field) in [
            (vocabSize, "vocab_size"), (hiddenSize, "hidden_size"), (layers, "num_hidden_layers"),
            (heads, "num_attention_heads"), (intermediateSize, "intermediate_size"),
            (maxPositions, "max_position_embeddings"), (typeVocabSize, "type_vocab_size"),
        ] {
            try ModelConfig.requirePositive(value, field, fields)
        }
        guard hiddenSize % heads == 0 else {
            // BertSelfAttention raises the same.
            throw .invalidValue(
                file: file, field: "hidden_size", value: "\(hiddenSize)",
                reason: "must be a multiple of num_attention_heads (\(heads))")
        }
        // ACT2FN["gelu"] is the exact (erf) GELU BERT checkpoints are trained with.
        let activation = try fields.string("hidden_act", default: "gelu")
        guard activation == "gelu" else {
            throw .unsupported(file: file, field: "hidden_act", value: "\"\(activation)\"", supported: ["gelu"])
        }
        // transformers 4 also ran relative position embeddings; only absolute ones are implemented.
        let positions = try fields.optionalString("position_embedding_type") ?? "absolute"
        guard positions == "absolute" else {
            throw .unsupported(file: file, field: "position_embedding_type", value: "\"\(positions)\"", supported: ["absolute"])
        }
        if try fields.bool("is_decoder", default: false) {
            throw .unsupported(file: file, field: "is_decoder", value: "true", supported: ["false (bidirectional encoder)"])
        }
        if try fields.bool("add_cross_attention", default: false) {
            throw .unsupported(file: file, field: "add_cross_attention", value: "true", supported: ["false"])
        }
        let layerNormEps = try fields.double("layer_norm_eps", default: 1e-12)
        guard layerNormEps > 0 else {
            throw .invalidValue(file: file, field: "layer_norm_eps", value: "\(layerNormEps)", reason: "must be positive")
        }
        self.init(
            architecture: architecture, vocabSize: vocabSize, hiddenSize: hiddenSize, numHiddenLayers: layers,
            numAttentionHeads: heads, intermediateSize: intermediateSize, hiddenAct: activation,
            maxPositionEmbeddings: maxPositions, typeVocabSize: typeVocabSize, layerNormEps: layerNormEps,
            padTokenId: try fields.optionalInt("pad_token_id", default: 0),
            numLabels: try ModelConfig.numLabels(fields),
            dtype: try ModelConfig.dtype(fields))
    }
}
