import Foundation
import SynprefCore

/// One turn of a conversation (system / user / assistant / tool), with optional reasoning.
public typealias Message = ChatMessage

/// Where a pair stands in curation: in-the-wild pairs start `unverified`;
/// LLM-verified pairs are `silver` (training), human-verified pairs `gold` (validation);
/// pairs that failed verification are `discarded` (and may be recycled flipped).
public enum PreferenceTier: String, Sendable, Codable, CaseIterable, Hashable {
    case unverified, silver, gold, discarded
}

/// A preference pair `(x, y_w, y_l)`: the conversation before the final assistant turn,
/// the chosen and the rejected assistant responses, and what curation knows about it.
public struct PreferencePair: Sendable, Hashable {
    /// The store's row id; nil until the pair is stored.
    public var id: Int64?
    /// `x`: every turn before the response; ends with a user or tool turn.
    public var context: [Message]
    /// `y_w`, an assistant message.
    public var chosen: Message
    /// `y_l`, an assistant message.
    public var rejected: Message
    /// Which dataset the pair came from (e.g. "hh-rlhf/harmless-base").
    public var source: String
    /// How much better `chosen` is, when the source says (TRL / OpenRLHF `margin`).
    public var margin: Double?
    public var attributes: PreferenceAttributes?
    public var tier: PreferenceTier
    /// Every label recorded for this pair, oldest first (filled in by store reads).
    public var labels: [LabelEntry]
    /// Where the pair was read from (`file:line`), for reports; not part of its identity.
    public var origin: String?
    /// Curation found the stored `rejected` response better (its deciding label says so):
    /// training, export and evaluation use `verified()`, the pair the right way round.
    public var verifiedFlipped = false

    public init(
        id: Int64? = nil, context: [Message], chosen: Message, rejected: Message, source: String,
        margin: Double? = nil, attributes: PreferenceAttributes? = nil, tier: PreferenceTier = .unverified,
        labels: [LabelEntry] = [], origin: String? = nil
    ) {
        self.id = id
        self.context = context
        self.chosen = chosen
        self.rejected = rejected
        self.source = source
        self.margin = margin
        self.attributes = attributes
        self.tier = tier
        self.labels = labels
        self.origin = origin
    }

    /// The identity of the pair's content (see `ContentHash`).
    public var contentHash: ContentHash { ContentHash(context: context, chosen: chosen, rejected: rejected) }

    /// The same pair with chosen and rejected swapped (recycling discarded pairs, as in
    /// Skywork-Reward-V2's Stage 2).
    /// A margin keeps its sign convention by changing sign.
    public func flipped() -> PreferencePair {
        var p = self
        p.chosen = rejected
        p.rejected = chosen
        p.margin = margin.map { -$0 }
        return p
    }

    /// The pair in its verified orientation: `flipped()` when curation found the stored
    /// rejected response better, else the pair as stored.
    public func verified() -> PreferencePair {
        guard verifiedFlipped else { return self }
        var p = flipped()
        p.verifiedFlipped = false
        return p
    }

    /// The full conversation ending in the chosen response.
    public var chosenConversation: [Message] { context + [chosen] }
    /// The full conversation ending in the rejected response.
    public var rejectedConversation: [Message] { context + [rejected] }
}

/// The 5-tuple of preference attributes an LLM produces for each pair in the
/// Skywork-Reward-V2 curation pipeline.
public struct PreferenceAttributes: Sendable, Hashable, Codable {
    public enum Objectivity: String, Sendable, Codable, CaseIterable, Hashable {
        /// A verifiably right answer exists.
        case objective
        case subjective
    }

    public enum Controversiality: String, Sendable, Codable, CaseIterable, Hashable {
        case low, medium, high
    }

    /// E.g. "math", "coding", "creative writing", "safety", "advice".
    public var taskCategory: String
    public var objectivity: Objectivity
    public var controversiality: Controversiality
    /// What a user wants from a good response here.
    public var desiredAttributes: String
    /// Instance-specific criteria for deciding the label.
    public var annotationGuideline: String

    public init(
        taskCategory: String, objectivity: Objectivity, controversiality: Controversiality,
        desiredAttributes: String, annotationGuideline: String
    ) {
        self.taskCategory = taskCategory
        self.objectivity = objectivity
        self.controversiality = controversiality
        self.desiredAttributes = desiredAttributes
        self.annotationGuideline = annotationGuideline
    }

    enum CodingKeys: String, CodingKey {
        case taskCategory = "task_category"
        case objectivity, controversiality
        case desiredAttributes = "desired_attributes"
        case annotationGuideline = "annotation_guideline"
    }
}
