/// Where in a data file a row came from: a JSONL line (1-based) or an element of a JSON array
/// (0-based, as `json.load(f)[i]` would index it).
public enum RowLocation: Sendable, Equatable, CustomStringConvertible {
    case line(Int)
    case element(Int)
    /// A Parquet file's row (1-based).
    case row(Int)

    public var description: String {
        switch self {
        case .line(let n): return "line \(n)"
        case .element(let i): return "array element \(i)"
        case .row(let n): return "row \(n)"
        }
    }
}

/// Everything that can go wrong while evaluating. Each message names the file, line/element
/// and field involved and says what to do.
public enum EvalError: Error, CustomStringConvertible, Equatable {
    /// The benchmark's data is not where `--data` points.
    case missingDataset(benchmark: String, path: String, whereToGet: String)
    case unreadable(path: String, reason: String)
    /// Not parseable JSON at all.
    case badJSON(path: String, location: RowLocation?, reason: String)
    /// A row is JSON but a field is missing or of the wrong type.
    case badField(path: String, location: RowLocation, field: String, problem: String)
    /// A row's fields are individually fine but inconsistent with each other or the rule.
    case badRow(path: String, location: RowLocation, problem: String)
    /// The scores do not cover every request.
    case missingScores(benchmark: String, count: Int, examples: [String])
    case badScoresFile(path: String, line: Int, problem: String)
    case conflictingScore(path: String, line: Int, id: String, first: Double, second: Double)
    case unknownBenchmark(name: String, known: [String])
    case writeFailed(path: String, reason: String)
    /// The reward scorer broke its contract (wrong number of scores, a non-finite score).
    case scorer(reason: String)
    /// The benchmark's dataset could not be fetched from the Hugging Face Hub.
    case fetchFailed(benchmark: String, reason: String)

    public var description: String {
        switch self {
        case let .missingDataset(benchmark, path, whereToGet):
            return "\(benchmark): no data at \(path). \(whereToGet)"
        case let .unreadable(path, reason):
            return "\(path): cannot read (\(reason)). Check the path and its permissions."
        case let .badJSON(path, location, reason):
            let at = location.map { ":\($0)" } ?? ""
            return "\(path)\(at): not valid JSON (\(reason)). The file may be truncated or not in the benchmark's published layout."
        case let .badField(path, location, field, problem):
            return "\(path): \(location): field `\(field)`: \(problem). Fix the row or re-export the dataset in its published layout."
        case let .badRow(path, location, problem):
            return "\(path): \(location): \(problem)."
        case let .missingScores(benchmark, count, examples):
            return "\(benchmark): \(count) request(s) have no score (e.g. id \(examples.joined(separator: ", "))). "
                + "Score every line of the request file and give the result as precomputed scores."
        case let .badScoresFile(path, line, problem):
            return "\(path): line \(line): \(problem). Each line must be {\"id\": string, \"score\": number}."
        case let .conflictingScore(path, line, id, first, second):
            return "\(path): line \(line): id \(id) has two different scores (\(first) and \(second)). Keep one line per id."
        case let .unknownBenchmark(name, known):
            return "unknown benchmark `\(name)`; use one of: \(known.joined(separator: ", ")), all."
        case let .writeFailed(path, reason):
            return "\(path): cannot write (\(reason)). Check the output folder and its permissions."
        case let .scorer(reason):
            return "reward scorer: \(reason)."
        case let .fetchFailed(benchmark, reason):
            return "\(benchmark): cannot fetch its dataset from the Hugging Face Hub: \(reason). "
                + "Or pass --data with a local copy (see docs/benchmarks.md)."
        }
    }
}
