/// Which tasks a claim may take, beyond those the worker may take at all.
public struct ClaimFilter: Sendable, Hashable {
    /// Only tasks about one of these pairs (nil: any task, with or without a pair).
    public var pairIDs: [Int64]?
    /// Only tasks of one of these kinds (nil: any kind).
    public var kinds: [String]?

    public init(pairIDs: [Int64]? = nil, kinds: [String]? = nil) {
        self.pairIDs = pairIDs
        self.kinds = kinds
    }

    /// Every task.
    public static let any = ClaimFilter()
}
