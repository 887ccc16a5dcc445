import Foundation
import SynprefCore
import SynprefData

/// Your own preference pairs as a benchmark: e.g. the held-out part of a training set
/// (`synpref data split`), read in any format SynprefData reads (TRL, OpenRLHF, HH-RLHF,
/// RewardBench, Synpref JSONL, …; JSON Lines or arrays, plain or gzip).
///
/// Rule: a pair is correct when score(context + chosen) > score(context + rejected), strictly,
/// as RMB's pairwise rule and RewardBench's do (a tie is wrong); accuracy is the share of
/// correct pairs, with a 95% Wilson score interval (`WilsonInterval`). Every record must be a
/// valid pair (the checks of `synpref data import`); a bad record is an error naming its line.
/// The metrics pool every file of the folder; each file also gets its own row.
public enum PreferencePairs {
    public static let name = "pairs"
    public static let ruleVersion =
        "pairs/1: accuracy = share of pairs with score(chosen) > score(rejected) (ties wrong), 95% Wilson score interval"
    public static let whereToGet =
        "Put preference pairs in any format the data importer reads (e.g. a held-out part written by the "
        + "preference splitter) in a pairs/ folder, or give the file itself as this benchmark's data."

    /// One pair: its file (index into `files`) and the request ids of its two conversations.
    public struct Item: Sendable {
        public var file: Int
        public var chosenID: String
        public var rejectedID: String
    }

    public struct Dataset: LoadedBenchmark {
        public let name = PreferencePairs.name
        public var items: [Item]
        public var requests: [ScoreRequest]
        public var dataFiles: [DataFileRecord]

        public func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport {
            try scores.checkCovers(requests, benchmark: name)
            var tallies = Array(repeating: Tally(), count: dataFiles.count)
            for item in items {
                let chosen = try scores.score(item.chosenID, benchmark: name)
                let rejected = try scores.score(item.rejectedID, benchmark: name)
                tallies[item.file].add(chosen: chosen, rejected: rejected)
            }
            return PreferencePairs.report(zip(dataFiles, tallies).map { ($0, $1) })
        }
    }

    /// Counts over some pairs.
    public struct Tally: Sendable, Equatable {
        public var pairs = 0
        public var correct = 0
        public var ties = 0
        public var marginSum = 0.0

        public init() {}

        public mutating func add(chosen: Double, rejected: Double) {
            pairs += 1
            if chosen > rejected { correct += 1 }
            if chosen == rejected { ties += 1 }
            marginSum += chosen - rejected
        }

        public mutating func add(_ other: Tally) {
            pairs += other.pairs
            correct += other.correct
            ties += other.ties
            marginSum += other.marginSum
        }

        /// Accuracy as a fraction; nil without pairs.
        public var accuracy: Double? { pairs > 0 ? Double(correct) / Double(pairs) : nil }
        public var interval: WilsonInterval? { WilsonInterval(successes: correct, trials: pairs) }
        public var meanMargin: Double? { pairs > 0 ? marginSum / Double(pairs) : nil }
    }

    /// Loads a file, or every data file directly inside a folder.
    public static func load(_ path: String) throws -> Dataset {
        let files = DataFile.dataFiles(at: path)
        guard !files.isEmpty else { throw EvalError.missingDataset(benchmark: name, path: path, whereToGet: whereToGet) }
        var set = RequestSet()
        var items: [Item] = []
        var records: [DataFileRecord] = []
        for (index, file) in files.enumerated() {
            let raw: Data
            do { raw = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw EvalError.unreadable(path: file, reason: (error as NSError).localizedDescription)
            }
            let before = items.count
            do {
                let reader = try PreferenceFileReader(path: file, source: (file as NSString).lastPathComponent)
                while let batch = try reader.nextBatch() {
                    for outcome in batch {
                        if let issue = outcome.issues.first {
                            throw EvalError.badField(
                                path: file, location: .line(issue.line), field: issue.field,
                                problem: "\(issue.reason) (every record must be a valid pair; splitting or importing the "
                                    + "data with invalid records skipped sets bad records aside)")
                        }
                        for prepared in outcome.pairs {
                            let p = prepared.pair
                            items.append(Item(file: index, chosenID: set.add(p.chosenConversation),
                                              rejectedID: set.add(p.rejectedConversation)))
                        }
                    }
                }
            } catch let e as EvalError {
                throw e
            } catch let e as FormatDetectionError {
                throw EvalError.badJSON(path: file, location: nil, reason: e.description)
            } catch {
                throw EvalError.unreadable(path: file, reason: "\(error)")
            }
            records.append(DataFileRecord(path: file, sha256: DataFile.sha256(raw), bytes: raw.count, rows: items.count - before))
        }
        return Dataset(items: items, requests: set.requests, dataFiles: records)
    }

    static func report(_ results: [(DataFileRecord, Tally)]) -> BenchmarkReport {
        var total = Tally()
        for (_, t) in results { total.add(t) }
        var metrics: [Metric] = []
        var notes: [String] = []
        if let a = total.accuracy, let ci = total.interval {
            metrics = [Metric("accuracy", a * 100), Metric("accuracy.ci95_low", ci.low * 100), Metric("accuracy.ci95_high", ci.high * 100)]
        }
        if total.pairs == 0 { notes.append("No pairs: the files hold no records.") }
        if total.ties > 0 { notes.append("\(total.ties) pair(s) scored a tie; a tie counts as wrong.") }
        func row(_ label: String, _ t: Tally) -> [String] {
            [label, String(t.pairs), String(t.correct), String(t.ties), Format.percent(t.accuracy),
             t.interval.map { Format.percent($0.low) + " – " + Format.percent($0.high) } ?? "—",
             Format.value(t.meanMargin, digits: 3)]
        }
        var rows = results.map { row(($0.0.path as NSString).lastPathComponent, $0.1) }
        if results.count > 1 { rows.append(row("all files", total)) }
        func json(_ t: Tally) -> JSONValue {
            let low: JSONValue = .optionalNumber(t.interval.map { $0.low * 100 })
            let high: JSONValue = .optionalNumber(t.interval.map { $0.high * 100 })
            let members: [(String, JSONValue)] = [
                ("pairs", .integer(t.pairs)), ("correct", .integer(t.correct)), ("ties", .integer(t.ties)),
                ("accuracy", .optionalNumber(t.accuracy.map { $0 * 100 })),
                ("ci95", .array([low, high])),
                ("mean_margin", .optionalNumber(t.meanMargin)),
            ]
            return .object(JSONObject(members))
        }
        let files: [(String, JSONValue)] = results.map { (($0.0.path as NSString).lastPathComponent, json($0.1)) }
        let details: JSONValue = .object(JSONObject([
            ("interval", .string("Wilson score, 95% (z = \(WilsonInterval.z95))")),
            ("all", json(total)),
            ("files", .object(JSONObject(files))),
        ]))
        return BenchmarkReport(
            benchmark: name, title: "Preference pairs", ruleVersion: ruleVersion, dataFiles: results.map(\.0), notes: notes,
            metrics: metrics, paperColumns: [], details: details,
            tables: [ReportTable(title: "Preference pairs: accuracy with a 95% Wilson interval",
                                 columns: ["File", "Pairs", "Correct", "Ties", "Accuracy", "95% CI", "Mean margin"], rows: rows)])
    }
}
