import Foundation
import SynprefCore
import SynprefData
import SynprefModels
import SynprefTraining

/// Stage 1, step 4: a round's Bradley-Terry reward model, trained on the silver tier with
/// the checkpoint best on gold kept (`synpref train --store URL --tier silver --eval-tier
/// gold`, in process), then `p = σ(r_w − r_l)` for every gold pair in its verified
/// orientation. The scores go to the label log as the model's labels
/// (`reward_model:<fingerprint>`: the stored response it prefers, with its confidence), so
/// what each round's model thought of each pair stays on record.
public enum RoundModel {
    public struct Result: Sendable {
        /// The folder of the model kept (the best on gold, else the final one).
        public var model: URL
        public var fingerprint: String
        /// Accuracy on gold of the model kept, when gold was evaluated.
        public var goldAccuracy: Double?
        public var trainPairs: Int
        public var seconds: Double
        /// `p` per gold pair id, in the pair's verified orientation.
        public var goldP: [Int64: Double]
    }

    /// Trains on `tier` (silver in Stage 1), validates on gold and scores gold when
    /// `validateOnGold` (Stage 2's gold RM trains on gold itself and does neither). `output`
    /// receives the training run.
    public static func train(_ project: CurationProject, round: Int, tier: PreferenceTier = .silver, validateOnGold: Bool = true, output: URL,
                             progress: any ProgressObserver = SilentProgress()) async throws -> Result {
        guard let url = project.storeURL else {
            throw CurationError.input(file: project.name, reason: "the project was opened without its store URL; training reads the store's tiers by URL")
        }
        let started = Date()
        if let command = project.config.rewardModel.externalTrainer {
            return try await external(command, project, tier: tier, validateOnGold: validateOnGold, output: output, started: started)
        }
        let base = try ModelReference.resolve(project.config.rewardModel.base, settings: .fromEnvironment(), progress: progress)
        var spec = TrainingJobSpec(model: base, data: .store(url: url, tier: tier), output: output)
        let hasGold = validateOnGold ? try await project.store.count(tier: .gold) > 0 : false
        if hasGold { spec.validation = .store(url: url, tier: .gold) }
        spec.options = options(project.config.rewardModel, seed: UInt64(project.config.seed) &+ UInt64(round))
        spec.maxLength = project.config.rewardModel.maxLength
        spec.overLength = .truncate
        spec.parts = parts(project.config.rewardModel)
        spec.features = try project.scoring.features(progress: progress)
        let prepared = try await TrainingJob.prepare(spec)
        let summary = try await prepared.trainer.run(progress: progress)
        let best = output.appendingPathComponent("best")
        let kept = hasGold && FileManager.default.fileExists(atPath: best.appendingPathComponent("config.json").path) ? best : output
        let (fingerprint, goldP) = validateOnGold ? try await scoreGold(project, model: kept) : (try RewardModel.open(kept.path).fingerprint, [:])
        return Result(model: kept, fingerprint: fingerprint, goldAccuracy: summary.bestAccuracy, trainPairs: prepared.trainer.train.pairs.count,
                      seconds: Date().timeIntervalSince(started), goldP: goldP)
    }

