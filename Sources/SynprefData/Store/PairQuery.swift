/// Which pairs `PairStore.pairs(_:)` returns.
public struct PairQuery: Sendable, Hashable {
    public var tier: PreferenceTier?
    public var source: String?
    /// Only pairs with a larger id (keyset paging: pass the last id of the previous page).
    public var afterID: Int64
    public var limit: Int
    public var includeContaminated: Bool

    public init(tier: PreferenceTier? = nil, source: String? = nil, afterID: Int64 = 0, limit: Int = 1000, includeContaminated: Bool = false) {
        self.tier = tier
        self.source = source
        self.afterID = afterID
        self.limit = limit
        self.includeContaminated = includeContaminated
    }
}
