import Foundation
import SynprefCore
import SynprefData
import SynprefJudge

/// A curation project's configuration (`curate.json`), checked field by field before any
/// work starts. Paths are resolved against the file's folder and kept absolute, so the
/// configuration recorded in the store means the same from any working directory; a model
/// reference of the form `org/name` that is no local folder is a Hugging Face repo id
/// (write `./org/name` to mean a folder).
///
/// ```json
/// {"name": "demo", "judges": "judges.json", "embedder": "models/minilm",
///  "reward_model": {"base": "models/minilm", "train": "head", "learning_rate": 1e-3, "epochs": 2},
///  "rounds": 2, "k_max": 8, "seed": 0, "seed_pool": {"share": 0.1},
///  "humans": {"budget_per_round": 100, "share_of_retrieved": 0.0,
///             "simulate": {"truth": "truth.jsonl", "noise": 0.05, "annotators": ["a", "b"]}},
///  "judging": {"aggregate": "majority", "min_confidence": 0.5},
///  "stage2": {"threshold": 0.5, "band": 0.1, "recycle": false},
///  "budget_usd": 20}
/// ```
public struct CurationConfig: Sendable, Equatable {
    public struct RewardModel: Sendable, Equatable {
        /// The model to train from: a folder or a Hugging Face repo id.
        public var base: String
        /// "head" (the score head only, on a frozen backbone), "pooler+head" (a BERT model's
        /// pooler and classifier on its frozen encoder: a head with a hidden layer) or "full".
        public var train = "full"
        public var learningRate: Double?
        public var batchSize: Int?
        public var epochs: Int?
        public var maxLength: Int?
        /// An external trainer command instead of `synpref train` in process (run with the
        /// exported silver pairs, it must write a model folder; see docs/curation.md).
        public var externalTrainer: String?

        public init(base: String) { self.base = base }

        /// Whether the backbone stays frozen (its features are computed once and shared).
        public var frozenBackbone: Bool { train != "full" }
    }

    public struct Humans: Sendable, Equatable {
        /// Pairs sent to humans per round.
        public var budgetPerRound = 100
        /// Share of the retrieved pairs that go to humans instead of the LLM judges.
        public var shareOfRetrieved = 0.0
        /// A separate human-labelled validation set (pairs in any format, the stored chosen
        /// response is the humans' choice): each round's model is scored on it as a sanity
        /// check only; the pipeline does not branch on it.
        public var validation: String?
        /// Simulated annotators (experiments and tests): they answer from `truth` with
        /// `noise` (the probability of a wrong answer), recorded as `human:sim-<name>`.
        public var simulate: Simulation?

        public init() {}
    }

    public struct Simulation: Sendable, Equatable {
        public var truth: String
        public var noise = 0.0
        public var annotators = ["sim"]

        public init(truth: String, noise: Double = 0, annotators: [String] = ["sim"]) {
            self.truth = truth
            self.noise = noise
            self.annotators = annotators
        }
    }

    /// Which pairs of the pool are the seed (Stage 1, step 0): humans verify part of it and
    /// the LLM judges the rest; later rounds retrieve from the whole pool.
    public struct SeedPool: Sendable, Equatable {
        /// Pairs whose `source` is one of these are seed pairs.
        public var sources: [String] = []
        /// And a seeded random share of the other pairs (by content hash, so the same pair
        /// is a seed pair in every run with the same `seed`).
        public var share = 0.1

        public init(sources: [String] = [], share: Double = 0.1) {
            self.sources = sources
            self.share = share
        }
    }

    public var name: String
    /// The judges file (nil: the LLM steps are skipped, and reports say so).
    public var judges: String?
    public var embedder: String
    public var rewardModel: RewardModel
    public var rounds = 2
    public var kMax = 8
    public var seed = 0
    public var seedPool = SeedPool()
    public var humans = Humans()
    public var aggregate = Aggregation.majority
    /// LLM labels below this confidence are not trusted (→ discarded with the reason).
    public var minConfidence = 0.5
    /// Stage 2: pairs with p above `threshold + band` are confident; the rest go to retrieval
    /// and LLM labelling.
    public var stage2Threshold = 0.5
    public var stage2Band = 0.1
    /// Stage 2's recycling: the curated training set also holds the discarded pairs, flipped
    /// (as the paper's 40M model did).
    public var stage2Recycle = false
    /// Stage 2: a pair whose stored label the gold RM and the judges or the best RM all find
    /// the wrong way round goes to silver flipped instead of discarded.
    public var stage2FlipAgreed = false
    /// Stage 2: scoring the pool goes through the work queue in tasks of this many pairs, so
    /// `curate work` processes on other machines share it (each needs the model folder at
    /// the same path); 0 scores in the `curate stage2` process only.
    public var stage2ScoreChunk = 0
    public var budgetUSD: Double?

