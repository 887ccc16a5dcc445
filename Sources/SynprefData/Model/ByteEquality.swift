#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-for-byte equality of texts and messages.
///
/// Swift's `==` on strings is canonical equivalence ("é" precomposed equals "e" + combining
/// accent) and takes a slow path for non-ASCII text. Pair identity is the content hash,
/// which sees bytes, so shared-prefix splitting and the chosen ≠ rejected check compare
/// bytes too.
enum ByteEquality {
    static func same(_ a: String, _ b: String) -> Bool {
        var x = a
        var y = b
        return x.withUTF8 { xa in
            y.withUTF8 { yb in
                guard xa.count == yb.count else { return false }
                guard let p = xa.baseAddress, let q = yb.baseAddress else { return true }
                return memcmp(p, q, xa.count) == 0
            }
        }
    }

    static func same(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return same(x, y)
        default: return false
        }
    }

    static func same(_ a: Message, _ b: Message) -> Bool {
        a.role == b.role && same(a.content, b.content) && same(a.reasoningContent, b.reasoningContent)
    }

    static func same(_ a: [Message], _ b: [Message]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
    }
}
