import Foundation
import SynprefCore

/// RM-Bench (THU-KEG/RM-Bench): each prompt has three chosen and three rejected responses in
/// the styles [concise, detailed plain, detailed markdown].
///
/// Rule (scripts/utils.py `compute_accuracy`, README "how to compute the accuracy"): per domain,
/// the 3×3 matrix M[i][j] counts prompts with score(chosen[i]) > score(rejected[j]), divided by
/// the number of prompts; hard = sum of the upper triangle (i < j) / 3, normal = mean of the
/// diagonal, easy = sum of the lower triangle / 3; the domain score is mean(hard, normal,
/// easy). Domains are split by prefix (`startswith`) of chat, math, code, safety, so
/// safety-refuse and safety-response are pooled row by row. Overall easy/normal/hard and the
/// total are unweighted means over the domains.
public enum RMBench {
    public static let name = "rm-bench"
    public static let ruleVersion =
        "rm-bench/1: THU-KEG/RM-Bench@73c52d7b scripts/utils.py compute_accuracy + split_dataset_by_domain "
        + "(3x3 style matrix, strict >, safety pooled by prefix)"
    public static let whereToGet =
        "Get data/*_filtered.json (or total_dataset.json) from github.com/THU-KEG/RM-Bench, or export the Hugging Face "
        + "dataset THU-KEG/RM-Bench with .to_json()."
    /// The domains of `split_dataset_by_domain`, in its order.
    public static let domains = ["chat", "math", "code", "safety"]
    public static let styles = ["concise", "detailed", "markdown"]

    public struct Row: Sendable, Decodable {
        public var id: LooseID?
        public var prompt: String
        public var chosen: [String]
        public var rejected: [String]
        public var domain: String?
    }

    /// One prompt with its request ids (3 chosen, 3 rejected) and its domain.
    public struct Item: Sendable {
        public var domain: String
        public var chosenIDs: [String]
        public var rejectedIDs: [String]
    }

    public struct Dataset: LoadedBenchmark {
        public let name = RMBench.name
        public var items: [Item]
        public var requests: [ScoreRequest]
        public var dataFiles: [DataFileRecord]

        public func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport {
            try scores.checkCovers(requests, benchmark: name)
            var byDomain: [String: [[Int]]] = [:]
            var counts: [String: Int] = [:]
            for item in items {
                guard let domain = RMBench.domains.first(where: { item.domain.hasPrefix($0) }) else { continue }
                var m = byDomain[domain] ?? Array(repeating: Array(repeating: 0, count: 3), count: 3)
                for i in 0..<3 {
                    let c = try scores.score(item.chosenIDs[i], benchmark: name)
                    for j in 0..<3 where c > (try scores.score(item.rejectedIDs[j], benchmark: name)) { m[i][j] += 1 }
                }
                byDomain[domain] = m
                counts[domain, default: 0] += 1
            }
            let results = RMBench.domains.compactMap { d -> DomainResult? in
                guard let m = byDomain[d], let n = counts[d] else { return nil }
                return DomainResult(domain: d, prompts: n, correct: m)
            }
            return RMBench.report(results, dataFiles: dataFiles)
        }
    }

    /// A domain's counts and the numbers derived from them.
    public struct DomainResult: Sendable, Equatable {
        public var domain: String
        public var prompts: Int
        /// correct[i][j]: prompts where chosen style i beat rejected style j.
        public var correct: [[Int]]

        public var matrix: [[Double]] { correct.map { $0.map { Double($0) / Double(prompts) } } }
        public var hard: Double { let m = matrix; return (m[0][1] + m[0][2] + m[1][2]) / 3 }
        public var normal: Double { let m = matrix; return (m[0][0] + m[1][1] + m[2][2]) / 3 }
        public var easy: Double { let m = matrix; return (m[1][0] + m[2][0] + m[2][1]) / 3 }
        public var average: Double { (hard + normal + easy) / 3 }
    }

    /// Overall numbers: unweighted means over the domains present.
    public struct Overall: Sendable, Equatable {
        public var hard: Double, normal: Double, easy: Double, total: Double

        public init(_ domains: [DomainResult]) {
            let n = Double(domains.count)
            hard = domains.map(\.hard).reduce(0, +) / n
            normal = domains.map(\.normal).reduce(0, +) / n
            easy = domains.map(\.easy).reduce(0, +) / n
            total = domains.map(\.average).reduce(0, +) / n
        }
    }