    /// A configuration with the documented defaults.
    public init(name: String, judges: String? = nil, embedder: String, rewardModel: RewardModel) {
        self.name = name
        self.judges = judges
        self.embedder = embedder
        self.rewardModel = rewardModel
    }

    static let known: Set<String> = ["name", "judges", "embedder", "reward_model", "rounds", "k_max", "seed", "seed_pool", "humans", "judging", "stage2", "budget_usd"]
    static let knownRewardModel: Set<String> = ["base", "train", "learning_rate", "batch_size", "epochs", "max_length", "external_trainer"]
    static let knownHumans: Set<String> = ["budget_per_round", "share_of_retrieved", "simulate", "validation"]
    static let knownSimulate: Set<String> = ["truth", "noise", "annotators"]
    static let knownJudging: Set<String> = ["aggregate", "min_confidence"]
    static let knownStage2: Set<String> = ["threshold", "band", "recycle", "flip_agreed", "score_chunk"]
    static let knownSeedPool: Set<String> = ["sources", "share"]

    /// Reads and checks `path`; relative paths inside are resolved against its folder.
    public static func load(path: String) throws -> CurationConfig {
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            return try read(try JSONFields.document(path: path), base: base)
        } catch {
            throw CurationError.config(file: path, field: error.field, reason: error.reason)
        }
    }

    /// The configuration as recorded in the store (`json`), read back.
    public static func recorded(_ text: String, project: String) throws -> CurationConfig {
        do {
            return try read(try JSONParser.parse(text), base: URL(fileURLWithPath: "/"))
        } catch let issue as FieldIssue {
            throw CurationError.config(file: "project \(project) in the store", field: issue.field, reason: issue.reason)
        } catch {
            throw CurationError.config(file: "project \(project) in the store", field: "(config)", reason: "\(error)")
        }
    }

    static func read(_ value: JSONValue, base: URL) throws(FieldIssue) -> CurationConfig {
        let o = try JSONFields(value, path: "", known: known)
        func resolve(_ p: String) -> String {
            if p.hasPrefix("/") { return p }
            let local = base.appendingPathComponent(p).standardizedFileURL.path
            // A Hugging Face repo id ("org/name") that is not a local folder stays as given.
            if !FileManager.default.fileExists(atPath: local), p.split(separator: "/").count == 2, !p.hasPrefix(".") { return p }
            return local
        }
        guard let embedder = try o.string("embedder") else {
            throw o.issue("embedder", "missing; a sentence-transformers folder or repo id (e.g. all-MiniLM-L6-v2) for retrieval")
        }
        guard let rm = try o.object("reward_model", known: knownRewardModel) else {
            throw o.issue("reward_model", "missing; e.g. {\"base\": \"path/to/model\"}")
        }
        guard let rmBase = try rm.string("base") else { throw rm.issue("base", "missing; the model folder or repo id to train from") }
        var reward = RewardModel(base: resolve(rmBase))
        reward.train = try rm.choice("train", ["head", "pooler+head", "full"]) ?? reward.train
        reward.learningRate = try rm.number("learning_rate", min: 1e-12, max: 1)
        reward.batchSize = try rm.int("batch_size", min: 1)
        reward.epochs = try rm.int("epochs", min: 1)
        reward.maxLength = try rm.int("max_length", min: 8)
        reward.externalTrainer = try rm.string("external_trainer")

        var c = CurationConfig(name: try o.string("name") ?? "default", judges: try o.string("judges").map(resolve),
                               embedder: resolve(embedder), rewardModel: reward)
        c.rounds = try o.int("rounds", min: 0, max: 1000) ?? c.rounds
        c.kMax = try o.int("k_max", min: 1, max: 1000) ?? c.kMax
        c.seed = try o.int("seed", min: 0) ?? c.seed
        if let sp = try o.object("seed_pool", known: knownSeedPool) {
            c.seedPool.sources = try sp.strings("sources") ?? c.seedPool.sources
            c.seedPool.share = try sp.number("share", min: 0, max: 1) ?? c.seedPool.share
        }
        if let h = try o.object("humans", known: knownHumans) {
            c.humans.budgetPerRound = try h.int("budget_per_round", min: 0) ?? c.humans.budgetPerRound
            c.humans.shareOfRetrieved = try h.number("share_of_retrieved", min: 0, max: 1) ?? c.humans.shareOfRetrieved
            c.humans.validation = try h.string("validation").map(resolve)
            if let sim = try h.object("simulate", known: knownSimulate) {
                guard let truth = try sim.string("truth") else {
                    throw sim.issue("truth", "missing; a JSON lines file of {\"content_hash\": hex, \"label\": \"chosen\"|\"rejected\"}")
                }
                var s = Simulation(truth: resolve(truth))
                s.noise = try sim.number("noise", min: 0, max: 0.5) ?? s.noise
                s.annotators = try sim.strings("annotators") ?? s.annotators
                if s.annotators.isEmpty { throw sim.issue("annotators", "the list is empty; name at least one simulated annotator") }
                if Set(s.annotators).count != s.annotators.count { throw sim.issue("annotators", "names must be unique") }
                c.humans.simulate = s
            }
        }
        if let j = try o.object("judging", known: knownJudging) {
            if let a = try j.choice("aggregate", Aggregation.allCases.map(\.rawValue)) { c.aggregate = Aggregation(rawValue: a)! }
            c.minConfidence = try j.number("min_confidence", min: 0, max: 1) ?? c.minConfidence
        }
        if let s2 = try o.object("stage2", known: knownStage2) {
            c.stage2Threshold = try s2.number("threshold", min: 0, max: 1) ?? c.stage2Threshold
            c.stage2Band = try s2.number("band", min: 0, max: 0.5) ?? c.stage2Band
            c.stage2Recycle = try s2.bool("recycle") ?? c.stage2Recycle
            c.stage2FlipAgreed = try s2.bool("flip_agreed") ?? c.stage2FlipAgreed
            c.stage2ScoreChunk = try s2.int("score_chunk", min: 0, max: 1_000_000) ?? c.stage2ScoreChunk
        }
        c.budgetUSD = try o.number("budget_usd", min: 0)
        return c
    }

    /// The canonical JSON recorded in the store (every field, defaults included).
    public var json: JSONValue {
        var rm: JSONObject = ["base": .string(rewardModel.base), "train": .string(rewardModel.train)]
        rm["learning_rate"] = rewardModel.learningRate.map(JSONValue.double) ?? .null
        rm["batch_size"] = rewardModel.batchSize.map(JSONValue.integer) ?? .null
        rm["epochs"] = rewardModel.epochs.map(JSONValue.integer) ?? .null
        rm["max_length"] = rewardModel.maxLength.map(JSONValue.integer) ?? .null
        rm["external_trainer"] = rewardModel.externalTrainer.map(JSONValue.string) ?? .null
        var humansObject: JSONObject = ["budget_per_round": .integer(humans.budgetPerRound), "share_of_retrieved": .double(humans.shareOfRetrieved)]
        humansObject["validation"] = humans.validation.map(JSONValue.string) ?? .null
        humansObject["simulate"] = humans.simulate.map { s in
            ["truth": .string(s.truth), "noise": .double(s.noise), "annotators": .array(s.annotators.map(JSONValue.string))]
        } ?? .null
        var o: JSONObject = ["name": .string(name)]
        o["judges"] = judges.map(JSONValue.string) ?? .null
        o["embedder"] = .string(embedder)
        o["reward_model"] = .object(rm)
        o["rounds"] = .integer(rounds)
        o["k_max"] = .integer(kMax)
        o["seed"] = .integer(seed)
        o["seed_pool"] = ["sources": .array(seedPool.sources.map(JSONValue.string)), "share": .double(seedPool.share)]
        o["humans"] = .object(humansObject)
        o["judging"] = ["aggregate": .string(aggregate.rawValue), "min_confidence": .double(minConfidence)]
        o["stage2"] = ["threshold": .double(stage2Threshold), "band": .double(stage2Band), "recycle": .bool(stage2Recycle), "flip_agreed": .bool(stage2FlipAgreed),
                       "score_chunk": .integer(stage2ScoreChunk)]
        o["budget_usd"] = budgetUSD.map(JSONValue.double) ?? .null
        return .object(o)
    }
}
