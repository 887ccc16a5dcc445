/// Everything one curation step decided, applied atomically: e.g. an annotator's verdict
/// (label + move to gold), or a Stage-2 round (RM labels + moves to silver/discarded).
public struct CurationBatch: Sendable {
    public var labels: [LabelEntry]
    public var attributes: [(pairID: Int64, attributes: PreferenceAttributes)]
    public var moves: [TierChange]
    /// Work-queue claims completed with the batch: if the worker no longer holds any of
    /// them, nothing of the batch is applied (`StoreError.leaseLost`).
    public var completions: [TaskCompletion]
    /// Who applies the batch (recorded on tier moves and attributes).
    public var actor: String

    public init(labels: [LabelEntry] = [], attributes: [(pairID: Int64, attributes: PreferenceAttributes)] = [], moves: [TierChange] = [],
                completions: [TaskCompletion] = [], actor: String) {
        self.labels = labels
        self.attributes = attributes
        self.moves = moves
        self.completions = completions
        self.actor = actor
    }
}
