import Foundation
import SynprefCore
import SynprefModels
import SynprefTensor

/// What the trainer reports as it goes (the command line draws its progress bar from
/// these; the same records go to `train_log.jsonl`).
public enum TrainingEvent: Sendable {
    /// A step finished; `totalSteps` for the ETA.
    case step(TrainingRecord, totalSteps: Int)
    case evaluation(TrainingRecord, isBest: Bool)
    case checkpoint(URL)
    /// Frozen backbone: head features computed for `done` of `total` sequences.
    case features(done: Int, total: Int)
}

/// How a run ended.
public struct TrainingSummary: Sendable {
    public var steps: Int
    public var startedAtStep: Int
    public var finalLoss: Double?
    public var lastEvaluation: TrainingRecord?
    public var bestAccuracy: Double?
    public var bestStep: Int?
    public var output: URL
    public var trainedTokens: Int
    public var seconds: Double
    public var activationPeakBytes: Int
}

/// The training loop of a Bradley-Terry reward model: seeded epochs of global batches,
/// micro-batches by token budget with gradient accumulation, clipping, AdamW with the
/// chosen schedule; validation every N steps with the best checkpoint kept; resumable
/// checkpoints; the JSONL log and the SVG plot.
///
/// Output folder: the final model (Hugging Face layout), `best/` (best validation
/// accuracy), `checkpoint/` (resumable state), `train_log.jsonl`, `loss.svg`.
public final class Trainer: @unchecked Sendable {
    // @unchecked Sendable: runs on one thread at a time; observers are called synchronously.
    public let model: any TrainableRewardModel
    public let options: TrainingOptions
    public let train: PairDataset
    public let validation: PairDataset?
    public let output: URL
    /// The model folder training started from (config.json and tokenizer files to copy).
    public let source: URL
    public let context: ComputeContext
    private let optimizer: AdamW
    private let step: TrainingStep

    public init(model: any TrainableRewardModel, options: TrainingOptions, train: PairDataset, validation: PairDataset?,
                output: URL, source: URL, context: ComputeContext? = nil) throws {
        try options.validate()
        self.model = model
        self.options = options
        self.train = train
        self.validation = validation
        self.output = output
        self.source = source
        self.context = context ?? ComputeContext(threads: options.threads)
        optimizer = AdamW(parameters: model.parameters.all, hyper: options.adam)
        step = TrainingStep(model: model, optimizer: optimizer, loss: options.loss, clipNorm: options.clipNorm)
        if optimizer.parameters.isEmpty { throw TrainingError.invalidSetting(.freezeBackbone, reason: "no parameter is left to train") }
    }

    public var checkpointDirectory: URL { output.appendingPathComponent(ResumeCheckpoint.folderName) }

