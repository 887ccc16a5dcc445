/// What `CurationLog.apply` recorded.
public struct CurationResult: Sendable, Hashable {
    /// The log ids of the batch's labels, in batch order.
    public var labelIDs: [Int64]
    /// Moves that changed a tier (a move to the tier a pair is already in is not logged).
    public var moved: Int
}
