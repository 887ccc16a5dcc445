import Foundation
import SynprefCore
import SynprefData
import SynprefEval
import SynprefJudge
import SynprefModels
import SynprefTraining

/// The experiment that shows curation works (the README's main job): a pool with a known
/// share of injected label flips, simulated annotators answering from the original labels,
/// Stage 1 rounds and Stage 2 on it, then three reward models trained alike — (a) on the
/// noisy pool, (b) on the curated pool (gold + silver in their verified orientation, plus
/// the discarded pairs flipped when the configuration recycles them), (c) on the clean pool
/// (the upper bound) — and evaluated on an untouched held-out part: accuracy with 95% Wilson
/// intervals, McNemar's paired test of (b) against (a), the share of the (a)→(c) gap closed,
/// and how well the pipeline found the flips.
public struct CurationExperiment: Sendable {
    public struct Options: Sendable {
        public var input: String
        public var output: String
        public var noise = 0.3
        public var heldOut = 0.25
        public var seed = 0
        /// Use about this many pairs of the input in all (pool and held-out).
        public var limit: Int?
        /// The project's configuration; its `humans.simulate.truth` is set to the experiment's truth file.
        public var config: CurationConfig
        /// Training of (a), (b), (c): the configuration's reward-model options.
        public init(input: String, output: String, config: CurationConfig) {
            self.input = input
            self.output = output
            self.config = config
        }
    }

    public let options: Options
    public var hooks = RunHooks()

    public init(options: Options) { self.options = options }

    /// One of the three models on the held-out pairs.
    public struct Arm: Sendable {
        public var name: String
        public var trainPairs: Int
        public var correct: [Bool]
        public var accuracy: Double { correct.isEmpty ? 0 : Double(correct.filter { $0 }.count) / Double(correct.count) }
        public var interval: WilsonInterval? { WilsonInterval(successes: correct.filter { $0 }.count, trials: correct.count) }
        public var seconds: Double

        var json: JSONObject {
            var o: JSONObject = ["train_pairs": .integer(trainPairs), "held_out_pairs": .integer(correct.count),
                                 "correct": .integer(correct.filter { $0 }.count), "accuracy": .double(accuracy), "training_seconds": .double(seconds)]
            if let i = interval { o["ci95"] = .array([.double(i.low), .double(i.high)]) }
            return o
        }
    }

    public struct Result: Sendable {
        public var raw: Arm, curated: Arm, clean: Arm
        public var curatedVsRaw: McNemarTest
        public var curatedVsClean: McNemarTest
        public var flips: JSONObject
        public var tiers: [String: Int]
        public var json: JSONObject
    }

