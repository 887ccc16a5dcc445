import ArgumentParser
import Foundation
import SynprefCore
import SynprefCuration
import SynprefData

/// `synpref curate experiment`: injected label flips, simulated humans, Stage 1 and Stage 2,
/// and the three reward models that show what curation bought.
struct CurateExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Measure curation: flip a share of a pool's labels, curate it with simulated humans, compare reward models.",
        discussion: """
            Splits --input by prompt into a pool and an untouched held-out part, flips \
            --noise of the pool's labels (seeded; the original labels are the simulated \
            annotators' truth), imports the noisy pool into a fresh SQLite store in --output, \
            runs Stage 1 (curate run) and Stage 2 (curate stage2) on it, then trains three \
            reward models alike — (a) on the noisy pool, (b) on the curated pool (gold and \
            silver in their verified orientation; plus the discarded pairs flipped when \
            stage2.recycle), (c) on the clean pool — and evaluates them on the held-out pairs: \
            accuracy with 95% Wilson intervals, McNemar's exact paired test of (b) against \
            (a) and (c), the share of the (a)→(c) gap closed, and the flips found \
            (precision, recall). Results: OUTPUT/experiment.json and a report page \
            (OUTPUT/report/index.html). With --config the project's settings (judges, \
            models, rounds, budgets) come from that file; otherwise --model is used as both \
            embedder and reward-model base with the defaults below.
            """)

    @Option(help: "The preference pairs (any format `synpref data import` reads).")
    var input: String

    @Option(help: "Output folder (the store, the data, the models, the report); must not exist yet.")
    var output: String

    @Option(help: "Share of the pool's labels flipped.")
    var noise: Double = 0.3

    @Option(name: .customLong("held-out"), help: "Share of the prompts held out for the final evaluation.")
    var heldOut: Double = 0.25

    @Option(help: "Use about this many pairs of the input in all (spread over its prompts), e.g. for a run with slow LLM judges.")
    var limit: Int?

    @Option(help: "Seed of the split, the flips and the project.")
    var seed: Int = 0

    @Option(help: "A curate.json for the project (its humans.simulate.truth is replaced by the experiment's).")
    var config: String?

    @Option(help: "Without --config: the model folder used as embedder and reward-model base (e.g. all-MiniLM-L6-v2).")
    var model: String?

    @Option(help: """
        Without --config: what the reward models train on the frozen model: pooler+head (BERT's pooler and \
        classifier, a head with a hidden layer; it learns the flipped labels as a fine-tuned model would) \
        or head (a linear head, which symmetric label noise hardly hurts).
        """)
    var train: String = "pooler+head"

    @Option(help: "Without --config: Stage 1 rounds.")
    var rounds: Int = 2

    @Option(help: "Without --config: pairs the simulated humans verify per round.")
    var budget: Int = 100

    @Option(name: .customLong("human-noise"), help: "Without --config: how often the simulated humans answer wrongly.")
    var humanNoise: Double = 0.05

    @Option(help: "Without --config: a judges file; without one the LLM steps are skipped.")
    var judges: String?

    @Flag(help: "Without --config: train (b) on the discarded pairs too, flipped (Stage 2's recycling).")
    var recycle = false

    @Flag(name: .customLong("flip-agreed"), help: "Without --config: Stage 2 keeps the pairs the gold RM and the best RM both find the wrong way round, flipped, instead of discarding them.")
    var flipAgreed = false

    func validate() throws {
        if !(noise >= 0 && noise < 0.5) { throw ValidationError("--noise must be in [0, 0.5); got \(noise)") }
        if !(heldOut > 0 && heldOut < 1) { throw ValidationError("--held-out must be in (0, 1); got \(heldOut)") }
        if config == nil && model == nil { throw ValidationError("give --config curate.json, or --model FOLDER for the defaults") }
        if FileManager.default.fileExists(atPath: output) { throw ValidationError("\(output) exists; the experiment writes a fresh folder (remove it or choose another)") }
        if !FileManager.default.fileExists(atPath: input) { throw ValidationError("--input \(input): no such file") }
        if let limit, limit < 10 { throw ValidationError("--limit must be at least 10") }
        if !["head", "pooler+head"].contains(train) { throw ValidationError("--train must be head or pooler+head; got \(train)") }
    }

    func projectConfig() throws -> CurationConfig {
        if let config { return try CurationConfig.load(path: config) }
        guard let model else { throw ValidationError("give --config or --model") }
        let path = URL(fileURLWithPath: model).standardizedFileURL.path
        var rm = CurationConfig.RewardModel(base: path)
        rm.train = train
        rm.learningRate = 1e-2
        rm.batchSize = 32
        rm.epochs = 10
        rm.maxLength = 512
        var c = CurationConfig(name: "experiment", judges: judges.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, embedder: path, rewardModel: rm)
        c.rounds = rounds
        c.seed = seed
        c.seedPool.share = judges == nil ? 1 : 0.1
        c.humans.budgetPerRound = budget
        c.stage2Recycle = recycle
        c.stage2FlipAgreed = flipAgreed
        c.humans.simulate = CurationConfig.Simulation(truth: "(set by the experiment)", noise: humanNoise, annotators: ["a", "b"])
        return c
    }

    func run() async throws {
        var options = CurationExperiment.Options(input: input, output: output, config: try projectConfig())
        options.noise = noise
        options.heldOut = heldOut
        options.seed = seed
        options.limit = limit
        let progress = TrainProgress()
        var experiment = CurationExperiment(options: options)
        experiment.hooks = curationHooks(progress, worker: nil, prefix: "synpref curate experiment")
        let result = try await experiment.run()
        progress.finish()
        print(Self.table(result))
    }

    static func table(_ r: CurationExperiment.Result) -> String {
        func row(_ label: String, _ a: CurationExperiment.Arm) -> String {
            let ci = a.interval.map { String(format: "%.1f–%.1f", 100 * $0.low, 100 * $0.high) } ?? "-"
            return "  " + label.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: " %6d   %5.1f%%   ", a.trainPairs, 100 * a.accuracy) + ci
        }
        var lines = ["held-out accuracy (\(r.raw.correct.count) pairs; 95% Wilson intervals):",
                     "  model trained on                   pairs   accuracy  95% CI",
                     row("(a) the noisy pool", r.raw), row("(b) the curated pool", r.curated), row("(c) the clean pool (upper bound)", r.clean)]
        lines.append(String(format: "  (b) vs (a): McNemar exact p = %.3g (%d pairs only (b) gets right, %d only (a))", r.curatedVsRaw.p, r.curatedVsRaw.onlyA, r.curatedVsRaw.onlyB))
        lines.append(String(format: "  (b) vs (c): McNemar exact p = %.3g (%d only (b), %d only (c))", r.curatedVsClean.p, r.curatedVsClean.onlyA, r.curatedVsClean.onlyB))
        if let g = r.json["gap_closed"]?.doubleValue { lines.append(String(format: "  share of the (a)→(c) gap closed by curation: %.0f%%", 100 * g)) }
        let f = r.flips
        let pr = f["precision"]?.doubleValue.map { String(format: "%.1f%%", 100 * $0) } ?? "-"
        let rc = f["recall"]?.doubleValue.map { String(format: "%.1f%%", 100 * $0) } ?? "-"
        let la = f["curated_label_accuracy"]?.doubleValue.map { String(format: "%.1f%%", 100 * $0) } ?? "-"
        lines.append("flip detection: precision \(pr), recall \(rc) (\(f["flagged_flips"]?.intValue ?? 0) of \(f["injected"]?.intValue ?? 0) injected flips flagged; "
            + "\(f["flagged"]?.intValue ?? 0) pairs flagged); curated labels right: \(la)")
        let tiers = PreferenceTier.allCases.map { "\($0.rawValue) \(r.tiers[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        lines.append("pool after curation: \(tiers)")
        return lines.joined(separator: "\n")
    }
}
