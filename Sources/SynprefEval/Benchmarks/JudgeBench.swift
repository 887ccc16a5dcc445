import Foundation
import SynprefCore

/// JudgeBench (ScalerLab/JudgeBench): response pairs with an objective label.
///
/// Rule (read from the repository @ e2c52c28): a reward-model judge decides
/// `"A>B" if score(A) > score(B) else "B>A"` (utils/judges.py; a tie becomes B>A) for the
/// messages `[user: question, assistant: response]`. Single game: accuracy of that decision.
/// Double game (`compute_final_metrics(..., reverse_order=True)` in utils/metrics.py): judge
/// (A, B) and (B, A), flip the second decision, +1 per decision equal to the label, −1 per
/// decision equal to the opposite label; a pair counts only when the sum is > 0 (so a tie,
/// whose two decisions disagree, is wrong). Categories are source prefixes, as in run_judge.py:
/// mmlu-pro → Knowledge, livebench-reasoning → Reasoning, livebench-math → Math,
/// livecodebench → Coding. JudgeBench's leaderboard reports the micro average over pairs of the
/// gpt-4o split; the Skywork-Reward-V2 paper reports the macro average of the four categories.
public enum JudgeBench {
    public static let name = "judgebench"
    public static let ruleVersion =
        "judgebench/1: ScalerLab/JudgeBench@e2c52c28 utils/metrics.py compute_final_metrics (single and double game), "
        + "reward-model decision A>B iff score(A) > score(B) (utils/judges.py), categories by source prefix (run_judge.py)"
    public static let whereToGet =
        "Get it from github.com/ScalerLab/JudgeBench (data/dataset=judgebench,response_model=*.jsonl) or the Hugging Face "
        + "dataset ScalerLab/JudgeBench (splits gpt and claude, exported with .to_json(lines=True))."
    /// The leaderboard split.
    public static let primaryResponseModel = "gpt-4o-2024-05-13"

