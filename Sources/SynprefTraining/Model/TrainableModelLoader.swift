import Foundation
import SynprefModels
import SynprefTensor

/// Which parameters train.
public struct TrainableParts: Sendable, Hashable {
    /// LoRA on the backbone's linear layers (PEFT semantics; merged on save). nil = full
    /// fine-tuning.
    public var lora: LoRAOptions?
    /// Train only the head (`score` / `classifier`); the backbone stays frozen.
    public var freezeBackbone: Bool
    /// With `freezeBackbone`, a BERT model's pooler (`bert.pooler.dense`) trains too, so the
    /// head has a hidden layer: classifier(tanh(pooler(first token))). Decoders have no pooler.
    public var trainPooler: Bool

    public init(lora: LoRAOptions? = nil, freezeBackbone: Bool = false, trainPooler: Bool = false) {
        self.lora = lora
        self.freezeBackbone = freezeBackbone
        self.trainPooler = trainPooler
    }

    /// The parameters that train besides LoRA adapters when the backbone is frozen.
    var headNames: Set<String> {
        var names: Set<String> = ["score.weight", "classifier.weight", "classifier.bias"]
        if trainPooler { names.formUnion(["bert.pooler.dense.weight", "bert.pooler.dense.bias"]) }
        return names
    }
}

/// LoRA hyperparameters; defaults follow OpenRLHF's reward-model trainer (alpha 16, every
/// linear layer of the backbone, no dropout). The head trains fully, as PEFT's
/// sequence-classification task type does (`modules_to_save`).
public struct LoRAOptions: Sendable, Hashable {
    public var rank: Int
    public var alpha: Double
    /// Projection names (the last component: "q_proj", "query", "dense", ...); nil = all.
    public var targetModules: [String]?

    public init(rank: Int, alpha: Double = 16, targetModules: [String]? = nil) {
        self.rank = rank
        self.alpha = alpha
        self.targetModules = targetModules
    }
}

/// Errors building a trainable model from a checkpoint.
public enum TrainableModelError: Error, CustomStringConvertible, Sendable, Equatable {
    case notAReward(detail: String)
    case invalidLoRA(detail: String)

    public var description: String {
        switch self {
        case .notAReward(let detail): return "cannot train this model as a reward model: \(detail)"
        case .invalidLoRA(let detail): return "invalid LoRA options: \(detail)"
        }
    }
}

/// Builds trainable reward models from checkpoints: f32 master copies of every weight
/// (whatever the stored dtype), named as transformers names the `*ForSequenceClassification`
/// model, plus a freshly initialized head when the checkpoint is a base model.
public enum TrainableModelLoader {
    /// transformers' `initializer_range` default: heads start as N(0, 0.02²), biases 0.
    public static let initializerRange: Float = 0.02

    /// The classifier config of `config` with one label (a reward model).
    public static func rewardConfig(_ config: ModelConfig) throws -> ModelConfig {
        switch config {
        case .decoder(var c):
            if c.numLabels != 1 && c.architecture.rawValue.hasSuffix("ForSequenceClassification") {
                // A trained classifier with several labels is not a reward model; a base
                // model's num_labels is transformers' default (2) and is replaced.
            }
            c.numLabels = 1
            return .decoder(c)
        case .bert(var c):
            c.architecture = .bertForSequenceClassification
            c.numLabels = 1
            return .bert(c)
        }
    }

    /// Loads `directory` (config.json + safetensors). `seed` initializes a missing head.
    public static func load(
        directory: URL, parts: TrainableParts = TrainableParts(), recomputeLayers: Bool = false, seed: UInt64 = 0
    ) throws -> any TrainableRewardModel {
        let family = try ModelConfig.load(from: directory)
        let forced: ArchitectureKind
        switch family {
        case .decoder(let c): forced = c.architecture
        case .bert: forced = .bertForSequenceClassification
        }
        let config = try ModelConfig.load(from: directory, as: forced)
        let source = try Checkpoint.open(directory: directory)
        return try build(config: config, source: source, parts: parts, recomputeLayers: recomputeLayers, seed: seed)
    }

