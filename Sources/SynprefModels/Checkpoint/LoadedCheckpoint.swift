import Foundation

/// A checkpoint folder opened and checked in one step: config.json parsed, weights mapped,
/// every required tensor present with its shape. What architectures build from.
public struct LoadedCheckpoint: Sendable {
    public let directory: URL
    public let config: ModelConfig
    public let weights: any TensorSource
    /// The tensors the architecture reads (names include BERT's detected prefix).
    public let manifest: WeightManifest

    /// Opens `directory` (a local folder, e.g. from `ModelReference.resolve`). `architecture`
    /// forces the head (see `ModelConfig.load(from:as:)`); `includeHead: false` accepts a
    /// base checkpoint without `score` / `classifier` weights. Throws `ConfigError`,
    /// `CheckpointError` or `WeightManifestError`.
    public init(directory: URL, as architecture: ArchitectureKind? = nil, includeHead: Bool = true) throws {
        let config = try ModelConfig.load(from: directory, as: architecture)
        let weights = try Checkpoint.open(directory: directory)
        let manifest = WeightManifest(config: config, source: weights, includeHead: includeHead)
        try manifest.validate(source: weights)
        self.directory = directory
        self.config = config
        self.weights = weights
        self.manifest = manifest
    }
}
