/// Everything one curation step decided, applied atomically: e.g. an annotator's verdict
/// (label + move to gold), or a Stage-2 round (RM labels + moves to silver/discarded).
public struct CurationBatch: Sendable {
    public var labels: [LabelEntry]
    public var attributes: [(pairID: Int64, attributes: PreferenceAttributes)]
    public var moves: [TierChange]
    /// Who applies the batch (recorded on tier moves and attributes).
    public var actor: String

    public init(labels: [LabelEntry] = [], attributes: [(pairID: Int64, attributes: PreferenceAttributes)] = [], moves: [TierChange] = [], actor: String) {
        self.labels = labels
        self.attributes = attributes
        self.moves = moves
        self.actor = actor
    }
}