    /// An external trainer (`reward_model.external_trainer`, e.g. OpenRLHF on a GPU box): the
    /// tier is exported in its verified orientation as TRL JSON lines (`train.jsonl`, and
    /// gold as `eval.jsonl` when validating), then the command runs through `/bin/sh -c` with
    /// `{train}`, `{eval}`, `{output}` and `{base}` replaced by those paths (and the same in
    /// `SYNPREF_TRAIN_DATA`, `SYNPREF_EVAL_DATA`, `SYNPREF_OUTPUT_DIR`, `SYNPREF_BASE_MODEL`);
    /// it must exit 0 and leave the model to keep (its best checkpoint) in the output folder.
    static func external(_ command: String, _ project: CurationProject, tier: PreferenceTier, validateOnGold: Bool, output: URL,
                         started: Date) async throws -> Result {
        let fm = FileManager.default
        let data = output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + "-data")
        try fm.createDirectory(at: data, withIntermediateDirectories: true)
        try fm.createDirectory(at: output, withIntermediateDirectories: true)
        let train = data.appendingPathComponent("train.jsonl").path, eval = data.appendingPathComponent("eval.jsonl").path
        let pairs = try await project.store.allPairs(tier: tier).map { $0.verified() }
        guard let encoder = PreferenceFormat.trl.encoder() else { throw CurationError.input(file: train, reason: "no TRL writer") }
        func write(_ list: [PreferencePair], _ path: String) throws {
            let w = try AtomicLineWriter(path: path)
            for p in list { try w.write(try encoder.encode(p)) }
            try w.commit()
        }
        try write(pairs, train)
        let gold = validateOnGold ? try await project.store.allPairs(tier: .gold).map { $0.verified() } : []
        try write(gold, eval)
        let base = project.config.rewardModel.base
        let text = command.replacingOccurrences(of: "{train}", with: train).replacingOccurrences(of: "{eval}", with: eval)
            .replacingOccurrences(of: "{output}", with: output.path).replacingOccurrences(of: "{base}", with: base)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", text]
        var env = ProcessInfo.processInfo.environment
        env["SYNPREF_TRAIN_DATA"] = train
        env["SYNPREF_EVAL_DATA"] = eval
        env["SYNPREF_OUTPUT_DIR"] = output.path
        env["SYNPREF_BASE_MODEL"] = base
        process.environment = env
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit && process.terminationStatus == 0 else {
            throw CurationError.config(file: "curate.json", field: "reward_model.external_trainer",
                                       reason: "`\(text)` failed (exit status \(process.terminationStatus)); fix the command and run again")
        }
        guard fm.fileExists(atPath: output.appendingPathComponent("config.json").path) else {
            throw CurationError.config(file: "curate.json", field: "reward_model.external_trainer",
                                       reason: "`\(text)` left no model in \(output.path) (no config.json); the trainer must write the model to keep there")
        }
        let (fingerprint, goldP) = validateOnGold ? try await scoreGold(project, model: output) : (try RewardModel.open(output.path).fingerprint, [:])
        let accuracy = goldP.isEmpty ? nil : Double(goldP.values.filter { $0 > 0.5 }.count) / Double(goldP.count)
        return Result(model: output, fingerprint: fingerprint, goldAccuracy: accuracy, trainPairs: pairs.count, seconds: Date().timeIntervalSince(started), goldP: goldP)
    }

    /// The training options the configuration's reward-model section gives.
    public static func options(_ rm: CurationConfig.RewardModel, seed: UInt64) -> TrainingOptions {
        var o = TrainingOptions()
        if let lr = rm.learningRate { o.learningRate = lr }
        if let b = rm.batchSize { o.batchSize = b }
        if let e = rm.epochs { o.epochs = e }
        o.seed = seed
        return o
    }

    /// Which parameters train: "head" and "pooler+head" freeze the backbone (the latter
    /// trains a BERT model's pooler too), "full" trains everything.
    public static func parts(_ rm: CurationConfig.RewardModel) -> TrainableParts {
        TrainableParts(freezeBackbone: rm.frozenBackbone, trainPooler: rm.train == "pooler+head")
    }

    /// `p` for every gold pair under `model`, recorded as the model's labels.
    public static func scoreGold(_ project: CurationProject, model: URL) async throws -> (fingerprint: String, p: [Int64: Double]) {
        let fingerprint = try RewardModel.open(model.path).fingerprint
        let gold = try await project.store.allPairs(tier: .gold)
        let s = PairScoring.confidence(try project.scoring.rewards(gold, model: model.path, task: "scoring gold"))
        var p: [Int64: Double] = [:]
        var labels: [LabelEntry] = []
        // A resumed round does not record the model's labels twice.
        var labelled = Set<Int64>()
        for pair in gold {
            guard let id = pair.id else { continue }
            if try await project.store.labels(pairID: id).contains(where: { $0.labeler == .rewardModel(fingerprint) }) { labelled.insert(id) }
        }
        for pair in gold {
            guard let id = pair.id, let si = s[id] else { continue }
            p[id] = pair.verifiedFlipped ? 1 - si : si
            if !labelled.contains(id) {
                labels.append(LabelEntry(pairID: id, labeler: .rewardModel(fingerprint), label: si >= 0.5 ? .chosen : .rejected,
                                         confidence: max(si, 1 - si)))
            }
        }
        if !labels.isEmpty { _ = try await project.store.apply(CurationBatch(labels: labels, actor: "reward_model:\(fingerprint)")) }
        return (fingerprint, p)
    }
}
