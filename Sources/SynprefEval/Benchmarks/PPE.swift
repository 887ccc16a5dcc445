import Foundation
import SynprefCore

/// PPE (Preference Proxy Evaluations, lmarena): the human-preference part and the correctness
/// part, read from one folder of Hugging Face exports. A file is the preference set when its
/// rows carry `winner`, a correctness set when they carry `sampled_conflict_pairs`.
public enum PPE {
    public static let name = "ppe"
    public static let whereToGet = PPEPreference.whereToGet + " " + PPECorrectness.whereToGet

    private struct Probe: Decodable {
        var winner: String?
        var sampled_conflict_pairs: [[Int]]?
    }

    public struct Dataset: LoadedBenchmark {
        public let name = PPE.name
        public var preference: PPEPreference.Part?
        public var correctness: [PPECorrectness.SetData]
        public var requests: [ScoreRequest]
        public var dataFiles: [DataFileRecord]

        public func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport {
            try scores.checkCovers(requests, benchmark: name)
            let pref = try preference.flatMap { try PPEPreference.accuracy($0, scores) }
            let sets = try correctness.map { try PPECorrectness.evaluate($0, scores) }
            return PPE.report(preference: pref, ties: preference?.ties ?? 0, prefPairs: preference?.items.count ?? 0,
                              sets: sets, dataFiles: dataFiles)
        }
    }

    /// Loads every data file of a folder (or one file), sorting them into the two parts.
    public static func load(_ path: String) throws -> Dataset {
        let files = DataFile.isDirectory(path) ? DataFile.dataFiles(in: path) : (DataFile.exists(path) ? [path] : [])
        guard !files.isEmpty else { throw EvalError.missingDataset(benchmark: name, path: path, whereToGet: whereToGet) }
        var set = RequestSet()
        var preferenceFiles: [String] = []
        var correctness: [PPECorrectness.SetData] = []
        for file in files {
            let probe = try DataFile.firstRow(Probe.self, at: file)
            if probe?.winner != nil {
                preferenceFiles.append(file)
            } else if probe?.sampled_conflict_pairs != nil {
                correctness.append(try PPECorrectness.load(file: file, set: &set))
            } else {
                throw EvalError.badRow(path: file, location: .line(1), problem:
                    "not a PPE export: rows need `winner` (human preference) or `sampled_conflict_pairs` (correctness)")
            }
        }
        let preference = preferenceFiles.isEmpty ? nil : try PPEPreference.load(files: preferenceFiles, set: &set)
        let records = (preference?.records ?? []) + correctness.map(\.record)
        return Dataset(preference: preference, correctness: correctness, requests: set.requests, dataFiles: records)
    }

    /// The turns before the response: a string prompt is one user turn; a list keeps its roles
    /// and must end on a user turn.
    static func conversation(_ prompt: PromptField, path: String, location: RowLocation) throws -> [ChatMessage] {
        switch prompt {
        case .text(let s): return [ChatMessage(role: .user, content: s)]
        case .turns(let turns):
            var out: [ChatMessage] = []
            for (i, t) in turns.enumerated() {
                guard let role = chatRole(t.role) else {
                    throw EvalError.badField(path: path, location: location, field: "prompt[\(i)].role", problem: "unknown role `\(t.role)`")
                }
                out.append(ChatMessage(role: role, content: t.content))
            }
            guard out.last?.role == .user else {
                throw EvalError.badField(path: path, location: location, field: "prompt", problem: "must end with a user turn")
            }
            return out
        }
    }

