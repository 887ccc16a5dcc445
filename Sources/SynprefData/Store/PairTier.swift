/// Where a stored pair stands: its tier and its verified orientation (`flipped`: the deciding
/// label prefers the stored rejected response). What decisions and agreement need, without
/// the pair's texts.
public struct PairTier: Sendable, Hashable {
    public var tier: PreferenceTier
    public var flipped: Bool

    public init(tier: PreferenceTier, flipped: Bool) {
        self.tier = tier
        self.flipped = flipped
    }
}
