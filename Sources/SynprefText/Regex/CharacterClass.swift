/// A set of scalars a regex position may match: explicit ranges plus whole general
/// categories (looked up in the Oniguruma-derived table), optionally negated.
struct CharacterClass: Sendable {
    var ranges: ScalarSet
    var categories: UInt32
    var negated: Bool
    /// Membership of the 128 ASCII scalars, precomputed (the common case).
    private var ascii: (UInt64, UInt64) = (0, 0)

    init(ranges: ScalarSet = ScalarSet(), categories: UInt32 = 0, negated: Bool = false) {
        self.ranges = ranges
        self.categories = categories
        self.negated = negated
        var bits: (UInt64, UInt64) = (0, 0)
        for c in UInt32(0)..<128 where slowContains(c) {
            if c < 64 { bits.0 |= 1 << UInt64(c) } else { bits.1 |= 1 << UInt64(c - 64) }
        }
        ascii = bits
    }

    static func scalar(_ c: UInt32) -> CharacterClass { CharacterClass(ranges: ScalarSet(ranges: [c...c])) }

    private func slowContains(_ c: UInt32) -> Bool {
        var hit = ranges.contains(c)
        if !hit && categories != 0 { hit = categories & UnicodeData.shared.categoryBit(c) != 0 }
        return hit != negated
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return ascii.0 & (1 << UInt64(c)) != 0 }
        if c < 128 { return ascii.1 & (1 << UInt64(c - 64)) != 0 }
        return slowContains(c)
    }

    /// The class as a plain union (no negation flag) if it can be expressed without one;
    /// used to put a negated class inside another class.
    func flattened() -> (ranges: ScalarSet, categories: UInt32) {
        if !negated { return (ranges, categories) }
        // Complement: every category not listed, minus the explicit ranges, which are only
        // exact when the class has no categories.
        if categories == 0 { return (ranges.inverted(), 0) }
        if ranges.starts.isEmpty { return (ScalarSet(), ~categories & CharacterClass.allCategories) }
        // Mixed negated classes: enumerate the complement (costly but rare).
        var out: [ClosedRange<UInt32>] = []
        var runStart: UInt32? = nil
        for c in UInt32(0)...0x10FFFF {
            if slowContains(c) {
                if runStart == nil { runStart = c }
            } else if let s = runStart {
                out.append(s...(c - 1))
                runStart = nil
            }
        }
        if let s = runStart { out.append(s...0x10FFFF) }
        return (ScalarSet(ranges: out), 0)
    }

    static let allCategories: UInt32 = (1 << UInt32(GeneralCategory.allCases.count)) - 1
}
