import Foundation
import SynprefCore
import SynprefData
import SynprefModels
import SynprefTraining

/// How a project's reward models score pairs. With `"train": "head"` (or "pooler+head") every model the
/// project trains shares the frozen backbone of `reward_model.base`, so one `FeatureTable`
/// serves every training run and every scoring pass of the process: a conversation goes
/// through the backbone once, and each model costs only its head (the trainer's own
/// validation path, `HeadScoring`). Otherwise each model scores with the engine
/// (`PairScoring`).
public final class ProjectScoring: @unchecked Sendable {
    // @unchecked Sendable: `table` is guarded by `lock`.
    public let config: CurationConfig
    private let lock = NSLock()
    private var table: FeatureTable?

    public init(config: CurationConfig) { self.config = config }

    /// The shared feature table of the base model (nil unless the project trains heads only).
    public func features(progress: any ProgressObserver = SilentProgress()) throws -> FeatureTable? {
        // An external trainer's models need not share the base's backbone.
        guard config.rewardModel.frozenBackbone, config.rewardModel.externalTrainer == nil else { return nil }
        if let t = lock.withLock({ table }) { return t }
        let base = try ModelReference.resolve(config.rewardModel.base, settings: .fromEnvironment(), progress: progress)
        let hidden: Int
        switch try ModelConfig.load(from: base) {
        case .decoder(let c): hidden = c.hiddenSize
        case .bert(let c): hidden = c.hiddenSize
        }
        return lock.withLock {
            if table == nil { table = FeatureTable(source: base, hidden: hidden) }
            return table
        }
    }

    /// Rewards of `pairs` (by id) under the project's model in `model`.
    public func rewards(_ pairs: [PreferencePair], model: String, task: String = "score",
                        progress: any ProgressObserver = SilentProgress()) throws -> PairScoring.Rewards {
        guard let table = try features(progress: progress) else {
            return try PairScoring.rewards(pairs, model: PairScoring.open(model, config: config), task: task, progress: progress)
        }
        let r = try HeadScoring.rewards(model: URL(fileURLWithPath: model), pairs: pairs, features: table, maxLength: config.rewardModel.maxLength) { done, total in
            progress.report(ProgressEvent(task: task, completed: done, total: total, unit: "pairs"))
        }
        var out: PairScoring.Rewards = [:]
        for (p, x) in zip(pairs, r) { if let id = p.id { out[id] = x } }
        return out
    }
}
