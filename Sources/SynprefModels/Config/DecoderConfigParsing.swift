import SynprefCore

/// Qwen3 and Llama `config.json` → `DecoderConfig`, with the defaults of transformers 5.24's
/// `Qwen3Config` / `LlamaConfig` and the RoPE standardization of `modeling_rope_utils.py`.
extension DecoderConfig {
    /// Rope types Synpref implements.
    static let supportedRopeTypes = ["default", "llama3"]

    init(fields: ConfigFields, architecture: ArchitectureKind) throws(ConfigError) {
        let file = fields.file
        let isQwen = architecture == .qwen3ForSequenceClassification
        let vocabSize = try fields.int("vocab_size", default: isQwen ? 151_936 : 32_000)
        let hiddenSize = try fields.int("hidden_size", default: 4096)
        let intermediateSize = try fields.int("intermediate_size", default: isQwen ? 22_016 : 11_008)
        let layers = try fields.int("num_hidden_layers", default: 32)
        let heads = try fields.int("num_attention_heads", default: 32)
        for (value, field) in [
            (vocabSize, "vocab_size"), (hiddenSize, "hidden_size"), (intermediateSize, "intermediate_size"),
            (layers, "num_hidden_layers"), (heads, "num_attention_heads"),
        ] {
            try ModelConfig.requirePositive(value, field, fields)
        }
        // Qwen3Config's field defaults to 32 (None → heads); LlamaConfig's to None (→ heads).
        let kvHeads = try fields.optionalInt("num_key_value_heads", default: isQwen ? 32 : nil) ?? heads
        try ModelConfig.requirePositive(kvHeads, "num_key_value_heads", fields)
        guard heads % kvHeads == 0 else {
            throw .invalidValue(
                file: file, field: "num_key_value_heads", value: "\(kvHeads)",
                reason: "num_attention_heads (\(heads)) must be a multiple of it")
        }
        // Qwen3Config.head_dim is an int defaulting to 128; LlamaConfig's is optional and
        // derived as hidden_size // num_attention_heads.
        let headDim: Int
        if isQwen {
            headDim = try fields.int("head_dim", default: 128)
        } else {
            guard hiddenSize % heads == 0 else {
                // LlamaConfig.validate_architecture raises the same.
                throw .invalidValue(
                    file: file, field: "hidden_size", value: "\(hiddenSize)",
                    reason: "must be a multiple of num_attention_heads (\(heads))")
            }
            headDim = try fields.optionalInt("head_dim", default: nil) ?? hiddenSize / heads
        }
        try ModelConfig.requirePositive(headDim, "head_dim", fields)

        // ACT2FN maps both names to SiLU.
        let activation = try fields.string("hidden_act", default: "silu")
        guard activation == "silu" || activation == "swish" else {
            throw .unsupported(file: file, field: "hidden_act", value: "\"\(activation)\"", supported: ["silu", "swish"])
        }
        let maxPositions = try fields.int("max_position_embeddings", default: isQwen ? 32_768 : 2048)
        try ModelConfig.requirePositive(maxPositions, "max_position_embeddings", fields)
        let rmsNormEps = try fields.double("rms_norm_eps", default: 1e-6)
        guard rmsNormEps > 0 else {
            throw .invalidValue(file: file, field: "rms_norm_eps", value: "\(rmsNormEps)", reason: "must be positive")
        }
        if isQwen { try DecoderConfig.rejectSlidingWindow(fields, layers: layers) }
        let rope = try DecoderConfig.rope(fields, maxPositions: maxPositions)

        self.init(
            architecture: architecture, vocabSize: vocabSize, hiddenSize: hiddenSize,
            intermediateSize: intermediateSize, numHiddenLayers: layers, numAttentionHeads: heads,
            numKeyValueHeads: kvHeads, headDim: headDim, rmsNormEps: rmsNormEps, ropeTheta: rope.theta,
            ropeScaling: rope.llama3,
            attentionBias: try fields.bool("attention_bias", default: false),
            // Qwen3's MLP has no bias whatever the config says; Llama's follows mlp_bias.
            mlpBias: isQwen ? false : try fields.bool("mlp_bias", default: false),
            tieWordEmbeddings: try fields.bool("tie_word_embeddings", default: false),
            maxPositionEmbeddings: maxPositions,
            padTokenId: try fields.optionalInt("pad_token_id", default: nil),
            numLabels: try ModelConfig.numLabels(fields),
            dtype: try ModelConfig.dtype(fields))
    }

