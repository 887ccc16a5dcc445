/// A tier change request inside a `CurationBatch`.
public struct TierChange: Sendable, Hashable {
    public var pairID: Int64
    public var to: PreferenceTier
    /// If set, the move (and the whole batch) fails unless the pair is in this tier now.
    public var expectedFrom: PreferenceTier?
    public var reason: String
    /// The pair's verified orientation from now on, when the move states one: true when the
    /// deciding label prefers the stored `rejected` response (a human who prefers it makes
    /// the pair gold the other way round). Nil leaves it as it is.
    public var flipped: Bool?

    public init(pairID: Int64, to: PreferenceTier, expectedFrom: PreferenceTier? = nil, reason: String, flipped: Bool? = nil) {
        self.pairID = pairID
        self.to = to
        self.expectedFrom = expectedFrom
        self.reason = reason
        self.flipped = flipped
    }
}
