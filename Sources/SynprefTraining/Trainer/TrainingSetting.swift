/// A setting of a training job, named as `TrainingOptions` and `TrainingJobSpec` name it,
/// so errors can say which one is wrong (the CLI maps each to its flag).
public enum TrainingSetting: String, Sendable, CaseIterable {
    case learningRate, batchSize, microBatchTokens, epochs, maxSteps, warmupSteps, warmupRatio, weightDecay
    case adamBeta1, adamBeta2, adamEps, clipNorm, centerCoefficient, evalEvery, saveEvery, threads
    case maxLength, loraRank, freezeBackbone, trainPooler
    /// The held-out and validation fractions of a preference split.
    case heldOutFraction, validationFraction
}
