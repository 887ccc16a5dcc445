import SynprefTensor

/// What one optimizer step saw.
public struct StepStatistics: Sendable, Hashable {
    /// The step's loss (mean over its pairs, centering included).
    public var loss: Double = 0
    public var pairs: Int = 0
    /// Pairs whose chosen reward beat the rejected one.
    public var correct: Int = 0
    /// Σ (r_w − r_l).
    public var marginSum: Double = 0
    public var tokens: Int = 0
    /// Global gradient norm before clipping (set by `apply`).
    public var gradientNorm: Double = 0

    public var accuracy: Double { pairs == 0 ? 0 : Double(correct) / Double(pairs) }
    public var meanMargin: Double { pairs == 0 ? 0 : marginSum / Double(pairs) }
}

/// One optimizer step: gradients accumulated over micro-batches (each a packed batch of
/// its pairs' chosen and rejected sequences), then gradient clipping and AdamW.
public final class TrainingStep: @unchecked Sendable {
    // @unchecked Sendable: owned by one training loop.
    public let model: any TrainableRewardModel
    public let optimizer: AdamW
    public let loss: PairLoss
    /// clip_grad_norm_'s max norm; 0 disables clipping.
    public let clipNorm: Double

    public init(model: any TrainableRewardModel, optimizer: AdamW, loss: PairLoss, clipNorm: Double) {
        self.model = model
        self.optimizer = optimizer
        self.loss = loss
        self.clipNorm = clipNorm
    }

    /// Zeroes the gradients and accumulates those of the step's micro-batches; the loss
    /// of every pair is divided by the number of pairs in the whole step.
    public func accumulate(_ microBatches: [[TokenPair]], ctx: ComputeContext) -> StepStatistics {
        model.parameters.zeroGrads()
        let total = microBatches.reduce(0) { $0 + $1.count }
        var stats = StepStatistics()
        for micro in microBatches where !micro.isEmpty {
            let sequences = micro.chosenThenRejected()
            let batch = TrainingBatch(sequences: sequences.ids, tokenTypes: sequences.types)
            let rewards = model.forward(batch, ctx: ctx)
            let k = micro.count
            let margins: [Float]? = micro.contains { $0.margin != nil } ? micro.map { Float($0.margin ?? 0) } : nil
            let e = loss.evaluate(chosen: Array(rewards[0..<k]), rejected: Array(rewards[k..<(2 * k)]), margins: margins, normalizer: total)
            model.backward(dRewards: e.dChosen + e.dRejected, ctx: ctx)
            stats.loss += e.loss
            stats.pairs += k
            stats.correct += e.correct
            stats.marginSum += e.marginSum
            stats.tokens += batch.tokenCount
        }
        return stats
    }

    /// Clips the accumulated gradients and takes the AdamW step; returns the norm before
    /// clipping.
    @discardableResult
    public func apply(lr: Double, ctx: ComputeContext) -> Double {
        let norm = GradientClipping.clip(optimizer.parameters, maxNorm: clipNorm)
        optimizer.update(lr: lr, ctx: ctx)
        return norm
    }
}