    /// Loads a file or a folder: `total_dataset.json` (rows carry `domain`) when present, else
    /// every `<domain>_filtered.json`, whose domain comes from the name when rows lack one.
    public static func load(_ path: String) throws -> Dataset {
        var files: [String]
        if DataFile.isDirectory(path) {
            files = DataFile.dataFiles(in: path)
            if let total = files.first(where: { ($0 as NSString).lastPathComponent.hasPrefix("total_dataset") }) {
                files = [total]
            }
        } else {
            files = DataFile.exists(path) ? [path] : []
        }
        guard !files.isEmpty else { throw EvalError.missingDataset(benchmark: name, path: path, whereToGet: whereToGet) }
        var set = RequestSet()
        var items: [Item] = []
        var records: [DataFileRecord] = []
        for file in files {
            let loaded = try DataFile.rows(Row.self, at: file)
            let stem = ((file as NSString).lastPathComponent.components(separatedBy: ".").first ?? "")
                .replacingOccurrences(of: "_filtered", with: "")
            for (row, location) in zip(loaded.rows, loaded.locations) {
                guard row.chosen.count == 3, row.rejected.count == 3 else {
                    throw EvalError.badRow(path: file, location: location, problem:
                        "RM-Bench rows need 3 chosen and 3 rejected responses (concise, detailed, markdown); found \(row.chosen.count) and \(row.rejected.count)")
                }
                let domain = row.domain ?? stem
                guard domains.contains(where: { domain.hasPrefix($0) }) else {
                    throw EvalError.badField(path: file, location: location, field: "domain", problem:
                        "`\(domain)` is not one of chat, code, math, safety-refuse, safety-response (name the file <domain>_filtered.json or add a domain field)")
                }
                items.append(Item(
                    domain: domain,
                    chosenIDs: row.chosen.map { set.add(singleTurn(row.prompt, $0)) },
                    rejectedIDs: row.rejected.map { set.add(singleTurn(row.prompt, $0)) }))
            }
            records.append(loaded.record)
        }
        return Dataset(items: items, requests: set.requests, dataFiles: records)
    }

    static func report(_ results: [DomainResult], dataFiles: [DataFileRecord]) -> BenchmarkReport {
        var notes: [String] = []
        var metrics: [Metric] = []
        let missing = domains.filter { d in !results.contains { $0.domain == d } }
        if !missing.isEmpty {
            notes.append("Missing domain(s): \(missing.joined(separator: ", ")). Easy/normal/hard and overall average the \(results.count) domain(s) present, so they are not comparable with published RM-Bench numbers.")
        }
        var tables: [ReportTable] = []
        var heatmaps: [Heatmap] = []
        var details: [(String, JSONValue)] = []
        if !results.isEmpty {
            let o = Overall(results)
            metrics += [Metric("easy", o.easy * 100), Metric("normal", o.normal * 100), Metric("hard", o.hard * 100), Metric("overall", o.total * 100)]
            for r in results { metrics.append(Metric(r.domain, r.average * 100)) }
            var rows = results.map { r in
                [r.domain, String(r.prompts), Format.percent(r.easy), Format.percent(r.normal), Format.percent(r.hard), Format.percent(r.average)]
            }
            rows.append(["overall (mean of domains)", String(results.map(\.prompts).reduce(0, +)), Format.percent(o.easy), Format.percent(o.normal), Format.percent(o.hard), Format.percent(o.total)])
            tables.append(ReportTable(title: "RM-Bench", columns: ["Domain", "Prompts", "Easy", "Normal", "Hard", "Average"], rows: rows))
            // The mean of the domains' matrices: its triangles give the overall easy/normal/hard.
            var mean = Array(repeating: Array(repeating: 0.0, count: 3), count: 3)
            for r in results { let m = r.matrix; for i in 0..<3 { for j in 0..<3 { mean[i][j] += m[i][j] / Double(results.count) } } }
            heatmaps.append(Heatmap(title: "RM-Bench: chosen style (rows) beats rejected style (columns), mean of domains",
                                    rowLabels: styles, columnLabels: styles, values: mean.map { $0.map { $0 * 100 } }))
            for r in results {
                heatmaps.append(Heatmap(title: "RM-Bench \(r.domain)", rowLabels: styles, columnLabels: styles,
                                        values: r.matrix.map { $0.map { $0 * 100 } }))
                details.append((r.domain, .object([
                    ("prompts", .integer(r.prompts)),
                    ("easy", .double(r.easy * 100)), ("normal", .double(r.normal * 100)), ("hard", .double(r.hard * 100)),
                    ("average", .double(r.average * 100)),
                    ("correct_counts", .array(r.correct.map { .array($0.map { .integer($0) }) })),
                ])))
            }
        }
        return BenchmarkReport(
            benchmark: name, title: "RM-Bench", ruleVersion: ruleVersion, dataFiles: dataFiles, notes: notes,
            metrics: metrics, paperColumns: [("RM-Bench", "overall")],
            details: .object([("domains", .object(JSONObject(details))), ("missing_domains", .array(missing.map { .string($0) }))]),
            tables: tables, heatmaps: heatmaps)
    }
}
