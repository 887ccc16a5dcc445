import Foundation
import SynprefCore

/// Scores computed elsewhere (a GPU server, another framework): JSON lines
/// `{"id": string, "score": number}` answering a request file written by the evaluation runner.
/// Extra ids are fine (one scores file can serve several benchmarks); an id listed twice must
/// carry the same score.
public struct PrecomputedScores: ScoreSource {
    public let path: String
    public let table: ScoreTable
    public let provenance: ScoreProvenance

    private struct Line: Decodable {
        var id: String
        var score: Double
    }

    public init(path: String) throws {
        let raw: Data
        do { raw = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EvalError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        self.path = path
        var table: [String: Double] = [:]
        let decoder = JSONDecoder()
        var lineNumber = 0
        var start = raw.startIndex
        while start < raw.endIndex {
            let end = raw[start...].firstIndex(of: 0x0A) ?? raw.endIndex
            lineNumber += 1
            let line = raw[start..<end]
            start = end < raw.endIndex ? raw.index(after: end) : end
            if LineReader.isBlank(line) { continue }
            let parsed: Line
            do { parsed = try decoder.decode(Line.self, from: line) } catch let error as DecodingError {
                throw EvalError.badScoresFile(path: path, line: lineNumber, problem: PrecomputedScores.explain(error))
            } catch {
                throw EvalError.badScoresFile(path: path, line: lineNumber, problem: "\(error)")
            }
            guard parsed.score.isFinite else {
                throw EvalError.badScoresFile(path: path, line: lineNumber, problem: "score is not a finite number")
            }
            if let previous = table[parsed.id], previous != parsed.score {
                throw EvalError.conflictingScore(path: path, line: lineNumber, id: parsed.id, first: previous, second: parsed.score)
            }
            table[parsed.id] = parsed.score
        }
        self.table = ScoreTable(table)
        self.provenance = ScoreProvenance(kind: .scoresFile, identity: path, sha256: DataFile.sha256(raw))
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "field `\(key.stringValue)` is missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            let field = c.codingPath.last?.stringValue ?? "(line)"
            return field == "score" ? "`score` must be a number" : "`\(field)` has the wrong type"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "not valid JSON"
        }
    }

    public func scores(for requests: [ScoreRequest], progress: any ProgressObserver) async throws -> ScoringOutcome {
        var stats = ScoringStatistics()
        stats.requested = requests.count
        return ScoringOutcome(table: table, statistics: stats)
    }
}
