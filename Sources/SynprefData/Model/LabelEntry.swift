import Foundation

/// Who or what produced a label: a human annotator, an LLM judge, or a reward model.
public struct Labeler: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case human
        case llmJudge = "llm_judge"
        case rewardModel = "reward_model"
    }

    public var kind: Kind
    /// Annotator id, judge model name, or reward-model fingerprint.
    public var id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func human(_ id: String) -> Labeler { Labeler(kind: .human, id: id) }
    public static func llmJudge(_ id: String) -> Labeler { Labeler(kind: .llmJudge, id: id) }
    public static func rewardModel(_ id: String) -> Labeler { Labeler(kind: .rewardModel, id: id) }

    public var description: String { "\(kind.rawValue):\(id)" }
}

/// A verdict on a stored pair, relative to its stored orientation.
public enum PreferenceLabel: String, Sendable, Hashable, CaseIterable, Codable {
    /// The stored `chosen` is better: the original label is confirmed.
    case chosen
    /// The stored `rejected` is better: the original label is wrong.
    case rejected
    /// Both are equally good or bad.
    case tie
    /// The preference cannot be determined (the human protocol discards such pairs).
    case undetermined
}

/// One entry of a pair's append-only label log.
public struct LabelEntry: Sendable, Hashable {
    /// The log row id; nil before it is recorded.
    public var id: Int64?
    public var pairID: Int64
    public var labeler: Labeler
    public var label: PreferenceLabel
    /// The labeller's confidence that `label` is right, e.g. `p = σ(r_w − r_l)` of a reward model.
    public var confidence: Double?
    public var rationale: String?
    /// When it was recorded (set by the store).
    public var createdAt: Date?

    public init(
        id: Int64? = nil, pairID: Int64, labeler: Labeler, label: PreferenceLabel, confidence: Double? = nil,
        rationale: String? = nil, createdAt: Date? = nil
    ) {
        self.id = id
        self.pairID = pairID
        self.labeler = labeler
        self.label = label
        self.confidence = confidence
        self.rationale = rationale
        self.createdAt = createdAt
    }
}

/// One entry of the tier-move log: a pair changed pools, why, and on whose authority.
public struct TierMove: Sendable, Hashable {
    public var id: Int64?
    public var pairID: Int64
    public var from: PreferenceTier
    public var to: PreferenceTier
    public var reason: String
    public var actor: String
    public var createdAt: Date?

    public init(
        id: Int64? = nil, pairID: Int64, from: PreferenceTier, to: PreferenceTier, reason: String, actor: String,
        createdAt: Date? = nil
    ) {
        self.id = id
        self.pairID = pairID
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
        self.createdAt = createdAt
    }
}
