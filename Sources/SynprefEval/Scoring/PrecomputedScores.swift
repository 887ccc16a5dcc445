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

    public init(path: String) throws {
        let raw: Data
        do { raw = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EvalError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        self.path = path
        var table: [String: Double] = [:]
        try LineReader.forEachLine(in: raw) { lineNumber, line in
            let parsed = try PrecomputedScores.entry([UInt8](line), path: path, line: lineNumber)
            if let previous = table[parsed.id], previous != parsed.score {
                throw EvalError.conflictingScore(path: path, line: lineNumber, id: parsed.id, first: previous, second: parsed.score)
            }
            table[parsed.id] = parsed.score
        }
        self.table = ScoreTable(table)
        self.provenance = ScoreProvenance(kind: .scoresFile, identity: path, sha256: DataFile.sha256(raw))
    }

    /// `{"id": string, "score": finite number}` with the problem named.
    private static func entry(_ bytes: [UInt8], path: String, line: Int) throws(EvalError) -> (id: String, score: Double) {
        func bad(_ problem: String) -> EvalError { .badScoresFile(path: path, line: line, problem: problem) }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw bad("not valid JSON (\(error.reasonDescription) at column \(error.column))")
        }
        guard let o = value.objectValue else { throw bad("the line must be an object, found \(value.kindName)") }
        guard let idValue = o["id"] else { throw bad("field `id` is missing") }
        guard let id = idValue.stringValue else { throw bad("`id` must be a string, found \(idValue.kindName)") }
        guard let scoreValue = o["score"] else { throw bad("field `score` is missing") }
        guard let score = scoreValue.doubleValue else { throw bad("`score` must be a number, found \(scoreValue.kindName)") }
        guard score.isFinite else { throw bad("score is not a finite number") }
        return (id, score)
    }

    public func scores(for requests: [ScoreRequest], progress: any ProgressObserver) async throws -> ScoringOutcome {
        var stats = ScoringStatistics()
        stats.requested = requests.count
        return ScoringOutcome(table: table, statistics: stats)
    }
}
