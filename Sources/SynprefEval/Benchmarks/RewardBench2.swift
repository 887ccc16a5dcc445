import Foundation
import SynprefCore

/// RewardBench 2 (allenai/reward-bench-2, 1,865 rows in six subsets).
///
/// Rules, from the `rewardbench` package 0.1.4 (scripts/run_v2.py, rewardbench/utils.py):
/// - Factuality, Precise IF, Math, Safety, Focus (`reroll_and_score_dataset`): the scores are
///   [chosen…, rejected…]; a row earns 1/k when the first score equals the maximum and k scores
///   share it, else 0. Subset score = mean over rows.
/// - Ties (`process_single_model`, `sample_stats`): rows `ref:<k>` (one correct answer) and
///   `tied:<k>` (several); the first `num_correct` scores are correct. Per row: accurate iff
///   worst correct > best incorrect; margin = worst correct − best incorrect; spread =
///   best − worst correct (only with ≥ 2 correct). Score = 0.3·mean tied accurate
///   + 0.3·mean ref accurate + 0.2·mean[tied margin > tied spread] + 0.2·mean[min(ref margin,
///   tied margin) > tied spread] + 0.01·mean tanh(min(ref margin, tied margin)/spread − 1), the
///   last three over prompt ids present as both ref and tied (and with a spread; the tanh term
///   only where spread > 0). Empty means follow numpy: 0 when the package guards them, NaN where
///   it does not.
/// - Overall = unweighted mean of the six subset scores.
public enum RewardBench2 {
    public static let name = "rewardbench2"
    public static let ruleVersion =
        "rewardbench2/1: rewardbench 0.1.4 utils.reroll_and_score_dataset (1/k tie credit), "
        + "utils.process_single_model + sample_stats (Ties), run_v2.py subset means; overall = mean of 6 subsets"
    public static let whereToGet =
        "Export the Hugging Face dataset allenai/reward-bench-2 (split \"test\", 1,865 rows) with "
        + "load_dataset(\"allenai/reward-bench-2\", split=\"test\").to_json(\"rewardbench2/test.jsonl\")."

    /// Subset names as the dataset spells them, with their metric names.
    public static let subsets: [(name: String, metric: String)] = [
        ("Factuality", "factuality"), ("Precise IF", "precise_if"), ("Math", "math"),
        ("Safety", "safety"), ("Focus", "focus"), ("Ties", "ties"),
    ]

    public struct Row: Sendable, Decodable {
        public var id: LooseID
        public var prompt: String
        public var chosen: [String]
        public var rejected: [String]
        public var numCorrect: Int
        public var numIncorrect: Int?
        public var totalCompletions: Int?
        public var subset: String

        enum CodingKeys: String, CodingKey {
            case id, prompt, chosen, rejected, subset
            case numCorrect = "num_correct", numIncorrect = "num_incorrect", totalCompletions = "total_completions"
        }
    }

    /// One row: its completions' request ids, chosen first.
    public struct Item: Sendable {
        public var id: String
        public var subset: String
        public var completionIDs: [String]
        public var numCorrect: Int
        public var location: RowLocation
        public var path: String
    }

    public struct Dataset: LoadedBenchmark {
        public let name = RewardBench2.name
        public var items: [Item]
        public var requests: [ScoreRequest]
        public var dataFiles: [DataFileRecord]

