/// A set of Unicode scalar values stored as sorted inclusive ranges, with a bitmap for
/// the first 256 code points (most lookups in real text).
struct ScalarSet: Sendable {
    private(set) var starts: [UInt32] = []
    private(set) var ends: [UInt32] = []
    private var latin1: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// Builds the set from possibly unsorted, overlapping ranges.
    init<S: Sequence>(ranges: S) where S.Element == ClosedRange<UInt32> {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        for r in sorted {
            if let last = ends.last, r.lowerBound <= last &+ 1 {
                if r.upperBound > last { ends[ends.count - 1] = r.upperBound }
            } else {
                starts.append(r.lowerBound)
                ends.append(r.upperBound)
            }
        }
        var bits: [UInt64] = [0, 0, 0, 0]
        for (a, b) in zip(starts, ends) where a < 256 {
            for c in a...Swift.min(b, 255) { bits[Int(c >> 6)] |= 1 << UInt64(c & 63) }
        }
        latin1 = (bits[0], bits[1], bits[2], bits[3])
    }

    /// Parses the `a-b c d-e` hexadecimal range lists of `ReferenceUnicodeData`.
    init(hexRanges text: String) {
        var ranges: [ClosedRange<UInt32>] = []
        for item in text.split(separator: " ") {
            if let dash = item.firstIndex(of: "-") {
                let a = UInt32(item[..<dash], radix: 16) ?? 0
                let b = UInt32(item[item.index(after: dash)...], radix: 16) ?? 0
                ranges.append(a...b)
            } else if let a = UInt32(item, radix: 16) {
                ranges.append(a...a)
            }
        }
        self.init(ranges: ranges)
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 256 {
            let word: UInt64
            switch c >> 6 {
            case 0: word = latin1.0
            case 1: word = latin1.1
            case 2: word = latin1.2
            default: word = latin1.3
            }
            return word & (1 << UInt64(c & 63)) != 0
        }
        // Binary search for the last range starting at or before c.
        var lo = 0
        var hi = starts.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if starts[mid] <= c { lo = mid + 1 } else { hi = mid }
        }
        return lo > 0 && c <= ends[lo - 1]
    }

    var ranges: [ClosedRange<UInt32>] { zip(starts, ends).map { $0...$1 } }

    func union(_ other: ScalarSet) -> ScalarSet { ScalarSet(ranges: ranges + other.ranges) }

    /// The complement within 0...0x10FFFF.
    func inverted() -> ScalarSet {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for (a, b) in zip(starts, ends) {
            if a > next { out.append(next...(a - 1)) }
            next = b &+ 1
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return ScalarSet(ranges: out)
    }
}
