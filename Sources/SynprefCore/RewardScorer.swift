/// Conversations in, one scalar reward per conversation out.
///
/// The seam that lets evaluation and curation run on the local engine (default) or on a
/// remote scorer (a vLLM `/classify` endpoint, OpenRLHF's `/get_reward`, Synpref's server).
public protocol RewardScorer: Sendable {
    /// A stable identity of the scoring function (weights + text front end). Score caches
    /// are keyed by it, so two scorers with the same fingerprint must give the same scores.
    var fingerprint: String { get }

    /// Scores each conversation; the last turn is the assistant response being judged.
    func score(conversations: [[ChatMessage]]) async throws -> [Float]
}
