import Foundation
import SynprefCore
import SynprefData
import SynprefJudge
import SynprefModels

/// Stage 2 of the pipeline (`synpref curate stage2`), automatic: the current best reward
/// model scores the unverified pool; the uncertain pairs (`s ≤ threshold + band`) go to the
/// LLM judges with their nearest gold pairs as examples (no humans); a gold reward model
/// trained on every human-verified pair scores the pool too; and a pair is kept (→ silver,
/// in its stored orientation) only if its stored label is consistent with the gold RM and
/// with either the judges or the best RM — the others go to discarded with the reason
/// (recycling: `synpref data export --tier discarded --flip`). With `stage2.flip_agreed`, a
/// pair all of them find the other way round goes to silver flipped instead of discarded.
/// Each step is recorded like a
/// Stage 1 round's, as round `rounds + 1`.
///
/// Scores may come from elsewhere (`bestScores`, `goldScores`: `ScoreFile`s, e.g. written
/// by a GPU cluster running vLLM); scores computed here (in this process, or with
/// `stage2.score_chunk` by every `curate work` process through the work queue:
/// `QueueScoring`) are written to the work folder in the same format, so a resumed run reads
/// them back instead of scoring again.
public struct StageTwo: Sendable {
    public let project: CurationProject
    public let ledger: StepLedger
    public let workDir: URL
    public var bestScores: String?
    public var goldScores: String?

    public var hooks = RunHooks()

    public init(project: CurationProject, ledger: StepLedger, workDir: URL) {
        self.project = project
        self.ledger = ledger
        self.workDir = workDir
    }

    var config: CurationConfig { project.config }
    /// Stage 2's steps are recorded after the last Stage 1 round.
    public var round: Int { config.rounds + 1 }

    /// Runs the steps not finished yet; returns the filter's details.
    public func run() async throws -> JSONObject {
        let judges = try ProjectJudges(project: project)
        let best = try await step("stage2-score") { _ in try await scoreBest() }
        _ = try await step("stage2-label") { _ in
            guard let judges else { return StageOne.skipped }
            return try await labelUncertain(best, judges: judges)
        }
        let gold = try await step("stage2-gold") { _ in try await scoreGold() }
        return try await step("stage2-filter") { _ in try await filter(best: best, gold: gold, judged: judges != nil) }
    }

    private func step(_ name: String, _ body: (JSONObject) async throws -> JSONObject) async throws -> JSONObject {
        if let done = ledger.finished(round: round, step: name) { return done }
        hooks.log("stage 2: \(name)")
        let t = Date()
        let details = try await ledger.run(round: round, step: name, body)
        hooks.log(String(format: "stage 2: %@ done in %.1f s %@", name, Date().timeIntervalSince(t), JSONValue.object(details).serialized().prefix(300).description))
        return details
    }

    /// The last Stage 1 round's model.
    func bestModel() throws -> String {
        for r in stride(from: config.rounds, through: 1, by: -1) {
            if let m = ledger.finished(round: r, step: "train")?["model"]?.stringValue { return m }
        }
        throw CurationError.input(file: project.name, reason: "no Stage 1 round has trained a reward model yet: run `synpref curate run` first, or give --best-scores FILE")
    }