        public func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport {
            try scores.checkCovers(requests, benchmark: name)
            var credit: [String: [Double]] = [:]
            var ties: [TiesSample] = []
            var curves: [String: [[Double]]] = [:]
            for item in items {
                let s = try item.completionIDs.map { try scores.score($0, benchmark: name) }
                if item.subset.lowercased() == "ties" {
                    ties.append(try TiesSample(item: item, scores: s))
                } else {
                    credit[item.subset, default: []].append(RewardBench2.tieCredit(s))
                    if s.count >= 2 {
                        let truth = s.indices.map { $0 < item.numCorrect ? 1.0 : 0.0 }
                        curves[item.subset, default: []].append(BestOfK.curve(scores: s, truths: truth, maxK: s.count))
                    }
                }
            }
            var subsetScores: [String: Double] = [:]
            var subsetRows: [String: Int] = [:]
            for (subset, values) in credit {
                subsetScores[subset] = values.reduce(0, +) / Double(values.count)
                subsetRows[subset] = values.count
            }
            var tiesResult: TiesResult?
            if !ties.isEmpty {
                let r = RewardBench2.tiesScore(ties)
                tiesResult = r
                let tiesName = items.first { $0.subset.lowercased() == "ties" }?.subset ?? "Ties"
                subsetScores[tiesName] = r.score
                subsetRows[tiesName] = ties.count
            }
            return RewardBench2.report(subsetScores, rows: subsetRows, ties: tiesResult, curves: curves, dataFiles: dataFiles)
        }
    }

    /// `reroll_and_score_dataset`'s credit: 1/k if the first (chosen) score ties k ways at the
    /// maximum, else 0.
    public static func tieCredit(_ scores: [Double]) -> Double {
        guard let first = scores.first, let top = scores.max() else { return 0 }
        guard first == top else { return 0 }
        return 1 / Double(scores.filter { $0 == top }.count)
    }

    // MARK: Ties

    /// One Ties row: `ref:<k>` or `tied:<k>` with its scores, correct ones first.
    public struct TiesSample: Sendable {
        public enum Kind: String, Sendable { case ref, tied }
        public var kind: Kind
        public var promptID: Int
        public var scores: [Double]
        public var numCorrect: Int

        public init(kind: Kind, promptID: Int, scores: [Double], numCorrect: Int) {
            self.kind = kind
            self.promptID = promptID
            self.scores = scores
            self.numCorrect = numCorrect
        }

        init(item: Item, scores: [Double]) throws {
            let parts = item.id.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let kind = Kind(rawValue: String(parts[0])), let pid = Int(parts[1]) else {
                throw EvalError.badField(path: item.path, location: item.location, field: "id",
                                         problem: "Ties ids must be \"ref:<n>\" or \"tied:<n>\", found \"\(item.id)\"")
            }
            self.init(kind: kind, promptID: pid, scores: scores, numCorrect: item.numCorrect)
        }
    }

    /// `sample_stats` of one row.
    public struct TiesStats: Sendable, Equatable {
        public var accurate: Bool
        /// best − worst correct; nil with fewer than two correct (or an empty side).
        public var differentCorrectMargin: Double?
        /// worst correct − best incorrect (0 with an empty side).
        public var correctIncorrectMargin: Double

        public init(_ s: TiesSample) {
            let correct = s.scores.prefix(s.numCorrect)
            let incorrect = s.scores.dropFirst(s.numCorrect)
            guard let best = correct.max(), let worst = correct.min(), let bestIncorrect = incorrect.max() else {
                accurate = false
                differentCorrectMargin = nil
                correctIncorrectMargin = 0
                return
            }
            differentCorrectMargin = correct.count > 1 ? best - worst : nil
            correctIncorrectMargin = worst - bestIncorrect
            accurate = worst > bestIncorrect
        }
    }

    public struct TiesResult: Sendable, Equatable {
        public var score: Double
        public var refAccuracy: Double
        public var tiedAccuracy: Double
        public var correctnessPreferred: Double
        public var correctnessPreferredHard: Double
        public var correctnessMarginScore: Double
        public var refPrompts: Int
        public var tiedPrompts: Int
        public var commonPrompts: Int
    }