    /// Qwen3's layer types: `layer_types` when given, else sliding attention for layers at
    /// or above `max_window_layers` when `use_sliding_window` is on (Qwen3Config.__post_init__).
    /// Only full attention is implemented.
    private static func rejectSlidingWindow(_ fields: ConfigFields, layers: Int) throws(ConfigError) {
        let allowed = ["full_attention", "sliding_attention"]
        if let value = fields["layer_types"], !value.isNull {
            guard let list = value.arrayValue else { throw fields.wrongType("layer_types", expected: "an array of strings", value) }
            guard list.count == layers else {
                throw .invalidValue(
                    file: fields.file, field: "layer_types", value: "\(list.count) entries",
                    reason: "num_hidden_layers is \(layers)")
            }
            for item in list {
                guard let type = item.stringValue, allowed.contains(type) else {
                    throw .invalidValue(
                        file: fields.file, field: "layer_types", value: ConfigFields.describe(item),
                        reason: "entries must be one of \(allowed.joined(separator: ", "))")
                }
                if type == "sliding_attention" {
                    throw .unsupported(
                        file: fields.file, field: "layer_types", value: "\"sliding_attention\"", supported: ["full_attention"])
                }
            }
            return
        }
        let useSliding = try fields.bool("use_sliding_window", default: false)
        let window = useSliding ? try fields.optionalInt("sliding_window", default: 4096) : nil
        let maxWindowLayers = try fields.int("max_window_layers", default: 28)
        if window != nil && maxWindowLayers < layers {
            throw .unsupported(
                file: fields.file, field: "use_sliding_window",
                value: "true (sliding_window \(window ?? 0) from layer \(maxWindowLayers))",
                supported: ["false (full attention in every layer)"])
        }
    }

    /// RoPE parameters as `convert_rope_params_to_dict` / `standardize_rope_params` settle
    /// them: a non-empty `rope_scaling` (transformers 4) wins over `rope_parameters`
    /// (transformers 5); `rope_theta` inside it wins over the top-level one (default 10000);
    /// the type is `rope_type`, else the legacy `type`, else "default".
    private static func rope(
        _ fields: ConfigFields, maxPositions: Int
    ) throws(ConfigError) -> (theta: Double, llama3: Llama3RopeScaling?) {
        let file = fields.file
        let topTheta = try fields.double("rope_theta", default: 10_000)
        var source = "rope_parameters"
        var ropeValue = fields["rope_parameters"]
        if let scaling = fields["rope_scaling"], !scaling.isNull, scaling.objectValue.map({ $0.count > 0 }) ?? true {
            source = "rope_scaling"
            ropeValue = scaling
        }
        var rope = JSONObject()
        if let ropeValue, !ropeValue.isNull {
            guard case .object(let object) = ropeValue else {
                throw fields.wrongType(source, expected: "an object", ropeValue)
            }
            rope = object
        }
        let params = ConfigFields(object: rope, file: file, path: source + ".")
        if rope["full_attention"] != nil || rope["sliding_attention"] != nil {
            throw .unsupported(
                file: file, field: source, value: "per-layer-type parameters", supported: ["one set of RoPE parameters"])
        }
        let theta = try params.optionalDouble("rope_theta") ?? topTheta
        guard theta > 0 else { throw .invalidValue(file: file, field: "rope_theta", value: "\(theta)", reason: "must be positive") }
        let topPartial = try fields.optionalDouble("partial_rotary_factor")
        if let partial = try params.optionalDouble("partial_rotary_factor") ?? topPartial, partial != 1 {
            throw .unsupported(file: file, field: "partial_rotary_factor", value: "\(partial)", supported: ["1.0"])
        }
        let typeKey = params.has("rope_type") ? "rope_type" : "type"
        let type = try params.string(typeKey, default: "default")
        switch type {
        case "default":
            return (theta, nil)
        case "llama3":
            func required(_ key: String) throws(ConfigError) -> Double {
                guard let value = try params.optionalDouble(key) else {
                    throw ConfigError.missingField(file: file, field: params.name(key))
                }
                return value
            }
            let factor = try required("factor")
            let low = try required("low_freq_factor")
            let high = try required("high_freq_factor")
            let original = try params.int("original_max_position_embeddings", default: maxPositions)
            guard high > low else {
                // Equal factors would divide by zero in the smoothing step.
                throw .invalidValue(
                    file: file, field: params.name("high_freq_factor"), value: "\(high)",
                    reason: "must be greater than low_freq_factor (\(low))")
            }
            guard factor > 0, low > 0, original > 0 else {
                throw .invalidValue(
                    file: file, field: source, value: "factor \(factor), low_freq_factor \(low), original \(original)",
                    reason: "llama3 scaling factors and original_max_position_embeddings must be positive")
            }
            return (theta, Llama3RopeScaling(
                factor: factor, lowFreqFactor: low, highFreqFactor: high, originalMaxPositionEmbeddings: original))
        default:
            throw .unsupported(file: file, field: params.name(typeKey), value: "\"\(type)\"", supported: supportedRopeTypes)
        }
    }
}