    /// The rewards of the unverified pool: from `external`, or computed with `model` and
    /// written to `output` (read back when a resumed run finds it complete).
    func rewards(_ pool: [PreferencePair], external: String?, model: () async throws -> String, output: String,
                 what: String) async throws -> (rewards: PairScoring.Rewards, file: String, source: String) {
        if let external {
            return (PairScoring.rewards(pool, file: try ScoreFile.load(path: external)), external, "file \(external)")
        }
        let path = try await model()
        let r: PairScoring.Rewards
        if config.stage2ScoreChunk > 0 {
            r = try await QueueScoring(project: project).rewards(
                pool, model: path, modelKey: QueueScoring.modelKey(path), step: (output as NSString).lastPathComponent,
                worker: hooks.worker, progress: hooks.progress)
        } else {
            r = try project.scoring.rewards(pool, model: path, task: "scoring the pool with the \(what)", progress: hooks.progress)
        }
        try FileManager.default.createDirectory(atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try ScoreFile.write(r, of: pool, to: output)
        return (r, output, "model \(path)")
    }

    func scoreBest() async throws -> JSONObject {
        let pool = try await project.store.allPairs(tier: .unverified)
        let out = workDir.appendingPathComponent("stage2/best-scores.jsonl").path
        let (r, file, source) = try await rewards(pool, external: bestScores, model: { try bestModel() }, output: out, what: "best RM")
        let s = PairScoring.confidence(r)
        let confident = s.values.filter { $0 > config.stage2Threshold + config.stage2Band }.count
        return ["scores": .string(file), "source": .string(source), "pool": .integer(pool.count), "scored": .integer(s.count),
                "unscored": .integer(pool.count - s.count), "confident": .integer(confident), "uncertain": .integer(s.count - confident),
                "p_histogram": .array(RoundReport.histogram(Array(s.values)).map { .integer($0) })]
    }

    func labelUncertain(_ best: JSONObject, judges: ProjectJudges) async throws -> JSONObject {
        let s = try confidences(best, pool: try await project.store.allPairs(tier: .unverified))
        let cut = config.stage2Threshold + config.stage2Band
        let uncertain = Set(s.filter { $0.value <= cut }.map(\.key))
        let examples = try await RoundRetrieval.goldExamples(project, for: uncertain)
        let items = uncertain.sorted().map { ($0, examples[$0] ?? []) }
        let work = try await judges.work(task: .preference, step: "stage2-preference", worker: hooks.worker, budgetUSD: nil,
                                         enqueue: { try await $0.enqueue(pairs: items) },
                                         onProgress: { hooks.judgeProgress("stage 2", $0) })
        var details = work.json
        details["uncertain"] = .integer(uncertain.count)
        return details
    }

    func scoreGold() async throws -> JSONObject {
        let pool = try await project.store.allPairs(tier: .unverified)
        let out = workDir.appendingPathComponent("stage2/gold-scores.jsonl").path
        var trained: JSONObject = [:]
        let (r, file, source) = try await rewards(pool, external: goldScores, model: {
            guard try await project.store.count(tier: .gold) > 0 else {
                throw CurationError.input(file: project.name, reason: "no gold pairs to train the gold reward model on: humans verify pairs in Stage 1 (or give --gold-scores FILE)")
            }
            let output = workDir.appendingPathComponent("stage2/gold-model")
            try? FileManager.default.removeItem(at: output)
            try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
            let result = try await RoundModel.train(project, round: round, tier: .gold, validateOnGold: false, output: output, progress: hooks.progress)
            trained = ["model": .string(result.model.path), "fingerprint": .string(result.fingerprint), "train_pairs": .integer(result.trainPairs),
                       "training_seconds": .double(result.seconds)]
            return result.model.path
        }, output: out, what: "gold RM")
        var details: JSONObject = ["scores": .string(file), "source": .string(source), "scored": .integer(r.count)]
        if !trained.isEmpty { details["gold_model"] = .object(trained) }
        return details
    }

    /// `s` per pair of `pool` from the score file a step recorded.
    func confidences(_ details: JSONObject, pool: [PreferencePair]) throws -> [Int64: Double] {
        guard let file = details["scores"]?.stringValue else {
            throw CurationError.input(file: project.name, reason: "stage 2's score files are not recorded; run `synpref curate stage2` again")
        }
        return PairScoring.confidence(PairScoring.rewards(pool, file: try ScoreFile.load(path: file)))
    }

    /// Keeps or discards every scored unverified pair; pairs without both scores stay unverified.
    func filter(best: JSONObject, gold: JSONObject, judged: Bool) async throws -> JSONObject {
        let pool = try await project.store.allPairs(tier: .unverified)
        let sb = try confidences(best, pool: pool), sg = try confidences(gold, pool: pool)
        var moves: [TierChange] = []
        var kept = 0, keptByJudges = 0, goldDisagrees = 0, neither = 0, unscored = 0, flipped = 0
        for pair in pool {
            guard let id = pair.id else { continue }
            guard let g = sg[id], let b = sb[id] else { unscored += 1; continue }
            if g <= 0.5 && config.stage2FlipAgreed {
                // The same rule the other way round: the gold RM and the judges or the best RM
                // all prefer the stored rejected response.
                let judges = judged ? try await judgesLabel(id) : nil
                if judges == .rejected || (judges != .chosen && b < 0.5) {
                    flipped += 1
                    let why = judges == .rejected ? "the LLM judges" : String(format: "the best RM (p %.2f)", b)
                    moves.append(TierChange(pairID: id, to: .silver, expectedFrom: .unverified,
                                            reason: String(format: "stage 2: the gold RM (p %.2f) and ", g) + why + " prefer the stored rejected response: kept the other way round",
                                            flipped: true))
                    continue
                }
            }
            if g <= 0.5 {
                goldDisagrees += 1
                moves.append(TierChange(pairID: id, to: .discarded, expectedFrom: .unverified,
                                        reason: String(format: "stage 2: the gold RM prefers the stored rejected response (p %.2f)", g)))
                continue
            }
            var judges: PreferenceLabel?
            if judged { judges = try await judgesLabel(id) }
            if judges == .chosen || b > 0.5 {
                kept += 1
                if judges == .chosen && b <= 0.5 { keptByJudges += 1 }
                let why = judges == .chosen ? "the LLM judges" : String(format: "the best RM (p %.2f)", b)
                moves.append(TierChange(pairID: id, to: .silver, expectedFrom: .unverified,
                                        reason: String(format: "stage 2: consistent with the gold RM (p %.2f) and ", g) + why))
            } else {
                neither += 1
                moves.append(TierChange(pairID: id, to: .discarded, expectedFrom: .unverified,
                                        reason: String(format: "stage 2: neither the LLM judges nor the best RM (p %.2f) agree with the stored label", b)))
            }
        }
        for chunk in stride(from: 0, to: moves.count, by: 500) {
            _ = try await project.store.apply(CurationBatch(moves: Array(moves[chunk..<min(moves.count, chunk + 500)]), actor: "curate stage2"))
        }
        return ["kept": .integer(kept), "kept_by_judges": .integer(keptByJudges), "discarded_gold_disagrees": .integer(goldDisagrees),
                "discarded_neither": .integer(neither), "unscored": .integer(unscored), "flipped": .integer(flipped),
                "recycle": .bool(config.stage2Recycle)]
    }

    /// The judges' latest label of a pair: the panel's when several judges, else the judge's.
    func judgesLabel(_ id: Int64) async throws -> PreferenceLabel? {
        let judged = try await project.store.labels(pairID: id).filter { $0.labeler.kind == .llmJudge }
        return (judged.last(where: { $0.labeler.id.contains("(") }) ?? judged.last)?.label
    }
}
