import Foundation
import SynprefCore
import SynprefModels

/// A benchmark that `all` had to leave out, and why.
public struct SkippedBenchmark: Error, Sendable, Equatable {
    public var benchmark: String
    public var reason: String
}

/// The steps of `synpref eval`, as a library: load, list requests, score, apply the rules,
/// write the outputs. The command line only parses arguments and prints.
public enum EvalRunner {
    /// Loads the selected benchmarks. With `all`, a benchmark whose folder is absent is skipped
    /// (with where to get it); bad data is always an error.
    public static func load(_ selection: String, data: String, progress: any ProgressObserver = SilentProgress())
        throws -> (loaded: [any LoadedBenchmark], skipped: [SkippedBenchmark]) {
        if selection.lowercased() == "all" {
            // Benchmarks load independently, so on all cores; results keep the catalog order.
            // Optional benchmarks (your own pairs/) join only when their folder exists, first:
            // they are what the run is about when present.
            let selected = BenchmarkCatalog.optionalNames.filter {
                DataFile.isDirectory((data as NSString).appendingPathComponent(BenchmarkCatalog.folder($0)))
            } + BenchmarkCatalog.names
            let outcomes = try Parallel.map(selected) { name -> Result<any LoadedBenchmark, SkippedBenchmark> in
                let path = (data as NSString).appendingPathComponent(BenchmarkCatalog.folder(name))
                guard DataFile.isDirectory(path) else {
                    return .failure(SkippedBenchmark(benchmark: name, reason: "no \(BenchmarkCatalog.folder(name))/ folder in \(data). \(BenchmarkCatalog.whereToGet(name))"))
                }
                do {
                    let loaded = try BenchmarkCatalog.load(name, path: path)
                    progress.report(ProgressEvent(task: "loaded \(name)", completed: loaded.requests.count, total: nil, unit: "responses"))
                    return .success(loaded)
                } catch EvalError.missingDataset(_, _, let whereToGet) {
                    return .failure(SkippedBenchmark(benchmark: name, reason: "no data files in \(path). \(whereToGet)"))
                }
            }
            var loaded: [any LoadedBenchmark] = []
            var skipped: [SkippedBenchmark] = []
            for outcome in outcomes {
                switch outcome {
                case .success(let b): loaded.append(b)
                case .failure(let s): skipped.append(s)
                }
            }
            return (loaded, skipped)
        }
        let name = try BenchmarkCatalog.resolve(selection)
        progress.report(ProgressEvent(task: "loading \(name)", completed: 0, total: 1, unit: "benchmarks"))
        let loaded = try BenchmarkCatalog.load(name, path: try BenchmarkCatalog.dataPath(name, root: data))
        progress.report(ProgressEvent(task: "loading \(name)", completed: 1, total: 1, unit: "benchmarks"))
        return ([loaded], [])
    }

    /// The distinct requests of all loaded benchmarks (a response shared between benchmarks
    /// appears once).
    public static func requests(_ loaded: [any LoadedBenchmark]) -> [ScoreRequest] {
        var set = RequestSet()
        for b in loaded { set.add(contentsOf: b.requests) }
        return set.requests
    }

    /// Writes the request file: one `{"id", "messages"}` line per distinct response.
    public static func writeRequests(_ requests: [ScoreRequest], to path: String) throws {
        var text = ""
        text.reserveCapacity(requests.count * 512)
        for r in requests {
            text += r.jsonLine
            text += "\n"
        }
        try write(text, to: path)
    }

    /// Applies every benchmark's rule.
    public static func evaluate(_ loaded: [any LoadedBenchmark], scores: ScoreTable) throws -> [BenchmarkReport] {
        try loaded.map { try $0.evaluate(scores) }
    }

