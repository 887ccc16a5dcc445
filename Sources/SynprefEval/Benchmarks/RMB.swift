import Foundation
import SynprefCore

/// RMB (Zhou-Zoey/RMB-Reward-Model-Benchmark): 49 real-world scenarios under two goals,
/// Helpfulness and Harmlessness, each with a pairwise set and a best-of-N set.
///
/// Rules. Messages are `conversation_input` (turns ending on the user) plus the answer as the
/// assistant turn, as eval/scripts/my_utils/utils.py builds them. Pairwise: a pair is right iff
/// score(chosen) > score(reject) (eval/scripts/my_run_rm.py). Best-of-N: a row is right iff
/// bon_best scores strictly above every response of loser_list (the paper's definition; the
/// repository has no scoring code for this layout). Per goal and set, two averages:
/// micro = right rows / rows (what my_run_rm.py computes over the files it is given, and our
/// headline) and macro = mean over scenarios (category paths) of their accuracy. Overall = mean
/// of Helpfulness-BoN, Helpfulness-Pairwise, Harmlessness-BoN, Harmlessness-Pairwise.
public enum RMB {
    public static let name = "rmb"
    public static let ruleVersion =
        "rmb/1: Zhou-Zoey/RMB-Reward-Model-Benchmark@2be31808 my_run_rm.py (pairwise chosen > reject); "
        + "BoN best > every loser (paper); micro (rows, headline) and macro (scenarios) per goal; overall = mean of 4"
    public static let whereToGet =
        "Get RMB_dataset/ (BoN_set/ and Pairwise_set/) from github.com/Zhou-Zoey/RMB-Reward-Model-Benchmark."
    /// Scenario files per goal in the published dataset (the same for both sets).
    public static let expectedScenarios = ["Helpfulness": 37, "Harmlessness": 12]
    public static let goals = ["Helpfulness", "Harmlessness"]

    public struct Answer: Sendable, Decodable {
        public var llmName: String?
        public var answer: String

        enum CodingKeys: String, CodingKey { case llmName = "llm_name", answer }
    }

    /// A pairwise or best-of-N row (which one is decided by the fields present).
    public struct Row: Sendable, Decodable {
        public var pairUID: LooseID?
        public var bonUID: LooseID?
        public var conversationInput: [PromptField.Turn]
        public var chosen: Answer?
        public var reject: Answer?
        public var bonBest: Answer?
        public var loserList: [Answer]?
        public var categoryPath: String

        enum CodingKeys: String, CodingKey {
            case pairUID = "pair_uid", bonUID = "bon_uid", conversationInput = "conversation_input", chosen, reject
            case bonBest = "bon_best", loserList = "loser_list", categoryPath = "category_path"
        }
    }

    public enum Kind: String, Sendable { case pairwise, bon }

    /// One row: the winner's request id and the ids it must beat.
    public struct Item: Sendable {
        public var kind: Kind
        public var goal: String
        public var scenario: String
        public var winnerID: String
        public var loserIDs: [String]
    }

    public struct Dataset: LoadedBenchmark {
        public let name = RMB.name
        public var items: [Item]
        public var requests: [ScoreRequest]
        public var dataFiles: [DataFileRecord]

        public func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport {
            try scores.checkCovers(requests, benchmark: name)
            // [kind/goal/scenario] → (right, rows)
            var tally: [String: (kind: Kind, goal: String, scenario: String, right: Int, rows: Int)] = [:]
            for item in items {
                let w = try scores.score(item.winnerID, benchmark: name)
                var right = true
                for l in item.loserIDs where !(w > (try scores.score(l, benchmark: name))) { right = false; break }
                let key = "\(item.kind.rawValue)\u{1F}\(item.goal)\u{1F}\(item.scenario)"
                var t = tally[key] ?? (item.kind, item.goal, item.scenario, 0, 0)
                t.rows += 1
                if right { t.right += 1 }
                tally[key] = t
            }
            return RMB.report(Array(tally.values).map { Scenario(kind: $0.kind, goal: $0.goal, name: $0.scenario, right: $0.right, rows: $0.rows) },
                              dataFiles: dataFiles)
        }
    }

    public struct Scenario: Sendable, Equatable {
        public var kind: Kind
        public var goal: String
        public var name: String
        public var right: Int
        public var rows: Int
        public var accuracy: Double { Double(right) / Double(rows) }
    }

    /// Micro and macro accuracy of one goal and set.
    public struct Cell: Sendable, Equatable {
        public var micro: Double
        public var macro: Double
        public var rows: Int
        public var scenarios: Int

        init?(_ scenarios: [Scenario]) {
            guard !scenarios.isEmpty else { return nil }
            let rows = scenarios.map(\.rows).reduce(0, +)
            micro = Double(scenarios.map(\.right).reduce(0, +)) / Double(rows)
            macro = scenarios.map(\.accuracy).reduce(0, +) / Double(scenarios.count)
            self.rows = rows
            self.scenarios = scenarios.count
        }
    }

