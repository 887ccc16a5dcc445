import SynprefCore

/// Where scores came from, recorded in `results.json`: a model fingerprint, or the path and
/// SHA-256 of a precomputed scores file.
public struct ScoreProvenance: Sendable, Equatable {
    public enum Kind: String, Sendable { case model, scoresFile = "scores-file" }
    public var kind: Kind
    /// The model fingerprint, or the scores file path.
    public var identity: String
    /// SHA-256 of the scores file (nil for a model).
    public var sha256: String?

    public init(kind: Kind, identity: String, sha256: String? = nil) {
        self.kind = kind
        self.identity = identity
        self.sha256 = sha256
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("kind", .string(kind.rawValue))]
        switch kind {
        case .model: pairs.append(("fingerprint", .string(identity)))
        case .scoresFile: pairs.append(("path", .string(identity)))
        }
        if let sha256 { pairs.append(("sha256", .string(sha256))) }
        return .object(JSONObject(pairs))
    }
}

/// How a scoring pass went: the numbers a user wants after `--model` (throughput, cache use).
public struct ScoringStatistics: Sendable, Equatable {
    public var requested = 0
    public var cacheHits = 0
    public var scored = 0
    /// Tokens fed to the model, when the scorer can count them.
    public var tokens: Int?
    public var seconds = 0.0

    public init() {}

    public var cacheHitRate: Double { requested == 0 ? 0 : Double(cacheHits) / Double(requested) }
    public var responsesPerSecond: Double? { seconds > 0 && scored > 0 ? Double(scored) / seconds : nil }
    public var tokensPerSecond: Double? {
        guard let tokens, seconds > 0, scored > 0 else { return nil }
        return Double(tokens) / seconds
    }

    public var json: JSONValue {
        .object([
            ("requested", .integer(requested)), ("cache_hits", .integer(cacheHits)), ("scored", .integer(scored)),
            ("cache_hit_rate", .double(cacheHitRate)), ("tokens", tokens.map { .integer($0) } ?? .null),
            ("seconds", .double(seconds)), ("responses_per_second", .optionalNumber(responsesPerSecond)),
            ("tokens_per_second", .optionalNumber(tokensPerSecond)),
        ])
    }
}

/// Scores and how they were obtained.
public struct ScoringOutcome: Sendable {
    public var table: ScoreTable
    public var statistics: ScoringStatistics
}

/// Gives a score to every request: a precomputed file (`--scores`) or a local model.
public protocol ScoreSource: Sendable {
    var provenance: ScoreProvenance { get }
    func scores(for requests: [ScoreRequest], progress: any ProgressObserver) async throws -> ScoringOutcome
}
