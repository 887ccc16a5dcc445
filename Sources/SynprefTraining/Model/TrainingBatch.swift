import SynprefTensor

/// A packed micro-batch of token sequences (chosen and rejected responses of some pairs),
/// validated against the model: every id inside the vocabulary, lengths within limits.
public struct TrainingBatch: Sendable {
    /// All tokens, sequence after sequence.
    public let ids: [Int]
    /// BERT token types (zeros when absent).
    public let tokenTypes: [Int]
    public let sequences: PackedSequences

    public init(sequences seqs: [[Int]], tokenTypes types: [[Int]]? = nil) {
        var ids: [Int] = [], tt: [Int] = []
        let total = seqs.reduce(0) { $0 + $1.count }
        ids.reserveCapacity(total)
        tt.reserveCapacity(total)
        for (i, s) in seqs.enumerated() {
            ids += s
            tt += types?[i] ?? [Int](repeating: 0, count: s.count)
        }
        self.ids = ids
        self.tokenTypes = tt
        self.sequences = PackedSequences(lengths: seqs.map(\.count))
    }

    public var tokenCount: Int { ids.count }
    public var count: Int { sequences.count }

    /// The tokens of sequence `s`.
    public func tokens(_ s: Int) -> ArraySlice<Int> { ids[sequences.range(s)] }
}
