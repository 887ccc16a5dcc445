import Foundation
import SynprefData
import SynprefModels

/// Where training pairs come from.
public enum TrainingDataSource: Sendable, Hashable {
    /// A JSON Lines file (optionally gzip): pre-tokenized pairs or a preference format.
    case file(String)
    /// One tier of a preference store.
    case store(url: String, tier: PreferenceTier)
}

/// Everything `synpref train` asks for.
public struct TrainingJobSpec: Sendable {
    public var model: URL
    public var data: TrainingDataSource
    /// Pairs to evaluate on (`evalEvery`) and to pick the best checkpoint by: a file, or a
    /// store tier (e.g. gold, while training on silver).
    public var validation: TrainingDataSource?
    public var output: URL
    public var options = TrainingOptions()
    public var parts = TrainableParts()
    public var maxLength: Int?
    public var overLength: OverLengthPolicy = .drop
    public var resume = false
    /// With a frozen backbone: a feature table shared with other runs on the same base
    /// model (its `source` must be `model`), so sequences seen before are not run again.
    public var features: FeatureTable?

    public init(model: URL, data: TrainingDataSource, output: URL) {
        self.model = model
        self.data = data
        self.output = output
    }
}

/// Builds a ready-to-run `Trainer` from a spec: the model (f32 masters, LoRA or a frozen
/// backbone as asked), the tokenized training and validation pairs, gradient checkpointing
/// decided from the activation memory a micro-batch needs.
public enum TrainingJob {
    public struct Prepared: Sendable {
        public var trainer: Trainer
        public var recomputeLayers: Bool
    }

    public static func prepare(_ spec: TrainingJobSpec) async throws -> Prepared {
        try spec.options.validate()
        if let m = spec.maxLength, m < 1 { throw TrainingError.invalidSetting(.maxLength, reason: "must be at least 1, got \(m)") }
        if let r = spec.parts.lora?.rank, r < 1 { throw TrainingError.invalidSetting(.loraRank, reason: "must be at least 1, got \(r)") }
        if spec.parts.lora != nil && spec.parts.freezeBackbone {
            throw TrainingError.invalidSetting(.freezeBackbone, reason: "cannot be combined with LoRA (LoRA already freezes the backbone's weights)")
        }
        let config = try ModelConfig.load(from: spec.model)
        if spec.parts.trainPooler {
            guard spec.parts.freezeBackbone else {
                throw TrainingError.invalidSetting(.trainPooler, reason: "applies to a frozen backbone only (without freezing, the pooler trains with everything else); freeze the backbone too")
            }
            guard case .bert = config else {
                throw TrainingError.invalidSetting(.trainPooler, reason: "only BERT models have a pooler; \(spec.model.path) is a decoder")
            }
        }
        let recompute = spec.options.recomputeLayers ?? shouldRecompute(config, tokens: spec.options.microBatchTokens)
        var model = try TrainableModelLoader.load(directory: spec.model, parts: spec.parts, recomputeLayers: recompute, seed: spec.options.seed)
        if spec.parts.freezeBackbone {
            if let f = spec.features, f.source != spec.model.standardizedFileURL {
                throw TrainingError.invalidSetting(.freezeBackbone, reason: "the shared feature table belongs to \(f.source.path), not to \(spec.model.path)")
            }
            model = HeadOnlyModel(freezing: model, features: spec.features, source: spec.model)
        }
        let encoder = try TextFrontEnd.forTraining(directory: spec.model, config: config)
        let limits: PairLimits
        switch config {
        case .decoder(let c): limits = PairLimits(vocabSize: c.vocabSize, maxLength: spec.maxLength, overLength: spec.overLength)
        case .bert(let c): limits = PairLimits(vocabSize: c.vocabSize, modelMaxLength: c.maxPositionEmbeddings, maxLength: spec.maxLength, overLength: spec.overLength)
        }
        func load(_ source: TrainingDataSource) async throws -> PairDataset {
            switch source {
            case .file(let path): return try PairDataset.load(file: path, limits: limits, encoder: encoder)
            case .store(let url, let tier): return try await PairDataset.load(store: url, tier: tier, limits: limits, encoder: encoder)
            }
        }
        let train = try await load(spec.data)
        var validation: PairDataset?
        if let v = spec.validation { validation = try await load(v) }
        let trainer = try Trainer(model: model, options: spec.options, train: train, validation: validation, output: spec.output, source: spec.model)
        return Prepared(trainer: trainer, recomputeLayers: recompute)
    }

    /// Activation floats one token keeps per layer for the backward.
    public static func activationFloatsPerTokenPerLayer(_ config: ModelConfig) -> Int {
        switch config {
        case .decoder(let c):
            let q = c.numAttentionHeads * c.headDim, kv = c.numKeyValueHeads * c.headDim
            let qwen3 = c.architecture == .qwen3ForSequenceClassification
            return 4 * c.hiddenSize + (qwen3 ? 3 : 2) * q + (qwen3 ? 4 : 3) * kv + c.numAttentionHeads + 3 * c.intermediateSize
        case .bert(let c):
            return 7 * c.hiddenSize + c.numAttentionHeads + 2 * c.intermediateSize
        }
    }

    /// Gradient checkpointing pays one extra forward per step; it is worth it only when a
    /// micro-batch's activations would take more than a quarter of the memory (at most 6 GiB).
    public static func shouldRecompute(_ config: ModelConfig, tokens: Int) -> Bool {
        let layers: Int
        switch config {
        case .decoder(let c): layers = c.numHiddenLayers
        case .bert(let c): layers = c.numHiddenLayers
        }
        let bytes = Double(tokens) * Double(layers) * Double(activationFloatsPerTokenPerLayer(config)) * 4
        let budget = Swift.min(6 * 1_073_741_824.0, Double(ProcessInfo.processInfo.physicalMemory) / 4)
        return bytes > budget
    }
}
