/// Why a `ScoringService` refused work (input errors come as `TextFrontEndError` and
/// `ModelError`, which name the conversation or position that is wrong).
public enum ScoringError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The model has more than one logit per sequence; a reward needs exactly one.
    case notARewardModel(labels: Int)
    /// The service was shut down before or while the request waited.
    case shutDown

    public var description: String {
        switch self {
        case .notARewardModel(let labels):
            return "this model has \(labels) output labels; a Bradley-Terry reward model has one (num_labels = 1)"
        case .shutDown:
            return "the scoring service was shut down before this request was scored"
        }
    }
}
