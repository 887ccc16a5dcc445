/// What `PairStore.insert` did with one input pair.
public enum InsertOutcome: Sendable, Hashable {
    case inserted(id: Int64)
    /// Already stored (same content hash) as pair `id`, from `source`, by import `importID`.
    case existing(id: Int64, source: String, importID: String?)
}
