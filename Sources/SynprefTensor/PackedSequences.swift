/// Many sequences concatenated along the token axis (no padding): sequence `s` owns rows
/// offsets[s] ..< offsets[s+1] of every [tokens, ...] activation.
public struct PackedSequences: Sendable, Equatable {
    /// [count + 1], offsets[0] == 0, non-decreasing.
    public let offsets: [Int]

    public init(lengths: [Int]) {
        var o = [0]
        o.reserveCapacity(lengths.count + 1)
        for l in lengths {
            precondition(l >= 0, "negative sequence length")
            o.append(o[o.count - 1] + l)
        }
        offsets = o
    }

    public var count: Int { offsets.count - 1 }
    public var totalTokens: Int { offsets[offsets.count - 1] }
    public func length(_ s: Int) -> Int { offsets[s + 1] - offsets[s] }
    public func range(_ s: Int) -> Range<Int> { offsets[s]..<offsets[s + 1] }

    /// Position of every token inside its own sequence: [totalTokens].
    public var positions: [Int] {
        var p = [Int]()
        p.reserveCapacity(totalTokens)
        for s in 0..<count { p.append(contentsOf: 0..<length(s)) }
        return p
    }
}
