/// A preference pair ready for training: the token ids of the chosen and the rejected
/// conversation, their token type ids when the model reads them (BERT's text-pair layout),
/// and the pair's margin when the data gives one.
public struct TokenPair: Sendable, Hashable, Codable {
    public var chosen: [Int]
    public var rejected: [Int]
    public var margin: Double?
    /// Token type ids (one per id) of `chosen` / `rejected`; nil means all zeros.
    public var chosenTypes: [Int]?
    public var rejectedTypes: [Int]?

    public init(chosen: [Int], rejected: [Int], margin: Double? = nil, chosenTypes: [Int]? = nil, rejectedTypes: [Int]? = nil) {
        self.chosen = chosen
        self.rejected = rejected
        self.margin = margin
        self.chosenTypes = chosenTypes
        self.rejectedTypes = rejectedTypes
    }

    public var tokenCount: Int { chosen.count + rejected.count }

    /// Whether either side has token types that are not all zeros.
    var hasTokenTypes: Bool {
        (chosenTypes?.contains { $0 != 0 } ?? false) || (rejectedTypes?.contains { $0 != 0 } ?? false)
    }
}

extension Array where Element == TokenPair {
    /// Chosen then rejected sequences, each pair in turn ([c0, r0, c1, r1, …]), with their
    /// token types when any pair has some (else nil).
    func interleavedSequences() -> (ids: [[Int]], types: [[Int]]?) {
        let ids = flatMap { [$0.chosen, $0.rejected] }
        guard contains(where: \.hasTokenTypes) else { return (ids, nil) }
        let types = flatMap { p in
            [p.chosenTypes ?? [Int](repeating: 0, count: p.chosen.count), p.rejectedTypes ?? [Int](repeating: 0, count: p.rejected.count)]
        }
        return (ids, types)
    }

    /// All chosen sequences, then all rejected ones (a micro-batch's layout), with types.
    func chosenThenRejected() -> (ids: [[Int]], types: [[Int]]?) {
        let ids = map(\.chosen) + map(\.rejected)
        guard contains(where: \.hasTokenTypes) else { return (ids, nil) }
        let types = map { $0.chosenTypes ?? [Int](repeating: 0, count: $0.chosen.count) }
            + map { $0.rejectedTypes ?? [Int](repeating: 0, count: $0.rejected.count) }
        return (ids, types)
    }
}
