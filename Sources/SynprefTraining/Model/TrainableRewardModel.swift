import SynprefModels
import SynprefTensor

/// A reward model that can be trained: a forward over a packed batch that keeps what the
/// backward needs, and a backward that accumulates parameter gradients.
public protocol TrainableRewardModel: AnyObject, Sendable {
    /// The configuration the model is saved with (a `*ForSequenceClassification`).
    var config: ModelConfig { get }
    var parameters: ParameterSet { get }
    /// One reward per sequence of `batch` (the single logit of the head), keeping the
    /// activations of this batch for `backward`.
    func forward(_ batch: TrainingBatch, ctx: ComputeContext) -> [Float]
    /// Adds ∂(Σ_s dRewards[s] · reward[s])/∂θ to every trainable parameter's gradient, for
    /// the batch of the last `forward`.
    func backward(dRewards: [Float], ctx: ComputeContext)
    /// Floats of activation memory the last forward + backward used (for reports).
    var activationPeakFloats: Int { get }
}

extension TrainableRewardModel {
    /// The rewards the engine's inference code computes with the current weights (the
    /// path validation and saved checkpoints use).
    public func inferenceModel(threads: Int? = nil, maxBatchTokens: Int = 4096) throws -> RewardModel {
        try RewardModel(config: config, weights: parameters.tensorSource, threads: threads, maxBatchTokens: maxBatchTokens)
    }
}