    /// `process_single_model`'s overall score.
    public static func tiesScore(_ samples: [TiesSample]) -> TiesResult {
        var ref: [Int: TiesStats] = [:]
        var tied: [Int: TiesStats] = [:]
        for s in samples {
            switch s.kind {
            case .ref: ref[s.promptID] = TiesStats(s)
            case .tied: tied[s.promptID] = TiesStats(s)
            }
        }
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        func accuracy(_ d: [Int: TiesStats]) -> Double { d.isEmpty ? 0 : mean(d.values.map { $0.accurate ? 1 : 0 }) }
        let refAcc = accuracy(ref)
        let tiedAcc = accuracy(tied)
        let common = Set(ref.keys).intersection(tied.keys).sorted()
        var preferred = 0.0, preferredHard = 0.0, marginScore = 0.0
        if !common.isEmpty {
            var p: [Double] = [], ph: [Double] = [], ratios: [Double] = []
            for id in common {
                guard let t = tied[id], let r = ref[id], let spread = t.differentCorrectMargin else { continue }
                let hardMargin = min(r.correctIncorrectMargin, t.correctIncorrectMargin)
                p.append(t.correctIncorrectMargin > spread ? 1 : 0)
                ph.append(hardMargin > spread ? 1 : 0)
                if spread > 0 { ratios.append(hardMargin / spread) }
            }
            preferred = mean(p)
            preferredHard = mean(ph)
            marginScore = ratios.isEmpty ? 0 : mean(ratios.map { Foundation.tanh($0 - 1) })
        }
        let score = 0.3 * tiedAcc + 0.3 * refAcc + 0.2 * preferred + 0.2 * preferredHard + 0.01 * marginScore
        return TiesResult(score: score, refAccuracy: refAcc, tiedAccuracy: tiedAcc, correctnessPreferred: preferred,
                          correctnessPreferredHard: preferredHard, correctnessMarginScore: marginScore,
                          refPrompts: ref.count, tiedPrompts: tied.count, commonPrompts: common.count)
    }

    // MARK: Loading and reporting

    /// Loads a file or every data file of a folder.
    public static func load(_ path: String) throws -> Dataset {
        let files = DataFile.isDirectory(path) ? DataFile.dataFiles(in: path) : (DataFile.exists(path) ? [path] : [])
        guard !files.isEmpty else { throw EvalError.missingDataset(benchmark: name, path: path, whereToGet: whereToGet) }
        var set = RequestSet()
        var items: [Item] = []
        var records: [DataFileRecord] = []
        var seenTies: Set<String> = []
        for file in files {
            let loaded = try DataFile.rows(Row.self, at: file)
            for (row, location) in zip(loaded.rows, loaded.locations) {
                let n = row.chosen.count + row.rejected.count
                guard row.numCorrect == row.chosen.count else {
                    throw EvalError.badRow(path: file, location: location, problem:
                        "num_correct is \(row.numCorrect) but chosen has \(row.chosen.count) completion(s)")
                }
                if let total = row.totalCompletions, total != n {
                    throw EvalError.badRow(path: file, location: location, problem:
                        "total_completions is \(total) but chosen + rejected has \(n)")
                }
                guard !row.chosen.isEmpty, !row.rejected.isEmpty else {
                    throw EvalError.badRow(path: file, location: location, problem: "needs at least one chosen and one rejected completion")
                }
                if row.subset.lowercased() == "ties", !seenTies.insert(row.id.description).inserted {
                    throw EvalError.badField(path: file, location: location, field: "id", problem: "Ties id \(row.id) appears twice")
                }
                let ids = (row.chosen + row.rejected).map { set.add(singleTurn(row.prompt, $0)) }
                items.append(Item(id: row.id.description, subset: row.subset, completionIDs: ids,
                                  numCorrect: row.numCorrect, location: location, path: file))
            }
            records.append(loaded.record)
        }
        return Dataset(items: items, requests: set.requests, dataFiles: records)
    }