    static func write(_ text: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EvalError.writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}

/// The outcome of one `synpref eval` run and its three renderings: `results.json`, the
/// terminal summary and `report.html`.
public struct EvalResults: Sendable {
    public static let format = "synpref-eval-results/1"
    public var reports: [BenchmarkReport]
    public var skipped: [SkippedBenchmark]
    public var provenance: ScoreProvenance
    public var statistics: ScoringStatistics
    public var requestCount: Int
    /// The Hugging Face datasets each benchmark was read from, when fetched (empty with `--data`).
    public var datasets: [String: [ResolvedDataset]]

    public init(reports: [BenchmarkReport], skipped: [SkippedBenchmark], provenance: ScoreProvenance,
                statistics: ScoringStatistics, requestCount: Int, datasets: [String: [ResolvedDataset]] = [:]) {
        self.datasets = datasets
        self.reports = reports
        self.skipped = skipped
        self.provenance = provenance
        self.statistics = statistics
        self.requestCount = requestCount
    }

    /// This run's value for each column of the paper's table (nil where not measured).
    public var paperRow: [String: Double] {
        var row: [String: Double] = [:]
        for r in reports {
            for (column, metric) in r.paperColumns { if let v = r.metric(metric) { row[column] = v } }
        }
        return row
    }

    /// Columns whose benchmark data was incomplete (notes were raised).
    public var partialColumns: Set<String> {
        var out: Set<String> = []
        for r in reports { out.formUnion(r.partialColumns) }
        return out
    }

    /// Every metric in one flat object, in percent, for tools that read results.json: the
    /// benchmark's metric names (`double_game.micro`, `easy`, `overall`, …) when one was
    /// evaluated; prefixed with the benchmark (`judgebench.double_game.micro`) when several
    /// were, since names such as `overall` recur across benchmarks.
    public var flatMetrics: [(String, Double?)] {
        let prefixed = reports.count > 1
        return reports.flatMap { r in
            r.metrics.map { (prefixed ? "\(r.benchmark).\($0.name)" : $0.name, $0.value) }
        }
    }

    public var json: JSONValue {
        let benchmarks: [(String, JSONValue)] = reports.map { r in
            (r.benchmark, .object([
                ("title", .string(r.title)),
                ("rule_version", .string(r.ruleVersion)),
                ("data_files", .array(r.dataFiles.map(\.json))),
                ("notes", .array(r.notes.map { .string($0) })),
                ("metrics", .object(JSONObject(r.metrics.map { ($0.name, .optionalNumber($0.value)) }))),
                ("details", r.details),
            ]))
        }
        let row = paperRow
        return .object([
            ("format", .string(EvalResults.format)),
            ("metrics", .object(JSONObject(flatMetrics.map { ($0.0, .optionalNumber($0.1)) }))),
            ("scores", provenance.json),
            ("scoring", statistics.json),
            ("distinct_requests", .integer(requestCount)),
            ("datasets", .object(JSONObject(datasets.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(\.json))) }))),
            ("benchmarks", .object(JSONObject(benchmarks))),
            ("skipped", .array(skipped.map { .object([("benchmark", .string($0.benchmark)), ("reason", .string($0.reason))]) })),
            ("paper_comparison", .object([
                ("source", .string(SkyworkRewardV2Table.source)),
                ("columns", .array(SkyworkRewardV2Table.columns.map { .string($0) })),
                ("this_run", .object(JSONObject(SkyworkRewardV2Table.columns.map { ($0, .optionalNumber(row[$0])) }))),
                ("partial_columns", .array(SkyworkRewardV2Table.columns.filter { partialColumns.contains($0) }.map { .string($0) })),
            ])),
        ])
    }

    /// Writes results.json and report.html into `folder`.
    public func write(to folder: String) throws -> (results: String, report: String) {
        let results = (folder as NSString).appendingPathComponent("results.json")
        let report = (folder as NSString).appendingPathComponent("report.html")
        try EvalRunner.write(json.serialized(indent: 2) + "\n", to: results)
        try EvalRunner.write(HTMLReport.render(self), to: report)
        return (results, report)
    }
}
