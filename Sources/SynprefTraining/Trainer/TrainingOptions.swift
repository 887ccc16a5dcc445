/// A training run's settings. Defaults are the paper's development settings (lr 4e-6,
/// global batch 256, linear decay, 1 epoch) with the HF Trainer's other defaults (AdamW
/// betas 0.9/0.999, eps 1e-8, weight decay 0, gradient clipping at 1.0, no warm-up).
public struct TrainingOptions: Sendable, Hashable, Codable {
    public var learningRate: Double = 4e-6
    /// Pairs per optimizer step (the global batch), reached by gradient accumulation.
    public var batchSize: Int = 256
    /// Token budget of one packed micro-batch (chosen + rejected sequences of whole pairs).
    public var microBatchTokens: Int = 16384
    public var epochs: Int = 1
    public var maxSteps: Int?
    public var schedule: LearningRateSchedule.Kind = .linear
    public var warmupSteps: Int?
    public var warmupRatio: Double?
    public var adam = AdamW.Hyperparameters()
    /// clip_grad_norm_'s max norm; 0 disables clipping.
    public var clipNorm: Double = 1.0
    public var seed: UInt64 = 42
    public var shuffle: Bool = true
    public var loss = PairLoss()
    /// Validate every N steps (and at the end) when validation data is given.
    public var evalEvery: Int?
    /// Write the resumable checkpoint every N steps (and at the end).
    public var saveEvery: Int?
    /// Gradient checkpointing: nil = on when the activations of a micro-batch would not fit
    /// comfortably in memory.
    public var recomputeLayers: Bool?
    public var threads: Int?

    public init() {}

    /// Rejects impossible settings with the option's name.
    public func validate() throws {
        func bad(_ setting: TrainingSetting, _ reason: String) -> TrainingError { .invalidSetting(setting, reason: reason) }
        if !(learningRate >= 0) || !learningRate.isFinite { throw bad(.learningRate, "must be a non-negative number, got \(learningRate)") }
        if batchSize < 1 { throw bad(.batchSize, "must be at least 1, got \(batchSize)") }
        if microBatchTokens < 1 { throw bad(.microBatchTokens, "must be at least 1, got \(microBatchTokens)") }
        if epochs < 1 { throw bad(.epochs, "must be at least 1, got \(epochs)") }
        if let m = maxSteps, m < 1 { throw bad(.maxSteps, "must be at least 1, got \(m)") }
        if warmupSteps != nil && warmupRatio != nil { throw bad(.warmupSteps, "give warmup steps or a warmup ratio, not both") }
        if let w = warmupSteps, w < 0 { throw bad(.warmupSteps, "must be at least 0, got \(w)") }
        if let r = warmupRatio, !(r >= 0 && r <= 1) { throw bad(.warmupRatio, "must be between 0 and 1, got \(r)") }
        if !(adam.weightDecay >= 0) { throw bad(.weightDecay, "must be at least 0, got \(adam.weightDecay)") }
        if !(adam.beta1 >= 0 && adam.beta1 < 1) { throw bad(.adamBeta1, "must be in [0, 1), got \(adam.beta1)") }
        if !(adam.beta2 >= 0 && adam.beta2 < 1) { throw bad(.adamBeta2, "must be in [0, 1), got \(adam.beta2)") }
        if !(adam.eps > 0) { throw bad(.adamEps, "must be positive, got \(adam.eps)") }
        if !(clipNorm >= 0) { throw bad(.clipNorm, "must be at least 0 (0 disables clipping), got \(clipNorm)") }
        if !(loss.centerCoefficient >= 0) { throw bad(.centerCoefficient, "must be at least 0, got \(loss.centerCoefficient)") }
        if let e = evalEvery, e < 1 { throw bad(.evalEvery, "must be at least 1, got \(e)") }
        if let s = saveEvery, s < 1 { throw bad(.saveEvery, "must be at least 1, got \(s)") }
        if let t = threads, t < 1 { throw bad(.threads, "must be at least 1, got \(t)") }
    }

    /// Warm-up steps for a run of `totalSteps`.
    public func warmup(totalSteps: Int) -> Int {
        if let w = warmupSteps { return w }
        if let r = warmupRatio { return LearningRateSchedule.warmupSteps(ratio: r, totalSteps: totalSteps) }
        return 0
    }
}