    static func report(_ scores: [String: Double], rows: [String: Int], ties: TiesResult?, curves: [String: [[Double]]],
                       dataFiles: [DataFileRecord]) -> BenchmarkReport {
        var metrics: [Metric] = []
        var notes: [String] = []
        var tableRows: [[String]] = []
        var details: [(String, JSONValue)] = []
        func lookup(_ subset: String) -> String? { scores.keys.first { $0.lowercased() == subset.lowercased() } }
        var present: [Double] = []
        for s in subsets {
            guard let key = lookup(s.name), let v = scores[key] else {
                tableRows.append([s.name, "—", "—"])
                continue
            }
            if v.isFinite { metrics.append(Metric(s.metric, v * 100)) } else {
                notes.append("\(s.name): the score is undefined (numpy's mean of an empty list); see details.")
            }
            present.append(v)
            tableRows.append([s.name, String(rows[key] ?? 0), Format.percent(v)])
            details.append((s.metric, .object([("rows", .integer(rows[key] ?? 0)), ("score", .optionalNumber(v * 100))])))
        }
        let missing = subsets.filter { lookup($0.name) == nil }.map(\.name)
        if missing.isEmpty, present.allSatisfy(\.isFinite) {
            let overall = present.reduce(0, +) / Double(present.count)
            metrics.append(Metric("overall", overall * 100))
            tableRows.append(["Overall (mean of 6)", String(rows.values.reduce(0, +)), Format.percent(overall)])
        } else if !missing.isEmpty {
            notes.append("Subset(s) missing: \(missing.joined(separator: ", ")); overall needs all six.")
        }
        let unknown = scores.keys.filter { k in !subsets.contains { $0.name.lowercased() == k.lowercased() } }.sorted()
        if !unknown.isEmpty { notes.append("Unknown subset(s), not in overall: \(unknown.joined(separator: ", ")).") }
        var tables = [ReportTable(title: "RewardBench 2", columns: ["Subset", "Rows", "Score"], rows: tableRows)]
        if let t = ties {
            tables.append(ReportTable(title: "RewardBench 2 — Ties components", columns: ["Component", "Weight", "Value"], rows: [
                ["tied accuracy", "0.30", Format.percent(t.tiedAccuracy)],
                ["ref accuracy", "0.30", Format.percent(t.refAccuracy)],
                ["correctness preferred", "0.20", Format.percent(t.correctnessPreferred)],
                ["correctness preferred (hard)", "0.20", Format.percent(t.correctnessPreferredHard)],
                ["margin score (tanh)", "0.01", Format.value(t.correctnessMarginScore, digits: 4)],
                ["prompts: ref / tied / both", "", "\(t.refPrompts) / \(t.tiedPrompts) / \(t.commonPrompts)"],
            ]))
            details.append(("ties_components", .object([
                ("tied_accuracy", .optionalNumber(t.tiedAccuracy * 100)), ("ref_accuracy", .optionalNumber(t.refAccuracy * 100)),
                ("correctness_preferred", .optionalNumber(t.correctnessPreferred * 100)),
                ("correctness_preferred_hard", .optionalNumber(t.correctnessPreferredHard * 100)),
                ("correctness_margin_score", .optionalNumber(t.correctnessMarginScore)),
                ("ref_prompts", .integer(t.refPrompts)), ("tied_prompts", .integer(t.tiedPrompts)), ("common_prompts", .integer(t.commonPrompts)),
            ])))
        }
        var plots: [CurvePlot] = []
        let series = subsets.compactMap { s -> CurvePlot.Series? in
            guard let key = curves.keys.first(where: { $0.lowercased() == s.name.lowercased() }), let rows = curves[key] else { return nil }
            let k = rows.map(\.count).min() ?? 0
            guard k > 0 else { return nil }
            var points: [(x: Double, y: Double)] = []
            for i in 0..<k {
                let sum: Double = rows.reduce(0) { $0 + $1[i] }
                points.append((x: Double(i + 1), y: 100 * sum / Double(rows.count)))
            }
            return .init(name: s.name, points: points)
        }
        if !series.isEmpty {
            plots.append(CurvePlot(title: "RewardBench 2: expected correctness of the top-scored of K random completions",
                                   xLabel: "K", yLabel: "% correct", series: series))
        }
        return BenchmarkReport(
            benchmark: name, title: "RewardBench 2", ruleVersion: ruleVersion, dataFiles: dataFiles, notes: notes,
            metrics: metrics, paperColumns: [("RB2", "overall")], details: .object(JSONObject(details)), tables: tables, curves: plots)
    }
}
