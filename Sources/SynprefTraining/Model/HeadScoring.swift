import Foundation
import SynprefCore
import SynprefData
import SynprefModels
import SynprefTensor

/// Scores preference pairs with a model trained on a frozen backbone the way the trainer
/// validates it: each conversation is encoded as training encodes it (over-long inputs keep
/// their first tokens), its backbone features come from a shared `FeatureTable` (computed
/// there once), and the trained head maps them to a reward. The same numbers as scoring the
/// saved model with the engine, at the cost of the head alone for every sequence the table
/// has seen.
public enum HeadScoring {
    /// Rewards of each pair's stored chosen and rejected conversations under the model in
    /// `model` (trained with a frozen backbone of `features.source`).
    public static func rewards(model: URL, pairs: [PreferencePair], features: FeatureTable, maxLength: Int?, threads: Int? = nil,
                               maxBatchTokens: Int = 16384, progress: (Int, Int) -> Void = { _, _ in }) throws -> [(chosen: Double, rejected: Double)] {
        let config = try ModelConfig.load(from: model)
        let trainable = try TrainableModelLoader.load(directory: model, parts: TrainableParts(freezeBackbone: true))
        let head = HeadOnlyModel(freezing: trainable, features: features, source: features.source)
        guard let encoder = try TextFrontEnd.forTraining(directory: model, config: config) else {
            throw TrainingError.needsConversationEncoder(file: model.path, format: "pairs")
        }
        let limits: PairLimits
        switch config {
        case .decoder(let c): limits = PairLimits(vocabSize: c.vocabSize, maxLength: maxLength, overLength: .truncate)
        case .bert(let c): limits = PairLimits(vocabSize: c.vocabSize, modelMaxLength: c.maxPositionEmbeddings, maxLength: maxLength ?? c.maxPositionEmbeddings, overLength: .truncate)
        }
        var data = PairDataset(pairs: [], origin: "scored pairs", format: "pairs")
        for (i, p) in pairs.enumerated() { try data.add(p, encoder: encoder, line: i + 1, limits: limits) }
        let ctx = ComputeContext(threads: threads)
        let (sequences, types) = data.pairs.interleavedSequences()
        let base = features.source
        try features.precompute(sequences, tokenTypes: types, inference: { try RewardModel.open(base.path, threads: threads) },
                                maxBatchTokens: maxBatchTokens, ctx: ctx) { done in progress(done / 2, pairs.count) }
        var out: [(chosen: Double, rejected: Double)] = []
        out.reserveCapacity(pairs.count)
        var i = 0
        while i < sequences.count {
            let range = i..<min(sequences.count, i + 4096)
            let r = head.forward(TrainingBatch(sequences: Array(sequences[range]), tokenTypes: types.map { Array($0[range]) }), ctx: ctx)
            for k in stride(from: 0, to: r.count, by: 2) { out.append((Double(r[k]), Double(r[k + 1]))) }
            i = range.upperBound
        }
        progress(pairs.count, pairs.count)
        return out
    }
}