    /// Loads every JSON file under `path` (recursively): a checkout's RMB_dataset/, or a folder
    /// holding it, or a single file.
    public static func load(_ path: String) throws -> Dataset {
        var root = path
        if DataFile.isDirectory(path + "/RMB_dataset") { root = path + "/RMB_dataset" }
        let files = DataFile.isDirectory(root) ? DataFile.dataFiles(in: root, recursive: true) : (DataFile.exists(root) ? [root] : [])
        guard !files.isEmpty else { throw EvalError.missingDataset(benchmark: name, path: path, whereToGet: whereToGet) }
        // Files are independent: decode and hash them on all cores, then merge in file order.
        let perFile = try Parallel.map(files) { file -> (DataFileRecord, [Item], [ScoreRequest]) in
            var set = RequestSet()
            let loaded = try DataFile.rows(Row.self, at: file)
            var items: [Item] = []
            for (row, location) in zip(loaded.rows, loaded.locations) {
                items.append(try item(row, set: &set, path: file, location: location))
            }
            return (loaded.record, items, set.requests)
        }
        var set = RequestSet()
        for (_, _, requests) in perFile { set.add(contentsOf: requests) }
        return Dataset(items: perFile.flatMap(\.1), requests: set.requests, dataFiles: perFile.map(\.0))
    }

    static func item(_ row: Row, set: inout RequestSet, path: String, location: RowLocation) throws -> Item {
        let parts = row.categoryPath.split(separator: "/").map(String.init)
        guard parts.count >= 3, goals.contains(parts[1]) else {
            throw EvalError.badField(path: path, location: location, field: "category_path", problem:
                "`\(row.categoryPath)` is not <set>/<Helpfulness|Harmlessness>/<scenario>")
        }
        var context: [ChatMessage] = []
        for (i, turn) in row.conversationInput.enumerated() {
            guard let role = chatRole(turn.role) else {
                throw EvalError.badField(path: path, location: location, field: "conversation_input[\(i)].role",
                                         problem: "unknown role `\(turn.role)`")
            }
            context.append(ChatMessage(role: role, content: turn.content))
        }
        guard context.last?.role == .user else {
            throw EvalError.badField(path: path, location: location, field: "conversation_input",
                                     problem: "must be non-empty and end with a user turn")
        }
        func id(_ a: Answer) -> String { set.add(context + [ChatMessage(role: .assistant, content: a.answer)]) }
        let scenario = parts[2...].joined(separator: "/")
        if let chosen = row.chosen, let reject = row.reject, row.bonBest == nil {
            return Item(kind: .pairwise, goal: parts[1], scenario: scenario, winnerID: id(chosen), loserIDs: [id(reject)])
        }
        if let best = row.bonBest, let losers = row.loserList, row.chosen == nil {
            guard !losers.isEmpty else {
                throw EvalError.badField(path: path, location: location, field: "loser_list", problem: "is empty")
            }
            return Item(kind: .bon, goal: parts[1], scenario: scenario, winnerID: id(best), loserIDs: losers.map(id))
        }
        throw EvalError.badRow(path: path, location: location, problem:
            "an RMB row has either chosen + reject (pairwise) or bon_best + loser_list (best-of-N)")
    }

    static func report(_ scenarios: [Scenario], dataFiles: [DataFileRecord]) -> BenchmarkReport {
        var metrics: [Metric] = []
        var notes: [String] = []
        var rows: [[String]] = []
        var details: [(String, JSONValue)] = []
        var micro: [Double] = []
        var macro: [Double] = []
        for goal in goals {
            for kind in [Kind.bon, .pairwise] {
                let group = scenarios.filter { $0.goal == goal && $0.kind == kind }.sorted { $0.name < $1.name }
                let label = "\(goal.lowercased()).\(kind.rawValue)"
                let expected = expectedScenarios[goal] ?? 0
                guard let cell = Cell(group) else {
                    notes.append("\(goal) \(kind == .bon ? "best-of-N" : "pairwise"): no data.")
                    rows.append([goal, kind == .bon ? "BoN" : "Pairwise", "0", "0", "—", "—"])
                    continue
                }
                if group.count < expected {
                    notes.append("\(goal) \(kind == .bon ? "best-of-N" : "pairwise"): \(group.count) of \(expected) scenario files present; not comparable with published RMB numbers.")
                }
                metrics += [Metric(label, cell.micro * 100), Metric("\(label).micro", cell.micro * 100), Metric("\(label).macro", cell.macro * 100)]
                micro.append(cell.micro)
                macro.append(cell.macro)
                rows.append([goal, kind == .bon ? "BoN" : "Pairwise", String(cell.scenarios), String(cell.rows),
                             Format.percent(cell.micro), Format.percent(cell.macro)])
                details.append((label, .object([
                    ("rows", .integer(cell.rows)), ("scenarios", .integer(cell.scenarios)),
                    ("micro", .double(cell.micro * 100)), ("macro", .double(cell.macro * 100)),
                    ("per_scenario", .object(JSONObject(group.map { ($0.name, .object([("rows", .integer($0.rows)), ("accuracy", .double($0.accuracy * 100))])) }))),
                ])))
            }
        }
        if micro.count == 4 {
            let mi = micro.reduce(0, +) / 4
            let ma = macro.reduce(0, +) / 4
            metrics += [Metric("overall", mi * 100), Metric("overall.micro", mi * 100), Metric("overall.macro", ma * 100)]
            rows.append(["Overall (mean of 4)", "", "", "", Format.percent(mi), Format.percent(ma)])
        } else {
            notes.append("Overall needs both sets of both goals.")
        }
        return BenchmarkReport(
            benchmark: name, title: "RMB", ruleVersion: ruleVersion, dataFiles: dataFiles, notes: notes, metrics: metrics,
            paperColumns: [("RMB", "overall")],
            details: .object([("headline_average", .string("micro")), ("cells", .object(JSONObject(details)))]),
            tables: [ReportTable(title: "RMB (headline: micro, rows pooled within goal and set)",
                                 columns: ["Goal", "Set", "Scenarios", "Rows", "Micro", "Macro"], rows: rows)])
    }
}