    /// Runs everything in `output` (a fresh folder: the store, the data, the models).
    public func run() async throws -> Result {
        let out = URL(fileURLWithPath: options.output).standardizedFileURL
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let started = Date()
        hooks.log("splitting \(options.input) by prompt (held out \(options.heldOut)) and flipping \(Int(options.noise * 100))% of the pool's labels")
        let pool = try NoisyPool.make(input: options.input, outputDirectory: out.appendingPathComponent("data").path,
                                      heldOutFraction: options.heldOut, noise: options.noise, seed: options.seed, limit: options.limit)
        hooks.log("pool \(pool.noisy.count) pairs (\(pool.flipped.count) flipped), held out \(pool.heldOut.count) pairs")

        var config = options.config
        let sim = config.humans.simulate
        config.humans.simulate = CurationConfig.Simulation(truth: pool.truthPath, noise: sim?.noise ?? 0, annotators: sim?.annotators ?? ["sim"])
        let storeURL = "sqlite:" + out.appendingPathComponent("curation.db").path
        let store = try await PreferenceStores.open(storeURL)
        do {
            let result = try await curate(pool: pool, config: config, store: store, storeURL: storeURL, out: out, started: started)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    func curate(pool: NoisyPool, config: CurationConfig, store: any PreferenceStore, storeURL: String, out: URL, started: Date) async throws -> Result {
        if try await store.count(tier: nil) == 0 {
            let importer = PreferenceImporter(store: store, options: ImportOptions(format: .jsonl, source: "pool"), progress: hooks.progress)
            _ = try await importer.run([pool.noisyPath])
        }
        try await CurationProject.initialize(store: store, config: config)
        let project = try await CurationProject.open(store: store, name: config.name, url: storeURL)
        let ledger = try await StepLedger(project: project)
        let work = out.appendingPathComponent("work")
        var one = StageOne(project: project, ledger: ledger, workDir: work)
        one.hooks = hooks
        let stageOneStarted = Date()
        guard case .finished = try await one.run() else {
            throw CurationError.input(file: options.output, reason: "Stage 1 waits for humans; the experiment needs simulated annotators")
        }
        let stageOneSeconds = Date().timeIntervalSince(stageOneStarted)
        var two = StageTwo(project: project, ledger: ledger, workDir: work)
        two.hooks = hooks
        let stageTwoStarted = Date()
        let filter = try await two.run()
        let stageTwoSeconds = Date().timeIntervalSince(stageTwoStarted)

        // The curated training set, in verified orientation.
        var curated = try await store.allPairs(tier: .gold).map { $0.verified() } + store.allPairs(tier: .silver).map { $0.verified() }
        let discarded = try await store.allPairs(tier: .discarded)
        if config.stage2Recycle { curated += discarded.map { $0.flipped() } }
        let curatedPath = out.appendingPathComponent("data/curated.jsonl").path
        try NoisyPool.write(curated, to: curatedPath)
        let flips = try await flipDetection(pool: pool, store: store)

        let raw = try await arm("a-raw", data: pool.noisyPath, pool: pool, project: project, out: out)
        let cur = try await arm("b-curated", data: curatedPath, pool: pool, project: project, out: out)
        let clean = try await arm("c-clean", data: pool.cleanPath, pool: pool, project: project, out: out)
        let vsRaw = McNemarTest(a: cur.correct, b: raw.correct)
        let vsClean = McNemarTest(a: cur.correct, b: clean.correct)
        let stats = try await store.stats()
        let gap = clean.accuracy - raw.accuracy
        var json: JSONObject = [
            "input": .string(options.input), "noise": .double(options.noise), "held_out_fraction": .double(options.heldOut), "seed": .integer(options.seed),
            "pool_pairs": .integer(pool.noisy.count), "flipped": .integer(pool.flipped.count), "held_out_pairs": .integer(pool.heldOut.count),
            "judges": config.judges.map(JSONValue.string) ?? .string("none: the LLM steps were skipped"),
            "humans": ["budget_per_round": .integer(config.humans.budgetPerRound), "rounds": .integer(config.rounds),
                       "noise": .double(config.humans.simulate?.noise ?? 0)],
            "store": .string(storeURL),
            "tiers": .object(JSONObject(PreferenceTier.allCases.map { ($0.rawValue, JSONValue.integer(stats.byTier[$0.rawValue] ?? 0)) })),
            "stage2": .object(filter), "flip_detection": .object(flips),
            "a_raw": .object(raw.json), "b_curated": .object(cur.json), "c_clean": .object(clean.json),
            "b_vs_a": ["only_b_right": .integer(vsRaw.onlyA), "only_a_right": .integer(vsRaw.onlyB), "mcnemar_p": .double(vsRaw.p)],
            "b_vs_c": ["only_b_right": .integer(vsClean.onlyA), "only_c_right": .integer(vsClean.onlyB), "mcnemar_p": .double(vsClean.p)],
            "seconds": ["stage1": .double(stageOneSeconds), "stage2": .double(stageTwoSeconds), "total": .double(Date().timeIntervalSince(started))],
        ]
        json["gap_closed"] = gap > 0 ? .double((cur.accuracy - raw.accuracy) / gap) : .null
        let text = JSONValue.object(json).serialized(indent: 2) + "\n"
        try Data(text.utf8).write(to: out.appendingPathComponent("experiment.json"))
        try await ProjectReport.write(project, to: out.appendingPathComponent("report").path, experiment: json)
        return Result(raw: raw, curated: cur, clean: clean, curatedVsRaw: vsRaw, curatedVsClean: vsClean, flips: flips, tiers: stats.byTier, json: json)
    }

    /// How the pipeline treated the injected flips: a pair is flagged when it did not end in
    /// its stored orientation (verified the other way round, or discarded).
    func flipDetection(pool: NoisyPool, store: any PreferenceStore) async throws -> JSONObject {
        var flagged = 0, flaggedFlips = 0, corrected = 0, wronglyFlipped = 0, keptFlips = 0, unverifiedFlips = 0
        var curated = 0, curatedRight = 0
        for tier in PreferenceTier.allCases {
            for p in try await store.allPairs(tier: tier) {
                let isFlip = pool.flipped.contains(p.contentHash)
                switch tier {
                case .unverified:
                    if isFlip { unverifiedFlips += 1 }
                case .discarded:
                    flagged += 1
                    if isFlip { flaggedFlips += 1 }
                case .gold, .silver:
                    curated += 1
                    // Right when the verified orientation matches the original label.
                    if p.verifiedFlipped == isFlip { curatedRight += 1 }
                    if p.verifiedFlipped {
                        flagged += 1
                        if isFlip { flaggedFlips += 1; corrected += 1 } else { wronglyFlipped += 1 }
                    } else if isFlip {
                        keptFlips += 1
                    }
                }
            }
        }
        var o: JSONObject = ["injected": .integer(pool.flipped.count), "flagged": .integer(flagged), "flagged_flips": .integer(flaggedFlips),
                             "corrected": .integer(corrected), "wrongly_flipped": .integer(wronglyFlipped), "flips_kept_as_labelled": .integer(keptFlips),
                             "flips_left_unverified": .integer(unverifiedFlips), "curated_pairs": .integer(curated)]
        o["precision"] = flagged > 0 ? .double(Double(flaggedFlips) / Double(flagged)) : .null
        o["recall"] = pool.flipped.isEmpty ? .null : .double(Double(flaggedFlips) / Double(pool.flipped.count))
        o["curated_label_accuracy"] = curated > 0 ? .double(Double(curatedRight) / Double(curated)) : .null
        return o
    }

    /// Trains one model on `data` with the project's reward-model options (no validation:
    /// the same fixed schedule for every arm) and judges it on the held-out pairs.
    func arm(_ name: String, data: String, pool: NoisyPool, project: CurationProject, out: URL) async throws -> Arm {
        let config = project.config
        hooks.log("training (\(name)) on \(data)")
        let t = Date()
        let output = out.appendingPathComponent("models/\(name)")
        try? FileManager.default.removeItem(at: output)
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let base = try ModelReference.resolve(config.rewardModel.base, settings: .fromEnvironment(), progress: hooks.progress)
        var spec = TrainingJobSpec(model: base, data: .file(data), output: output)
        spec.options = RoundModel.options(config.rewardModel, seed: UInt64(options.seed))
        spec.maxLength = config.rewardModel.maxLength
        spec.overLength = .truncate
        spec.parts = RoundModel.parts(config.rewardModel)
        spec.features = try project.scoring.features(progress: hooks.progress)
        let prepared = try await TrainingJob.prepare(spec)
        _ = try await prepared.trainer.run(progress: hooks.progress)
        let seconds = Date().timeIntervalSince(t)
        let rewards = try project.scoring.rewards(pool.heldOut.enumerated().map { i, p in var q = p; q.id = Int64(i + 1); return q },
                                                  model: output.path, task: "scoring the held-out pairs (\(name))", progress: hooks.progress)
        let correct = pool.heldOut.indices.map { i in rewards[Int64(i + 1)].map { $0.chosen > $0.rejected } ?? false }
        let arm = Arm(name: name, trainPairs: prepared.trainer.train.pairs.count, correct: correct, seconds: seconds)
        hooks.log(String(format: "(%@): held-out accuracy %.1f%% (%d pairs), trained on %d pairs in %.0f s", name, 100 * arm.accuracy, correct.count, arm.trainPairs, seconds))
        return arm
    }
}
