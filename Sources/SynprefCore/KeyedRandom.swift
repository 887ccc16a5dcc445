/// Deterministic random draws keyed by a seed and a name (e.g. a pair's content hash and a
/// sample index): the same (seed, key) always gives the same sequence, whatever else runs,
/// so a resumed or repeated run makes exactly the same choices (candidate order, simulated
/// annotators' mistakes). SplitMix64 over an FNV-1a hash of the key.
public struct KeyedRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64, key: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ seed
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        state = h
    }

    public mutating func next() -> UInt64 { Self.splitMix64(&state) }

    /// One SplitMix64 step: advances `state` and returns the next output (shared with the
    /// trainer's `SeededGenerator`).
    @inlinable
    public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
