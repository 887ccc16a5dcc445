/// A tier change request inside a `CurationBatch`.
public struct TierChange: Sendable, Hashable {
    public var pairID: Int64
    public var to: PreferenceTier
    /// If set, the move (and the whole batch) fails unless the pair is in this tier now.
    public var expectedFrom: PreferenceTier?
    public var reason: String

    public init(pairID: Int64, to: PreferenceTier, expectedFrom: PreferenceTier? = nil, reason: String) {
        self.pairID = pairID
        self.to = to
        self.expectedFrom = expectedFrom
        self.reason = reason
    }
}
