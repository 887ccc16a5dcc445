/// Scores by request id: what every scoring rule reads.
public struct ScoreTable: Sendable {
    public private(set) var scores: [String: Double]

    public init(_ scores: [String: Double] = [:]) { self.scores = scores }

    public subscript(id: String) -> Double? {
        get { scores[id] }
        set { scores[id] = newValue }
    }

    public var count: Int { scores.count }

    /// The score of `id`; a missing score is a programming or input error reported by name.
    public func score(_ id: String, benchmark: String) throws -> Double {
        guard let s = scores[id] else { throw EvalError.missingScores(benchmark: benchmark, count: 1, examples: [id]) }
        return s
    }

    /// Throws one error listing every request of `requests` without a score.
    public func checkCovers(_ requests: [ScoreRequest], benchmark: String) throws {
        var missing: [String] = []
        var count = 0
        for r in requests where scores[r.id] == nil {
            count += 1
            if missing.count < 3 { missing.append(r.id) }
        }
        if count > 0 { throw EvalError.missingScores(benchmark: benchmark, count: count, examples: missing) }
    }
}
