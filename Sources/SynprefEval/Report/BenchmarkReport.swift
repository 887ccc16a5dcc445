import SynprefCore
import Foundation

/// One named number of a result, in percent (`double_game.micro`, `easy`, `correctness.bon@8`).
public struct Metric: Sendable, Equatable {
    public var name: String
    public var value: Double

    public init(_ name: String, _ value: Double) {
        self.name = name
        self.value = value
    }
}

/// A table for the terminal and the HTML report.
public struct ReportTable: Sendable, Equatable {
    public var title: String
    public var columns: [String]
    public var rows: [[String]]

    public init(title: String, columns: [String], rows: [[String]]) {
        self.title = title
        self.columns = columns
        self.rows = rows
    }
}

/// A matrix of percentages drawn as a heatmap (RM-Bench's chosen-style × rejected-style).
public struct Heatmap: Sendable, Equatable {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var values: [[Double]]
}

/// Curves drawn as an SVG line chart (best-of-K).
public struct CurvePlot: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }

        public static func == (a: Series, b: Series) -> Bool {
            a.name == b.name && a.points.count == b.points.count
                && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
        }
    }
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }
}

/// Everything one benchmark reports: flat metrics (percent), the number that goes in the
/// paper's table, machine-readable details, and what the HTML report draws.
public struct BenchmarkReport: Sendable {
    public var benchmark: String
    public var title: String
    public var ruleVersion: String
    public var dataFiles: [DataFileRecord]
    /// Caveats a reader must see next to the numbers (missing domains or files, …).
    public var notes: [String]
    public var metrics: [Metric]
    /// Metric names standing for the paper's columns, e.g. ["RM-Bench": "overall"].
    public var paperColumns: [(column: String, metric: String)]
    public var details: JSONValue
    public var tables: [ReportTable]
    public var heatmaps: [Heatmap] = []
    public var curves: [CurvePlot] = []
    /// Paper columns whose number rests on incomplete data; nil means all of this report's
    /// columns whenever it has notes.
    public var incompleteColumns: [String]? = nil

    /// The paper columns to mark as not comparable.
    public var partialColumns: [String] {
        incompleteColumns ?? (notes.isEmpty ? [] : paperColumns.map(\.column))
    }

    public func metric(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
}

/// A benchmark's data loaded and ready: what to score, and the rule that turns scores into
/// numbers.
public protocol LoadedBenchmark: Sendable {
    /// The catalog name (`judgebench`, `rm-bench`, …).
    var name: String { get }
    var dataFiles: [DataFileRecord] { get }
    /// Distinct (conversation, response) pairs to score.
    var requests: [ScoreRequest] { get }
    func evaluate(_ scores: ScoreTable) throws -> BenchmarkReport
}

/// Formatting shared by the tables.
enum Format {
    static func percent(_ fraction: Double?) -> String {
        guard let f = fraction, f.isFinite else { return "—" }
        return String(format: "%.2f", f * 100)
    }

    static func value(_ v: Double?, digits: Int = 2) -> String {
        guard let v, v.isFinite else { return "—" }
        return String(format: "%.\(digits)f", v)
    }
}