    public enum Label: String, Sendable, Decodable {
        case aBetter = "A>B"
        case bBetter = "B>A"

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            let s = try c.decode(String.self)
            guard let l = Label(rawValue: s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "is \"\(s)\", expected \"A>B\" or \"B>A\"")
            }
            self = l
        }

        var flipped: Label { self == .aBetter ? .bBetter : .aBetter }
    }

    public enum Category: String, Sendable, CaseIterable {
        case knowledge, reasoning, math, coding

        /// Source prefixes of run_judge.py, in its order.
        public static func of(source: String) -> Category? {
            if source.hasPrefix("mmlu-pro") { return .knowledge }
            if source.hasPrefix("livebench-reasoning") { return .reasoning }
            if source.hasPrefix("livebench-math") { return .math }
            if source.hasPrefix("livecodebench") { return .coding }
            return nil
        }

        public var title: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    public struct Row: Sendable, Decodable {
        public var pairID: String
        public var source: String
        public var question: String
        public var responseModel: String?
        public var responseA: String
        public var responseB: String
        public var label: Label

        enum CodingKeys: String, CodingKey {
            case pairID = "pair_id", source, question, responseModel = "response_model"
            case responseA = "response_A", responseB = "response_B", label
        }
    }

    /// One data file (a response-model split) with the request ids of each pair.
    public struct Split: Sendable {
        public var name: String
        public var file: LoadedRows<Row>
        public var idsA: [String]
        public var idsB: [String]
    }

    public struct Dataset: LoadedBenchmark {
        public let name = JudgeBench.name
        public var splits: [Split]
        public var requests: [ScoreRequest]
        public var dataFiles: [DataFileRecord] { splits.map(\.file.record) }

        /// The split whose numbers are headline: the gpt-4o split when present.
        public var primary: Split? {
            splits.first { $0.name == JudgeBench.primaryResponseModel } ?? splits.first
        }

        public func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport {
            try scores.checkCovers(requests, benchmark: name)
            var results: [(Split, SplitResult)] = []
            for split in splits {
                var tally = SplitResult()
                for (i, row) in split.file.rows.enumerated() {
                    let a = try scores.score(split.idsA[i], benchmark: name)
                    let b = try scores.score(split.idsB[i], benchmark: name)
                    tally.add(JudgeBench.judge(scoreA: a, scoreB: b, label: row.label), category: Category.of(source: row.source))
                }
                results.append((split, tally))
            }
            return JudgeBench.report(results, dataFiles: dataFiles, primaryName: primary?.name)
        }
    }

    /// What the rule makes of one pair.
    public struct Outcome: Sendable, Equatable {
        /// The single-game decision matches the label.
        public var singleCorrect: Bool
        /// The double-game sum (+1/−1 per decision); correct iff > 0.
        public var doubleCounter: Int
        public var doubleCorrect: Bool { doubleCounter > 0 }
        /// The two games disagree (only possible for a reward model on a tie).
        public var inconsistent: Bool
    }

    /// The reward-model judge of utils/judges.py and the counting of utils/metrics.py.
    public static func judge(scoreA: Double, scoreB: Double, label: Label) -> Outcome {
        let decision1: Label = scoreA > scoreB ? .aBetter : .bBetter
        // Second game: the pair shown as (B, A); its "A>B" means B is better. Then flip it.
        let swapped: Label = scoreB > scoreA ? .aBetter : .bBetter
        let decision2 = swapped.flipped
        var counter = 0
        for d in [decision1, decision2] {
            if d == label { counter += 1 } else if d == label.flipped { counter -= 1 }
        }
        return Outcome(singleCorrect: decision1 == label, doubleCounter: counter, inconsistent: decision1 != decision2)
    }

    /// Correct-pair counts overall and per category.
    public struct SplitResult: Sendable, Equatable {
        public var pairs = 0
        public var single = 0
        public var double = 0
        public var inconsistent = 0
        public var perCategory: [Category: (pairs: Int, single: Int, double: Int)] = [:]
        public var uncategorised = 0

        public static func == (a: SplitResult, b: SplitResult) -> Bool {
            a.pairs == b.pairs && a.single == b.single && a.double == b.double && a.inconsistent == b.inconsistent
        }

        mutating func add(_ o: Outcome, category: Category?) {
            pairs += 1
            if o.singleCorrect { single += 1 }
            if o.doubleCorrect { double += 1 }
            if o.inconsistent { inconsistent += 1 }
            if let category {
                var c = perCategory[category] ?? (0, 0, 0)
                c.pairs += 1
                if o.singleCorrect { c.single += 1 }
                if o.doubleCorrect { c.double += 1 }
                perCategory[category] = c
            } else {
                uncategorised += 1
            }
        }

        /// `100*n_correct/n_pairs`, computed as JudgeBench does (one correctly rounded division).
        static func percent(_ correct: Int, _ total: Int) -> Double? {
            total > 0 ? Double(100 * correct) / Double(total) : nil
        }

        public var singleMicro: Double? { SplitResult.percent(single, pairs) }
        public var doubleMicro: Double? { SplitResult.percent(double, pairs) }
        public func single(_ c: Category) -> Double? { perCategory[c].flatMap { SplitResult.percent($0.single, $0.pairs) } }
        public func double(_ c: Category) -> Double? { perCategory[c].flatMap { SplitResult.percent($0.double, $0.pairs) } }
        /// Mean of the four category percentages (the Skywork paper's number); nil unless all
        /// four categories are present.
        public var doubleMacro: Double? {
            let v = Category.allCases.compactMap { double($0) }
            return v.count == Category.allCases.count ? v.reduce(0, +) / Double(v.count) : nil
        }
        public var singleMacro: Double? {
            let v = Category.allCases.compactMap { single($0) }
            return v.count == Category.allCases.count ? v.reduce(0, +) / Double(v.count) : nil
        }
    }

    /// Loads a file, or every `*.jsonl`/`*.json` directly inside a folder (the
    /// `reference_outputs_reward_models/` subfolder is not read).
    public static func load(_ path: String) throws -> Dataset {
        let files = DataFile.dataFiles(at: path)
        guard !files.isEmpty else { throw EvalError.missingDataset(benchmark: name, path: path, whereToGet: whereToGet) }
        var set = RequestSet()
        var splits: [Split] = []
        for file in files {
            let loaded = try DataFile.rows(Row.self, at: file)
            var idsA: [String] = []
            var idsB: [String] = []
            for row in loaded.rows {
                idsA.append(set.add(singleTurn(row.question, row.responseA)))
                idsB.append(set.add(singleTurn(row.question, row.responseB)))
            }
            let model = loaded.rows.first?.responseModel ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            splits.append(Split(name: model, file: loaded, idsA: idsA, idsB: idsB))
        }
        return Dataset(splits: splits, requests: set.requests)
    }

    static func report(_ results: [(Split, SplitResult)], dataFiles: [DataFileRecord], primaryName: String?) -> BenchmarkReport {
        var metrics: [Metric] = []
        var notes: [String] = []
        var details: [(String, JSONValue)] = []
        var tables: [ReportTable] = []
        for (split, r) in results {
            let isPrimary = split.name == primaryName
            if isPrimary {
                func add(_ name: String, _ v: Double?) { if let v { metrics.append(Metric(name, v)) } }
                add("single_game.micro", r.singleMicro)
                add("single_game.macro", r.singleMacro)
                add("double_game.micro", r.doubleMicro)
                add("double_game.macro", r.doubleMacro)
                for c in Category.allCases { add("double_game.\(c.rawValue)", r.double(c)) }
                for c in Category.allCases { add("single_game.\(c.rawValue)", r.single(c)) }
                if split.name != JudgeBench.primaryResponseModel {
                    notes.append("Headline numbers come from the \(split.name) split; the leaderboard uses \(JudgeBench.primaryResponseModel).")
                }
            }
            if r.uncategorised > 0 {
                notes.append("\(split.name): \(r.uncategorised) pair(s) have a source outside the four categories; they count in the micro averages only.")
            }
            var cats: [(String, JSONValue)] = []
            var rows: [[String]] = []
            for c in Category.allCases {
                let n = r.perCategory[c]?.pairs ?? 0
                cats.append((c.rawValue, .object([
                    ("pairs", .integer(n)),
                    ("single_game", .optionalNumber(r.single(c))),
                    ("double_game", .optionalNumber(r.double(c))),
                ])))
                rows.append([c.title, String(n), Format.value(r.single(c)), Format.value(r.double(c))])
            }
            rows.append(["Micro (all pairs)", String(r.pairs), Format.value(r.singleMicro), Format.value(r.doubleMicro)])
            rows.append(["Macro (4 categories)", "", Format.value(r.singleMacro), Format.value(r.doubleMacro)])
            details.append((split.name, .object([
                ("headline", .bool(isPrimary)),
                ("pairs", .integer(r.pairs)),
                ("inconsistent_double_games", .integer(r.inconsistent)),
                ("single_game", .object([("micro", .optionalNumber(r.singleMicro)),
                                         ("macro", .optionalNumber(r.singleMacro))])),
                ("double_game", .object([("micro", .optionalNumber(r.doubleMicro)),
                                         ("macro", .optionalNumber(r.doubleMacro))])),
                ("categories", .object(JSONObject(cats))),
            ])))
            tables.append(ReportTable(
                title: "JudgeBench, \(split.name) split\(isPrimary ? " (headline)" : "") — \(r.inconsistent) inconsistent double game(s)",
                columns: ["Category", "Pairs", "Single game", "Double game"], rows: rows))
        }
        return BenchmarkReport(
            benchmark: name, title: "JudgeBench", ruleVersion: ruleVersion, dataFiles: dataFiles, notes: notes,
            metrics: metrics, paperColumns: [("JudgeBench", "double_game.macro")],
            details: .object([("splits", .object(JSONObject(details)))]), tables: tables)
    }
}
