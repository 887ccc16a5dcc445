import Foundation
import SynprefCore
import SynprefData
import SynprefJudge
import SynprefModels

/// Stage 1 of the pipeline (`synpref curate run`): rounds of attributes, human
/// verification, LLM verification of the seed remainder, the round's reward model,
/// error-driven retrieval, preference-aware labelling and the round report, each step
/// recorded in the store (`StepLedger`), so a run continues exactly where the last one
/// stopped.
///
/// Without judges the LLM steps are skipped (and recorded as skipped): the round's model
/// then trains on the unverified pool's stored labels, and the retrieved pairs — the
/// neighbours of the gold pairs the model gets wrong — go to the humans first in the next
/// round, so human effort still follows the model's errors.
public struct StageOne: Sendable {
    public let project: CurationProject
    public let ledger: StepLedger
    /// Where round models are written (`round-<n>/model`).
    public let workDir: URL

    public var hooks = RunHooks()

    public init(project: CurationProject, ledger: StepLedger, workDir: URL) {
        self.project = project
        self.ledger = ledger
        self.workDir = workDir
    }

    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        case finished(rounds: Int)
        /// Round `round` waits for humans to answer `open` tasks.
        case waitingForHumans(round: Int, open: Int)
    }

    var config: CurationConfig { project.config }

    /// Runs the rounds not finished yet, up to the configured number.
    public func run() async throws -> Outcome {
        let judges = try ProjectJudges(project: project)
        if judges == nil { hooks.log("no judges file in the configuration: the LLM steps are skipped") }
        for r in stride(from: 1, through: config.rounds, by: 1) {
            do {
                try await round(r, judges: judges)
            } catch let pending as StepPending {
                hooks.log("round \(r): \(pending.reason)")
                return .waitingForHumans(round: r, open: try await HumanVerification(project: project).openTasks())
            }
        }
        return .finished(rounds: config.rounds)
    }

    /// The steps of one round, in order; finished steps are read back, not run again.
    func round(_ r: Int, judges: ProjectJudges?) async throws {
        let started = Date()
        let attributes = try await step(r, "attributes") { _ in
            guard let judges else { return Self.skipped }
            return try await judges.work(task: .attributes, step: "judge-attributes", worker: hooks.worker, budgetUSD: try budgetLeft(),
                                         enqueue: { _ = try await $0.enqueue(tier: .unverified, limit: nil) },
                                         onProgress: { hooks.judgeProgress("attributes", $0) }).json
        }
        let humans = try await step(r, "humans", plan: { try await planHumans(r) }) { plan in try await verifyByHumans(r, plan: plan) }
        let verify = try await step(r, "verify") { _ in
            guard let judges else { return Self.skipped }
            return try await verifySeedRemainder(judges)
        }
        let train = try await step(r, "train") { _ in try await trainModel(r) }
        let retrieved = try await step(r, "retrieve") { _ in try await retrieve(r, train: train) }
        let labelled = try await step(r, "label") { _ in try await label(r, retrieve: retrieved, judges: judges) }
        _ = try await step(r, "report") { _ in
            try await RoundReport.make(project, round: r, steps: ["attributes": attributes, "humans": humans, "verify": verify, "train": train,
                                                                  "retrieve": retrieved, "label": labelled],
                                       seconds: ledger.all.filter { $0.round == r }.compactMap { ledger.seconds(round: r, step: $0.step) }.reduce(0, +)
                                           + (ledger.finished(round: r, step: "label") == nil ? Date().timeIntervalSince(started) : 0))
        }
    }

    static let skipped: JSONObject = ["skipped": "no judges file in the configuration"]

    private func step(_ r: Int, _ name: String, plan: () async throws -> JSONObject = { [:] },
                      _ body: (JSONObject) async throws -> JSONObject) async throws -> JSONObject {
        if let done = ledger.finished(round: r, step: name) { return done }
        hooks.log("round \(r): \(name)")
        let t = Date()
        let details = try await ledger.run(round: r, step: name, plan: plan, body)
        hooks.log(String(format: "round %d: %@ done in %.1f s %@", r, name, Date().timeIntervalSince(t), JSONValue.object(details).serialized().prefix(300).description))
        return details
    }

    /// What the judges may still spend: the configured budget minus every recorded step's cost.
    func budgetLeft() throws -> Double? {
        guard let budget = config.budgetUSD else { return nil }
        let spent = ledger.all.compactMap { r in (try? JSONParser.parse(r.details))?["cost_usd"]?.doubleValue }.reduce(0, +)
        return max(0, budget - spent)
    }

    // MARK: 2. Human verification

    /// The pairs offered to humans this round: those the last round's retrieval left for
    /// humans first, then unverified seed pairs in the paper's priority (objective and
    /// low-controversiality first, then the last round's model's least certain), up to the
    /// budget less the tasks still open from earlier rounds.
    func planHumans(_ r: Int) async throws -> JSONObject {
        let hv = HumanVerification(project: project)
        let budget = max(0, config.humans.budgetPerRound - (try await hv.openTasks()))
        let unverified = try await project.store.allPairs(tier: .unverified)
        let byID = Dictionary(unverified.compactMap { p in p.id.map { ($0, p) } }, uniquingKeysWith: { a, _ in a })
        let first = (ledger.finished(round: r - 1, step: "label")?["for_humans"].flatMap(Self.ids) ?? []).filter { byID[$0] != nil }
        var offered = Array(first.prefix(budget))
        var plan: JSONObject = ["budget": .integer(budget), "from_retrieval": .integer(offered.count)]
        if offered.count < budget {
            let taken = Set(offered)
            let seed = unverified.filter { p in p.id.map { !taken.contains($0) } ?? false && config.seedPool.contains(p, seed: config.seed) }
            var confidence: [Int64: Double] = [:]
            if let model = ledger.finished(round: r - 1, step: "train")?["model"]?.stringValue, !seed.isEmpty {
                confidence = PairScoring.confidence(try project.scoring.rewards(seed, model: model, task: "scoring the candidates for humans", progress: hooks.progress))
                plan["scored_with"] = .string(model)
            }
            offered += HumanVerification.ordered(seed, confidence: confidence, seed: config.seed).prefix(budget - offered.count).compactMap(\.id)
            plan["seed_candidates"] = .integer(seed.count)
        }
        plan["offered"] = Self.json(offered)
        return plan
    }

    func verifyByHumans(_ r: Int, plan: JSONObject) async throws -> JSONObject {
        let hv = HumanVerification(project: project)
        let offered = plan["offered"].flatMap(Self.ids) ?? []
        try await hv.enqueue(offered, round: r)
        var details = plan
        details["offered"] = .integer(offered.count)
        if let sim = config.humans.simulate {
            let report = try await hv.simulate(sim, truth: try SimulatedTruth.load(path: sim.truth))
            details["simulated"] = ["answered": .integer(report.answered), "correct": .integer(report.correct), "unknown": .integer(report.unknown)]
        }
        let open = try await hv.openTasks()
        if open > 0 {
            throw StepPending("\(open) human task(s) open in queue \(hv.queue): annotators answer them in the annotation app or by file "
                + "(synpref curate tasks export / import); then run `synpref curate run` again")
        }
        return details
    }

    // MARK: 3. LLM verification of the seed remainder

    func verifySeedRemainder(_ judges: ProjectJudges) async throws -> JSONObject {
        let seed = try await project.store.allPairs(tier: .unverified).filter { config.seedPool.contains($0, seed: config.seed) }
        let minConfidence = config.minConfidence
        let work = try await judges.work(task: .preference, step: "judge-verify", worker: hooks.worker, budgetUSD: try budgetLeft(),
                                         decide: { id, v in RoundLabelling.decision(pairID: id, verdict: v, minConfidence: minConfidence) },
                                         enqueue: { qw in try await qw.enqueue(pairs: seed.compactMap(\.id).map { ($0, []) }) },
                                         onProgress: { hooks.judgeProgress("verify", $0) })
        var details = work.json
        details["seed_remainder"] = .integer(seed.count)
        return details
    }

    // MARK: 4. The round's reward model

    func trainModel(_ r: Int) async throws -> JSONObject {
        // Silver is what the round's model learns from; without judges there is none, and the
        // unverified pool's stored labels are the best there is.
        let silver = try await project.store.count(tier: .silver)
        let tier: PreferenceTier = silver > 0 ? .silver : .unverified
        guard try await project.store.count(tier: tier) > 0 else {
            throw CurationError.input(file: project.name, reason: "round \(r): no silver and no unverified pairs to train the round's reward model on")
        }
        let output = workDir.appendingPathComponent("round-\(r)/model")
        // A run killed while training starts this model again from scratch (same seed, same data).
        try? FileManager.default.removeItem(at: output)
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let result = try await RoundModel.train(project, round: r, tier: tier, output: output, progress: hooks.progress)
        var p = JSONObject()
        for (id, v) in result.goldP.sorted(by: { $0.key < $1.key }) { p[String(id)] = .double(v) }
        var details: JSONObject = ["model": .string(result.model.path), "fingerprint": .string(result.fingerprint), "trained_on": .string(tier.rawValue),
                                   "train_pairs": .integer(result.trainPairs), "training_seconds": .double(result.seconds), "gold_p": .object(p)]
        details["gold_accuracy"] = result.goldAccuracy.map(JSONValue.double) ?? .null
        return details
    }

    // MARK: 5. Retrieval

    func retrieve(_ r: Int, train: JSONObject) async throws -> JSONObject {
        var goldP: [Int64: Double] = [:]
        for (k, v) in train["gold_p"]?.objectValue ?? [:] { if let id = Int64(k), let p = v.doubleValue { goldP[id] = p } }
        let result = try await RoundRetrieval.run(project, goldP: goldP)
        var neighbours = JSONObject()
        for (id, list) in result.goldNeighbours.sorted(by: { $0.key < $1.key }) { neighbours[String(id)] = Self.json(list) }
        return ["retrieved": .array(result.retrieved.map { .array([.integer(Int($0.gold)), Self.json($0.pairs)]) }),
                "retrieved_pairs": .integer(result.retrieved.map(\.pairs.count).reduce(0, +)),
                "gold_neighbours": .object(neighbours), "embedded": .integer(result.embedded), "duplicates": .integer(result.duplicates),
                "searched_by": .string(result.searchedBy)]
    }

    // MARK: 6. Labelling

    func label(_ r: Int, retrieve: JSONObject, judges: ProjectJudges?) async throws -> JSONObject {
        var retrieved: [(gold: Int64, pairs: [Int64])] = []
        for v in retrieve["retrieved"]?.arrayValue ?? [] {
            guard let a = v.arrayValue, a.count == 2, let g = a[0].intValue else { continue }
            retrieved.append((Int64(g), Self.ids(a[1]) ?? []))
        }
        var neighbours: [Int64: [Int64]] = [:]
        for (k, v) in retrieve["gold_neighbours"]?.objectValue ?? [:] { if let id = Int64(k) { neighbours[id] = Self.ids(v) ?? [] } }
        let all = retrieved.flatMap(\.pairs)
        guard let judges else {
            // Without judges the humans see the retrieved pairs first next round.
            return ["skipped": .string("no judges file in the configuration: the \(all.count) retrieved pair(s) go to the humans first next round"),
                    "for_humans": Self.json(all)]
        }
        // A seeded share of the retrieved pairs goes to humans instead of the judges.
        let share = config.humans.shareOfRetrieved
        let toHumans = Set(all.filter { id in
            var rng = KeyedRandom(seed: UInt64(config.seed), key: "human-share|\(id)")
            return rng.unit() < share
        })
        var details: JSONObject = ["retrieved": .integer(all.count), "to_humans": .integer(toHumans.count)]
        if !toHumans.isEmpty {
            let hv = HumanVerification(project: project)
            try await hv.enqueue(all.filter { toHumans.contains($0) }, round: r)
            if let sim = config.humans.simulate {
                let report = try await hv.simulate(sim, truth: try SimulatedTruth.load(path: sim.truth))
                details["simulated"] = ["answered": .integer(report.answered), "correct": .integer(report.correct)]
            }
        }
        let forJudges = RoundRetrieval.Result(retrieved: retrieved.map { ($0.gold, $0.pairs.filter { !toHumans.contains($0) }) },
                                              goldNeighbours: neighbours, embedded: 0, duplicates: 0, searchedBy: "")
        let minConfidence = config.minConfidence
        let work = try await judges.work(task: .preference, step: "judge-preference", worker: hooks.worker, budgetUSD: try budgetLeft(),
                                         decide: { id, v in RoundLabelling.decision(pairID: id, verdict: v, minConfidence: minConfidence) },
                                         enqueue: { qw in try await qw.enqueue(pairs: RoundLabelling.items(forJudges)) },
                                         onProgress: { hooks.judgeProgress("label", $0) })
        for (k, v) in work.json { details[k] = v }
        return details
    }

    static func json(_ ids: [Int64]) -> JSONValue { .array(ids.map { .integer(Int($0)) }) }
    static func ids(_ v: JSONValue) -> [Int64]? { v.arrayValue?.compactMap { $0.intValue.map(Int64.init) } }
}
