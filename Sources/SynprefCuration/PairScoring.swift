import Foundation
import SynprefCore
import SynprefData
import SynprefModels

/// A reward model's view of stored pairs: the rewards of each pair's stored chosen and
/// rejected conversations, and `s = σ(r_chosen − r_rejected)`, the confidence that the
/// stored `chosen` response is the better one (the stored orientation, not the verified one).
public enum PairScoring {
    public typealias Rewards = [Int64: (chosen: Double, rejected: Double)]

    /// Scores `pairs` with `model` in chunks, reporting pairs done as task `task`.
    public static func rewards(_ pairs: [PreferencePair], model: RewardModel, chunk: Int = 128, task: String = "score",
                               progress: any ProgressObserver = SilentProgress()) throws -> Rewards {
        var out: Rewards = [:]
        for start in stride(from: 0, to: pairs.count, by: chunk) {
            let part = Array(pairs[start..<min(pairs.count, start + chunk)])
            let conversations = part.flatMap { [$0.chosenConversation, $0.rejectedConversation] }
            let scores = try model.score(inputs: try model.inputs(for: conversations))
            for (k, pair) in part.enumerated() {
                guard let id = pair.id else { continue }
                out[id] = (Double(scores[2 * k]), Double(scores[2 * k + 1]))
            }
            progress.report(ProgressEvent(task: task, completed: min(pairs.count, start + chunk), total: pairs.count, unit: "pairs"))
        }
        return out
    }

    /// The rewards an external scorer's file (`ScoreFile`) gives the pairs it names.
    public static func rewards(_ pairs: [PreferencePair], file: ScoreFile) -> Rewards {
        var out: Rewards = [:]
        for p in pairs {
            guard let id = p.id, let r = file.rewards[p.contentHash] else { continue }
            out[id] = r
        }
        return out
    }

    /// Opens a reward model for scoring pairs the way the configuration trains on them:
    /// inputs longer than `reward_model.max_length` (or the model's limit) keep their first
    /// tokens, as the trainer's truncation does.
    public static func open(_ path: String, config: CurationConfig) throws -> RewardModel {
        try RewardModel.open(path, frontEndOptions: TextFrontEnd.Options(maxLength: config.rewardModel.maxLength ?? TextFrontEnd.Options.defaultMaxLength,
                                                                         truncation: .right))
    }

    /// `s` per pair.
    public static func confidence(_ rewards: Rewards) -> [Int64: Double] {
        rewards.mapValues { sigmoid($0.chosen - $0.rejected) }
    }

    public static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
}
