import ArgumentParser
import Foundation
import SynprefData
import SynprefModels
import SynprefTraining

extension LearningRateSchedule.Kind: ExpressibleByArgument {}
extension OverLengthPolicy: ExpressibleByArgument {}
extension PairLoss.Kind: ExpressibleByArgument {}

/// `synpref train --model REF (--data FILE | --store URL --tier T) --output DIR [options]`
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Bradley-Terry reward model.",
        discussion: """
            Trains a Qwen3 / Llama / BERT sequence classifier (one label) on preference pairs \
            with the Bradley-Terry loss -log σ(r_chosen - r_rejected - margin), AdamW and a \
            learning-rate schedule, in f32 on the CPU. Defaults are the Skywork-Reward-V2 \
            development settings (lr 4e-6, global batch 256, linear decay, 1 epoch).

            Data: JSON Lines of pre-tokenized pairs {"chosen_ids": [int], "rejected_ids": [int], \
            "margin": number?}, any format `synpref data import` reads (conversations go through the \
            same text front end as `synpref score`: the model's chat template, or for BERT models \
            without one the text-pair layout), or a store tier.

            Output folder: the final model in Hugging Face layout (config.json, model.safetensors \
            in the original dtype, tokenizer files), best/ (best validation accuracy, with \
            --eval-data), checkpoint/ (resumable with --resume), train_log.jsonl and loss.svg.
            """)

    @Option(help: "Model: a local folder or a Hugging Face repo id (org/name[@revision]).")
    var model: String

    @Option(help: "Training pairs (JSON Lines, .gz allowed).")
    var data: String?

    @Option(help: "Preference store URL (sqlite:PATH or postgres://...) to train on one tier of.")
    var store: String?

    @Option(help: "Store tier to train on (with --store): \(PreferenceTier.allCases.map(\.rawValue).joined(separator: ", ")).")
    var tier: PreferenceTier?

    @Option(help: "Output folder.")
    var output: String

    @Option(help: "Peak learning rate.")
    var lr: Double = 4e-6

    @Option(name: .customLong("batch-size"), help: "Pairs per optimizer step (global batch; gradient accumulation reaches it).")
    var batchSize: Int = 256

    @Option(name: .customLong("micro-batch-tokens"), help: "Tokens per packed micro-batch (bounds memory).")
    var microBatchTokens: Int = 16384

    @Option(help: "Passes over the data.")
    var epochs: Int = 1

    @Option(name: .customLong("max-steps"), help: "Stop after this many optimizer steps (overrides --epochs).")
    var maxSteps: Int?

    @Option(help: "Learning-rate schedule: constant, linear (decay to 0) or cosine.")
    var schedule: LearningRateSchedule.Kind = .linear

    @Option(name: .customLong("warmup-steps"), help: "Linear warm-up steps.")
    var warmupSteps: Int?

    @Option(name: .customLong("warmup-ratio"), help: "Warm-up as a fraction of all steps (instead of --warmup-steps).")
    var warmupRatio: Double?

    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay (not on biases and norm weights); 0 disables.")
    var weightDecay: Double = 0

    @Option(name: .customLong("adam-beta1"), help: "AdamW beta1.")
    var adamBeta1: Double = 0.9

    @Option(name: .customLong("adam-beta2"), help: "AdamW beta2.")
    var adamBeta2: Double = 0.999

    @Option(name: .customLong("adam-eps"), help: "AdamW epsilon.")
    var adamEps: Double = 1e-8

    @Option(name: .customLong("clip-norm"), help: "Global gradient-norm clipping; 0 disables.")
    var clipNorm: Double = 1.0

    @Option(help: "Seed for shuffling and new weights (a base model's head, LoRA).")
    var seed: UInt64 = 42

    @Flag(name: .customLong("no-shuffle"), help: "Keep the file order instead of a seeded shuffle per epoch.")
    var noShuffle = false

    @Option(name: .customLong("center-coef"), help: "Reward-centering coefficient c: adds c · mean((r_chosen + r_rejected)²).")
    var centerCoef: Double = 0

    @Option(help: "Pairwise loss: bt (Bradley-Terry, with margins) or logexp (OpenRLHF).")
    var loss: PairLoss.Kind = .bradleyTerry

    @Option(name: .customLong("lora-rank"), help: "Train LoRA adapters of this rank (merged into the weights on save) instead of all weights.")
    var loraRank: Int?

    @Option(name: .customLong("lora-alpha"), help: "LoRA alpha (scale = alpha / rank).")
    var loraAlpha: Double = 16

    @Option(name: .customLong("lora-targets"), help: "Comma-separated linear layers for LoRA (e.g. q_proj,v_proj); default: all.")
    var loraTargets: String?

    @Flag(name: .customLong("freeze-backbone"), help: "Train only the score head; backbone features are computed once.")
    var freezeBackbone = false

    @Flag(name: .customLong("train-pooler"), help: "With --freeze-backbone on a BERT model: train its pooler too, a hidden layer of the head (classifier(tanh(pooler(CLS)))).")
    var trainPooler = false

    @Option(name: .customLong("max-length"), help: "Longest sequence (tokens) a pair may have.")
    var maxLength: Int?

    @Option(name: .customLong("over-length"), help: "Pairs over --max-length: drop (TRL) or truncate (OpenRLHF).")
    var overLength: OverLengthPolicy = .drop

    @Option(name: .customLong("eval-data"), help: "Validation pairs (same formats as --data): accuracy and mean margin; the best checkpoint is kept in OUTPUT/best.")
    var evalData: String?

    @Option(name: .customLong("eval-tier"), help: "Validate on this tier of --store instead (e.g. gold while training on silver), each pair in its verified orientation.")
    var evalTier: PreferenceTier?

    @Option(name: .customLong("eval-every"), help: "Validate every N steps (and at the end).")
    var evalEvery: Int?

    @Option(name: .customLong("save-every"), help: "Write the resumable checkpoint every N steps (and at the end).")
    var saveEvery: Int?

    @Flag(help: "Continue the run saved in OUTPUT/checkpoint (same data, batch size and seed).")
    var resume = false

    @Option(name: .customLong("gradient-checkpointing"), help: "Recompute layer activations in the backward: auto, on or off.")
    var gradientCheckpointing: String = "auto"

    @Option(help: "Threads (default: all cores).")
    var threads: Int?

    func spec(model directory: URL) throws -> TrainingJobSpec {
        let source: TrainingDataSource
        switch (data, store, tier) {
        case (let file?, nil, nil): source = .file(file)
        case (nil, let url?, let t?): source = .store(url: url, tier: t)
        case (nil, _?, nil): throw ValidationError("--store needs --tier (one of \(PreferenceTier.allCases.map(\.rawValue).joined(separator: ", ")))")
        case (nil, nil, _): throw ValidationError("give the training pairs with --data FILE or --store URL --tier T")
        default: throw ValidationError("give either --data or --store/--tier, not both")
        }
        var spec = TrainingJobSpec(model: directory, data: source, output: URL(fileURLWithPath: output, isDirectory: true))
        switch (evalData, evalTier) {
        case (let file?, nil): spec.validation = .file(file)
        case (nil, let t?):
            guard let store else { throw ValidationError("--eval-tier needs --store (the tier is read from the same store)") }
            spec.validation = .store(url: store, tier: t)
        case (nil, nil): spec.validation = nil
        default: throw ValidationError("give --eval-data or --eval-tier, not both")
        }
        var o = TrainingOptions()
        o.learningRate = lr
        o.batchSize = batchSize
        o.microBatchTokens = microBatchTokens
        o.epochs = epochs
        o.maxSteps = maxSteps
        o.schedule = schedule
        o.warmupSteps = warmupSteps
        o.warmupRatio = warmupRatio
        o.adam = AdamW.Hyperparameters(beta1: adamBeta1, beta2: adamBeta2, eps: adamEps, weightDecay: weightDecay)
        o.clipNorm = clipNorm
        o.seed = seed
        o.shuffle = !noShuffle
        o.loss = PairLoss(kind: loss, centerCoefficient: centerCoef)
        o.evalEvery = evalEvery
        o.saveEvery = saveEvery
        o.threads = threads
        switch gradientCheckpointing {
        case "auto": o.recomputeLayers = nil
        case "on": o.recomputeLayers = true
        case "off": o.recomputeLayers = false
        default: throw ValidationError("--gradient-checkpointing must be auto, on or off, got \(gradientCheckpointing)")
        }
        spec.options = o
        if let r = loraRank {
            let targets = loraTargets?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            spec.parts.lora = LoRAOptions(rank: r, alpha: loraAlpha, targetModules: targets)
        } else if loraTargets != nil {
            throw ValidationError("--lora-targets needs --lora-rank")
        }
        spec.parts.freezeBackbone = freezeBackbone
        spec.parts.trainPooler = trainPooler
        spec.maxLength = maxLength
        spec.overLength = overLength
        spec.resume = resume
        if evalEvery != nil && evalData == nil && evalTier == nil { throw ValidationError("--eval-every needs --eval-data or --eval-tier") }
        return spec
    }

    func run() async throws {
        let progress = TrainProgress()
        let directory = try ModelReference.resolve(model, progress: progress)
        let spec = try spec(model: directory)
        let prepared = try await TrainingJob.prepare(spec)
        let trainer = prepared.trainer
        let train = trainer.train
        progress.line("model \(directory.path): \(trainer.model.parameters.trainableCount) trainable of \(trainer.model.parameters.totalCount) parameters\(prepared.recomputeLayers ? ", gradient checkpointing" : "")")
        var dataLine = "data \(train.origin) (\(train.format)): \(train.pairs.count) pairs, \(train.tokenCount) tokens"
        if spec.maxLength != nil { dataLine += "; over --max-length: \(train.dropped) pairs dropped, \(train.truncatedSequences) sequences truncated" }
        progress.line(dataLine)
        if let v = trainer.validation { progress.line("validation \(v.origin): \(v.pairs.count) pairs") }
        let summary = try await trainer.run(resume: spec.resume, progress: progress) { event in progress.handle(event) }
        progress.finish()
        var lines = ["trained \(summary.steps - summary.startedAtStep) steps in \(ProgressLine.duration(summary.seconds)) (\(Int(Double(summary.trainedTokens) / Swift.max(summary.seconds, 1e-9))) tokens/s); final loss \(summary.finalLoss.map { String(format: "%.4f", $0) } ?? "-")"]
        if let e = summary.lastEvaluation { lines.append(String(format: "validation: accuracy %.4f, mean margin %.4f (%d pairs)", e.accuracy, e.meanMargin, e.pairs)) }
        if let b = summary.bestAccuracy, let s = summary.bestStep { lines.append(String(format: "best validation accuracy %.4f at step %d: %@", b, s, summary.output.appendingPathComponent("best").path)) }
        lines.append("model: \(summary.output.path) (log: train_log.jsonl, plot: loss.svg)")
        print(lines.joined(separator: "\n"))
    }
}
