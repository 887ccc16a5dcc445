#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string compared and hashed by its UTF-8 bytes (code points), the one byte-wise string
/// equality of the code base.
///
/// Swift's `String ==` and `Hashable` use Unicode canonical equivalence: `"e\u{301}"`
/// equals `"é"`, and `"\u{212A}"` (KELVIN SIGN) equals `"K"`; and for non-ASCII text they
/// normalise first, which costs more than hashing the bytes. JSON keys (like Python's
/// `dict` keys), content hashes and request ids all tell texts apart by bytes, so JSON
/// objects, pair identity and request sets compare through this type.
public struct ExactText: Hashable, Sendable {
    public let text: String

    public init(_ text: String) {
        var t = text
        t.makeContiguousUTF8()
        self.text = t
    }

    public static func == (a: ExactText, b: ExactText) -> Bool { same(a.text, b.text) }

    public func hash(into hasher: inout Hasher) {
        var t = text
        t.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Whether `a` and `b` have the same UTF-8 bytes.
    @inline(__always)
    public static func same(_ a: String, _ b: String) -> Bool {
        var x = a, y = b
        return x.withUTF8 { p in
            y.withUTF8 { q in
                p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0)
            }
        }
    }

    /// The same for optional texts (nil equals only nil).
    public static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return same(x, y)
        default: return false
        }
    }
}