    /// Builds the model from a parsed config and a tensor source.
    public static func build(
        config raw: ModelConfig, source: any TensorSource, parts: TrainableParts = TrainableParts(),
        recomputeLayers: Bool = false, seed: UInt64 = 0
    ) throws -> any TrainableRewardModel {
        let config = try rewardConfig(raw)
        // The backbone must be complete and shaped as the config says.
        try WeightManifest(config: config, source: source, includeHead: false).validate(source: source)
        let available = Set(source.tensorNames)
        var rng = SeededGenerator(seed: seed)
        let defaultDType = storedDType(source, config: config)
        var params: [Parameter] = []
        for entry in WeightManifest(config: config, bertPrefix: "bert.", includeHead: true).entries {
            let role = role(of: entry.name)
            if let name = sourceName(entry.name, available: available) {
                let t = try source.tensor(name)
                let value = Tensor(uninitialized: t.shape)
                Convert.widen(t.bytes.baseAddress ?? UnsafeRawPointer(value.rawPointer), dtype: t.dtype, into: value.f32, count: t.elementCount)
                params.append(Parameter(name: entry.name, value: value, role: role, storedDType: t.dtype))
            } else {
                // A base checkpoint: the head (and a BertModel's missing pooler) start from
                // transformers' initialization.
                let count = entry.shape.reduce(1, *)
                let values = role == .bias ? [Float](repeating: 0, count: count)
                    : (0..<count).map { _ in rng.nextGaussian() * initializerRange }
                params.append(Parameter(name: entry.name, value: Tensor(values, shape: entry.shape), role: role, storedDType: defaultDType))
            }
        }
        if parts.freezeBackbone || parts.lora != nil {
            let headNames = parts.headNames
            for p in params where !headNames.contains(p.name) { p.setTrainable(false) }
        }
        var adapters: [String: LoRAAdapter] = [:]
        if let lora = parts.lora {
            guard lora.rank > 0 else { throw TrainableModelError.invalidLoRA(detail: "the LoRA rank must be positive, got \(lora.rank)") }
            let targets = loraTargets(config: config, modules: lora.targetModules)
            if let wanted = lora.targetModules {
                let known = Set(targets.map { $0.split(separator: ".").last.map(String.init) ?? $0 })
                let unknown = wanted.filter { !known.contains($0) }
                if !unknown.isEmpty {
                    let all = Set(loraTargets(config: config, modules: nil).compactMap { $0.split(separator: ".").last.map(String.init) }).sorted()
                    throw TrainableModelError.invalidLoRA(detail: "no linear layer named \(unknown.joined(separator: ", ")); this architecture has \(all.joined(separator: ", "))")
                }
            }
            for module in targets {
                guard let w = params.first(where: { $0.name == "\(module).weight" }) else { continue }
                let out = w.shape[0], inFeatures = w.shape[1]
                // PEFT: A ~ kaiming_uniform(a = √5) = U(−1/√in, 1/√in); B = 0.
                let bound = 1 / Float(inFeatures).squareRoot()
                let aValues = (0..<(lora.rank * inFeatures)).map { _ in Float.random(in: -bound..<bound, using: &rng) }
                let a = Parameter(name: "\(module).lora_A.weight", value: Tensor(aValues, shape: [lora.rank, inFeatures]), role: .weight)
                let b = Parameter(name: "\(module).lora_B.weight", value: Tensor(zeros: [out, lora.rank]), role: .weight)
                params += [a, b]
                adapters[module] = LoRAAdapter(a: a, b: b, scale: Float(lora.alpha / Double(lora.rank)))
            }
        }
        let set = ParameterSet(params)
        switch config {
        case .decoder(let c): return TrainableDecoder(config: c, parameters: set, lora: adapters, recomputeLayers: recomputeLayers)
        case .bert(let c): return TrainableBert(config: c, parameters: set, lora: adapters, recomputeLayers: recomputeLayers)
        }
    }

    /// Weight-decay role from the Hugging Face name (TRL/OpenRLHF exclude biases and norms).
    static func role(of name: String) -> Parameter.Role {
        if name.hasSuffix(".bias") { return .bias }
        let lower = name.lowercased()
        if lower.contains("norm") { return .norm }
        if lower.contains("embed") { return .embedding }
        return .weight
    }

    /// The name `canonical` has in the source: as is, without BERT's "bert." / a decoder's
    /// "model." prefix (bare base models), or with old TensorFlow LayerNorm names.
    static func sourceName(_ canonical: String, available: Set<String>) -> String? {
        var candidates = [canonical]
        for prefix in ["bert.", "model."] where canonical.hasPrefix(prefix) {
            candidates.append(String(canonical.dropFirst(prefix.count)))
        }
        for c in candidates where c.contains("LayerNorm.") {
            candidates.append(c.replacingOccurrences(of: "LayerNorm.weight", with: "LayerNorm.gamma")
                .replacingOccurrences(of: "LayerNorm.bias", with: "LayerNorm.beta"))
        }
        return candidates.first { available.contains($0) }
    }

    /// The dtype a newly initialized tensor is saved in: the word embedding's.
    static func storedDType(_ source: any TensorSource, config: ModelConfig) -> DType {
        let names = ["model.embed_tokens.weight", "embed_tokens.weight", "bert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"]
        for n in names { if let t = try? source.tensor(n) { return t.dtype } }
        return .float32
    }

    /// Module names (weight prefix) of the backbone's linear layers LoRA may adapt.
    static func loraTargets(config: ModelConfig, modules: [String]?) -> [String] {
        var out: [String] = []
        switch config {
        case .decoder(let c):
            for i in 0..<c.numHiddenLayers {
                for m in ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"] {
                    out.append("model.layers.\(i).\(m)")
                }
            }
        case .bert(let c):
            for i in 0..<c.numHiddenLayers {
                for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"] {
                    out.append("bert.encoder.layer.\(i).\(m)")
                }
            }
        }
        guard let modules else { return out }
        let wanted = Set(modules)
        return out.filter { name in wanted.contains(String(name.split(separator: ".").last ?? "")) || wanted.contains(name) }
    }
}