    static func report(preference: Double?, ties: Int, prefPairs: Int, sets: [PPECorrectness.SetResult],
                       dataFiles: [DataFileRecord]) -> BenchmarkReport {
        var metrics: [Metric] = []
        var notes: [String] = []
        var tables: [ReportTable] = []
        var details: [(String, JSONValue)] = []
        if let preference {
            metrics.append(Metric("preference.accuracy", preference * 100))
            tables.append(ReportTable(title: "PPE human preference", columns: ["Pairs scored", "Ties excluded", "Accuracy"],
                                      rows: [[String(prefPairs), String(ties), Format.percent(preference)]]))
            details.append(("preference", .object([("pairs", .integer(prefPairs)), ("ties_excluded", .integer(ties)),
                                                   ("accuracy", .double(preference * 100))])))
        } else {
            notes.append("No human-preference file. " + PPEPreference.whereToGet)
        }
        var plots: [CurvePlot] = []
        if !sets.isEmpty {
            let accs = sets.compactMap(\.accuracy)
            if !accs.isEmpty { metrics.append(Metric("correctness.accuracy", 100 * accs.reduce(0, +) / Double(accs.count))) }
            let aucs = sets.compactMap(\.auc)
            if !aucs.isEmpty { metrics.append(Metric("correctness.auc", 100 * aucs.reduce(0, +) / Double(aucs.count))) }
            let kMax = sets.map(\.bestOfK.count).min() ?? 0
            var mean: [(x: Double, y: Double)] = []
            if kMax > 0 {
                for k in 1...kMax {
                    let v = 100 * sets.map { $0.bestOfK[k - 1] }.reduce(0, +) / Double(sets.count)
                    metrics.append(Metric("correctness.bon@\(k)", v))
                    mean.append((Double(k), v))
                }
            }
            for s in sets {
                if let a = s.accuracy { metrics.append(Metric("correctness.\(s.name).accuracy", a * 100)) }
                if let a = s.auc { metrics.append(Metric("correctness.\(s.name).auc", a * 100)) }
            }
            let missing = PPECorrectness.expectedSets.filter { e in !sets.contains { $0.name == e } }
            if !missing.isEmpty {
                notes.append("Correctness set(s) missing: \(missing.joined(separator: ", ")); the means cover \(sets.count) set(s).")
            }
            let columns = ["Set", "Prompts", "Conflict pairs", "Accuracy", "AUC", "BoN@1", "BoN@32"]
            var rows = sets.map { s in
                [s.name, String(s.prompts), String(s.pairs), Format.percent(s.accuracy), Format.percent(s.auc),
                 Format.percent(s.bestOfK.first), Format.percent(s.bestOfK.count >= 32 ? s.bestOfK[31] : nil)]
            }
            rows.append(["mean of sets", "", "", Format.value(metrics.first { $0.name == "correctness.accuracy" }?.value),
                         Format.value(metrics.first { $0.name == "correctness.auc" }?.value),
                         Format.value(mean.first?.y), Format.value(mean.count >= 32 ? mean[31].y : nil)])
            tables.append(ReportTable(title: "PPE correctness", columns: columns, rows: rows))
            var series = sets.map { s in CurvePlot.Series(name: s.name, points: s.bestOfK.enumerated().map { (Double($0.offset + 1), 100 * $0.element) }) }
            if sets.count > 1 { series.append(.init(name: "mean", points: mean)) }
            plots.append(CurvePlot(title: "PPE correctness: best-of-K (expected correctness of the top-scored of K)",
                                   xLabel: "K", yLabel: "% correct", series: series))
            details.append(("correctness", .object(JSONObject(sets.map { s in
                (s.name, .object([
                    ("prompts", .integer(s.prompts)), ("conflict_pairs", .integer(s.pairs)),
                    ("accuracy", .optionalNumber(s.accuracy.map { $0 * 100 })), ("auc", .optionalNumber(s.auc.map { $0 * 100 })),
                    ("best_of_k", .array(s.bestOfK.map { .double($0 * 100) })),
                ]))
            }))))
        } else {
            notes.append("No correctness files. " + PPECorrectness.whereToGet)
        }
        let incomplete = !sets.isEmpty && PPECorrectness.expectedSets.contains { e in !sets.contains { $0.name == e } }
        return BenchmarkReport(
            benchmark: name, title: "PPE", ruleVersion: PPEPreference.ruleVersion + "; " + PPECorrectness.ruleVersion,
            dataFiles: dataFiles, notes: notes, metrics: metrics,
            paperColumns: [("PPE Pref", "preference.accuracy"), ("PPE Corr", "correctness.accuracy")],
            details: .object(JSONObject(details)), tables: tables, curves: plots, incompleteColumns: incomplete ? ["PPE Corr"] : [])
    }
}
