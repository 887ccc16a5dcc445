import Foundation
import SynprefModels
import SynprefTensor

/// Training with a frozen backbone: every sequence's head input (a decoder's final-norm
/// state at the score row, BERT's last hidden state at the first token) is computed once by
/// the engine's inference forward, and each step only runs the head on those features: the
/// decoder's `score`, BERT's classifier(tanh(pooler(·))) with the pooler frozen or, with
/// `TrainableParts.trainPooler`, trained as the head's hidden layer. The parameters are the
/// full model's (backbone frozen), so saving writes a complete checkpoint.
public final class HeadOnlyModel: TrainableRewardModel, @unchecked Sendable {
    // @unchecked Sendable: used by one training loop; the feature table is built before
    // training and then only read.
    public let config: ModelConfig
    public let parameters: ParameterSet
    public var loraAdapters: [String: LoRAAdapter] { [:] }
    let head: TrainableLinear
    /// BERT's pooler, between the features and the head.
    let pooler: TrainableLinear?
    let hidden: Int
    /// The features, possibly shared with other runs on the same backbone.
    public let features: FeatureTable
    private var last: (picked: Tensor, pooled: Tensor?)?

    /// Wraps `model` (whose backbone parameters must be frozen). `features`: a table shared
    /// with other users of the same frozen backbone (a new one by default).
    public init(freezing model: any TrainableRewardModel, features: FeatureTable? = nil, source: URL = URL(fileURLWithPath: "/")) {
        config = model.config
        parameters = model.parameters
        switch model.config {
        case .decoder(let c):
            hidden = c.hiddenSize
            head = TrainableLinear(weight: parameters.require("score.weight"), bias: nil)
            pooler = nil
        case .bert(let c):
            hidden = c.hiddenSize
            head = TrainableLinear(weight: parameters.require("classifier.weight"), bias: parameters.require("classifier.bias"))
            pooler = TrainableLinear(weight: parameters.require("bert.pooler.dense.weight"), bias: parameters.require("bert.pooler.dense.bias"))
        }
        self.features = features ?? FeatureTable(source: source, hidden: hidden)
    }

    public var activationPeakFloats: Int { features.floats }
    /// Sequences whose features are cached.
    public var featureCount: Int { features.count }

    /// Computes (once) the features of every sequence not seen yet, in packed chunks of at
    /// most `maxBatchTokens` tokens; `progress` gets the number of sequences done.
    /// `tokenTypes` (one list per sequence) default to zeros.
    public func precompute(_ sequences: [[Int]], tokenTypes: [[Int]]? = nil, maxBatchTokens: Int, ctx: ComputeContext,
                           progress: (Int) -> Void = { _ in }) throws {
        try features.precompute(sequences, tokenTypes: tokenTypes, inference: {
            try RewardModel(config: config, weights: parameters.tensorSource, threads: ctx.threads)
        }, maxBatchTokens: maxBatchTokens, ctx: ctx, progress: progress)
    }

    public func forward(_ batch: TrainingBatch, ctx: ComputeContext) -> [Float] {
        let picked = Tensor(uninitialized: [batch.count, hidden])
        features.gather(batch, into: picked)
        var input = picked, pooled: Tensor?
        if let pooler {
            let p = Tensor(uninitialized: [batch.count, hidden])
            pooler.forward(picked, into: p, ctx: ctx)
            Activation.tanh(p, ctx: ctx)
            input = p
            pooled = p
        }
        let logits = Tensor(uninitialized: [batch.count, 1])
        head.forward(input, into: logits, ctx: ctx)
        last = (picked, pooled)
        return logits.toArray()
    }

    public func backward(dRewards: [Float], ctx: ComputeContext) {
        guard let state = last else { preconditionFailure("backward without a forward") }
        let picked = state.picked
        let dy = Tensor(dRewards, shape: [dRewards.count, 1])
        guard let pooler, let pooled = state.pooled else {
            head.backward(dy: dy, x: picked, dx: nil, scratch: Arena(), ctx: ctx)
            return
        }
        guard pooler.weight.grad != nil else {
            head.backward(dy: dy, x: pooled, dx: nil, scratch: Arena(), ctx: ctx)
            return
        }
        let dPooled = Tensor(uninitialized: [dRewards.count, hidden])
        head.backward(dy: dy, x: pooled, dx: dPooled, scratch: Arena(), ctx: ctx)
        ActivationBackward.tanh(dy: dPooled, y: pooled, dx: dPooled, ctx: ctx)
        pooler.backward(dy: dPooled, x: picked, dx: nil, scratch: Arena(), ctx: ctx)
    }
}
