/// An object key compared and hashed by its UTF-8 bytes.
///
/// JSON (like Python's `dict`) tells keys apart by code points: `"e\u0301"` and `"é"` are
/// two different keys. Swift's `String ==` uses Unicode canonical equivalence and would
/// merge them (and e.g. `"\u212A"`, KELVIN SIGN, with `"K"`), so `JSONObject` and the
/// parser compare keys through this type instead.
struct JSONKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (a: JSONKey, b: JSONKey) -> Bool { JSONKey.bytesEqual(a.string, b.string) }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte-wise (code-point) equality of two strings.
    @inline(__always)
    static func bytesEqual(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
    }
}