    /// Runs to the end (or from the resumable checkpoint when `resume`). `stopAfter` ends
    /// the run early once that many steps are done, after writing the resumable checkpoint
    /// and without the final model (an interrupted run, for time-limited jobs and tests).
    @discardableResult
    public func run(resume: Bool = false, stopAfter: Int? = nil, progress: any ProgressObserver = SilentProgress(),
                    events: (TrainingEvent) -> Void = { _ in }) async throws -> TrainingSummary {
        let fm = FileManager.default
        do { try fm.createDirectory(at: output, withIntermediateDirectories: true) } catch {
            throw TrainingError.checkpoint(directory: output.path, reason: error.localizedDescription)
        }
        let plan = BatchPlan(pairCount: train.pairs.count, batchSize: options.batchSize, shuffle: options.shuffle, seed: options.seed)
        let total = plan.totalSteps(epochs: options.epochs, maxSteps: options.maxSteps)
        let schedule = LearningRateSchedule(kind: options.schedule, warmupSteps: options.warmup(totalSteps: total), totalSteps: total)
        let fingerprint = ResumeCheckpoint.fingerprint(train.pairs)
        var state = TrainerState(step: 0, totalSteps: total, pairs: train.pairs.count, dataFingerprint: fingerprint, options: options,
                                 bestAccuracy: nil, bestStep: nil, elapsedSeconds: 0)
        if resume {
            let saved = try ResumeCheckpoint.load(into: model, optimizer: optimizer, from: checkpointDirectory)
            guard saved.dataFingerprint == fingerprint, saved.pairs == train.pairs.count else {
                throw TrainingError.resume(directory: checkpointDirectory.path, reason: "the training data differs from the data of the saved run (\(saved.pairs) pairs, fingerprint \(saved.dataFingerprint)); resume with the same data and maximum length")
            }
            guard saved.options.batchSize == options.batchSize, saved.options.seed == options.seed, saved.options.shuffle == options.shuffle else {
                throw TrainingError.resume(directory: checkpointDirectory.path, reason: "the batch size, seed and shuffling must match the saved run (batch \(saved.options.batchSize), seed \(saved.options.seed), shuffle \(saved.options.shuffle))")
            }
            state.step = saved.step
            state.bestAccuracy = saved.bestAccuracy
            state.bestStep = saved.bestStep
            state.elapsedSeconds = saved.elapsedSeconds
        }
        let startStep = state.step
        let log = try TrainingLog(url: output.appendingPathComponent("train_log.jsonl"))
        if let head = model as? HeadOnlyModel {
            let sequences = (train.pairs + (validation?.pairs ?? [])).interleavedSequences()
            try head.precompute(sequences.ids, tokenTypes: sequences.types, maxBatchTokens: options.microBatchTokens, ctx: context) { done in
                events(.features(done: done, total: sequences.ids.count))
            }
        }
        let started = Date()
        var summary = TrainingSummary(steps: total, startedAtStep: startStep, finalLoss: nil, lastEvaluation: nil, bestAccuracy: state.bestAccuracy,
                                      bestStep: state.bestStep, output: output, trainedTokens: 0, seconds: 0, activationPeakBytes: 0)
        progress.report(ProgressEvent(task: "train", completed: startStep, total: total, unit: "steps"))
        var s = startStep
        while s < total {
            let t0 = Date()
            let (epoch, indices) = plan.step(s)
            let pairs = indices.map { train.pairs[$0] }
            var stats = step.accumulate(BatchPlan.microBatches(pairs, tokenBudget: options.microBatchTokens), ctx: context)
            guard stats.loss.isFinite else {
                throw TrainingError.invalidSetting(.learningRate, reason: "the loss became \(stats.loss) at step \(s + 1); lower the learning rate or check the data")
            }
            let lr = options.learningRate * schedule.factor(step: s)
            stats.gradientNorm = step.apply(lr: lr, ctx: context)
            s += 1
            let seconds = Date().timeIntervalSince(t0)
            summary.trainedTokens += stats.tokens
            let record = TrainingRecord(
                kind: .train, step: s, epoch: Double(epoch) + Double((s - 1) % plan.stepsPerEpoch + 1) / Double(plan.stepsPerEpoch),
                loss: stats.loss, accuracy: stats.accuracy, meanMargin: stats.meanMargin, pairs: stats.pairs, learningRate: lr,
                gradientNorm: stats.gradientNorm, tokens: stats.tokens, tokensPerSecond: Double(stats.tokens) / Swift.max(seconds, 1e-9),
                elapsedSeconds: state.elapsedSeconds + Date().timeIntervalSince(started))
            try log.append(record)
            summary.finalLoss = stats.loss
            events(.step(record, totalSteps: total))
            progress.report(ProgressEvent(task: "train", completed: s, total: total, unit: "steps"))

            let last = s == total
            if let validation, let every = options.evalEvery ?? (last ? total : nil), s % every == 0 || last {
                var eval = try await evaluate(validation)
                eval.step = s
                eval.epoch = record.epoch
                eval.elapsedSeconds = record.elapsedSeconds
                try log.append(eval)
                summary.lastEvaluation = eval
                let isBest = state.bestAccuracy.map { eval.accuracy > $0 } ?? true
                if isBest {
                    state.bestAccuracy = eval.accuracy
                    state.bestStep = s
                    let best = output.appendingPathComponent("best")
                    try HFCheckpoint.write(model, to: best, source: source)
                    let note = "{\"step\": \(s), \"accuracy\": \(eval.accuracy), \"mean_margin\": \(eval.meanMargin), \"pairs\": \(eval.pairs)}\n"
                    try? Data(note.utf8).write(to: best.appendingPathComponent("best.json"), options: .atomic)
                    events(.checkpoint(best))
                }
                summary.bestAccuracy = state.bestAccuracy
                summary.bestStep = state.bestStep
                events(.evaluation(eval, isBest: isBest))
            }
            let stopping = stopAfter.map { s >= $0 } ?? false
            if (options.saveEvery.map { s % $0 == 0 || last } ?? false) || stopping {
                state.step = s
                state.elapsedSeconds = record.elapsedSeconds
                try ResumeCheckpoint.save(model: model, optimizer: optimizer, state: state, to: checkpointDirectory)
                events(.checkpoint(checkpointDirectory))
            }
            if stopping && !last {
                summary.seconds = Date().timeIntervalSince(started)
                summary.steps = s
                return summary
            }
        }
        try HFCheckpoint.write(model, to: output, source: source)
        events(.checkpoint(output))
        let records = TrainingLog.read(log.url)
        try? Data(LossPlot.svg(records, title: "Synpref training: \(source.lastPathComponent)").utf8)
            .write(to: output.appendingPathComponent("loss.svg"), options: .atomic)
        summary.seconds = Date().timeIntervalSince(started)
        summary.activationPeakBytes = model.activationPeakFloats * 4
        return summary
    }

    /// Accuracy (r_w > r_l) and mean margin of `data` under the current weights, scored by
    /// the engine's inference path (`ScoringService`) exactly as `synpref score` would.
    public func evaluate(_ data: PairDataset) async throws -> TrainingRecord {
        let rewards: [Float]
        let (sequences, types) = data.pairs.interleavedSequences()
        if let head = model as? HeadOnlyModel {
            try head.precompute(sequences, tokenTypes: types, maxBatchTokens: options.microBatchTokens, ctx: context)
            var out: [Float] = []
            var i = 0
            while i < sequences.count {
                let range = i..<Swift.min(sequences.count, i + 4096)
                out += head.forward(TrainingBatch(sequences: Array(sequences[range]), tokenTypes: types.map { Array($0[range]) }), ctx: context)
                i = range.upperBound
            }
            rewards = out
        } else {
            let service = try ScoringService(
                model: model.inferenceModel(threads: context.threads, maxBatchTokens: options.microBatchTokens))
            defer { service.shutdown() }
            let inputs = try sequences.indices.map { try service.prepare(tokens: sequences[$0], typeIDs: types?[$0]) }
            rewards = try await service.score(inputs)
        }
        var correct = 0, margin = 0.0
        for p in 0..<data.pairs.count {
            let rw = rewards[2 * p], rl = rewards[2 * p + 1]
            if rw > rl { correct += 1 }
            margin += Double(rw - rl)
        }
        let n = Double(Swift.max(1, data.pairs.count))
        return TrainingRecord(kind: .eval, step: 0, epoch: 0, loss: nil, accuracy: Double(correct) / n, meanMargin: margin / n,
                              pairs: data.pairs.count, elapsedSeconds: 0)
    }
}
