/// A preference pair ready for training: the token ids of the chosen and the rejected
/// conversation, and the pair's margin when the data gives one.
public struct TokenPair: Sendable, Hashable, Codable {
    public var chosen: [Int]
    public var rejected: [Int]
    public var margin: Double?

    public init(chosen: [Int], rejected: [Int], margin: Double? = nil) {
        self.chosen = chosen
        self.rejected = rejected
        self.margin = margin
    }

    public var tokenCount: Int { chosen.count + rejected.count }
}
