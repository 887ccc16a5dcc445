import SynprefData

/// What the k answers to a pair decide: the same preference from everyone makes the pair
/// gold in that orientation; a tie from everyone discards it (it carries no preference);
/// anything else (a disagreement, or someone who could not determine it) goes to a reviewer,
/// whose decision is final.
public enum HumanConsensus: Sendable, Equatable {
    case gold(flipped: Bool)
    case discard(reason: String)
    case review(reason: String)

    public static func decide(_ labels: [PreferenceLabel]) -> HumanConsensus {
        guard let first = labels.first else { return .review(reason: "no answer") }
        if labels.allSatisfy({ $0 == first }) {
            switch first {
            case .chosen: return .gold(flipped: false)
            case .rejected: return .gold(flipped: true)
            case .tie: return .discard(reason: "the annotators judged a tie")
            case .undetermined: return .review(reason: "no annotator could determine the preference")
            }
        }
        if labels.contains(.undetermined) { return .review(reason: "an annotator could not determine the preference") }
        return .review(reason: "the annotators disagree")
    }
}
