/// Token text compared and hashed by its UTF-8 bytes, as the crate's `HashMap<String, u32>`
/// does. Swift's `String` equality is canonical equivalence ("é" == "e\u{301}"), which
/// would merge distinct vocabulary entries and match tokens the crate does not.
struct TokenText: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ string: String) { bytes = Array(string.utf8) }

    init(bytes: [UInt8]) { self.bytes = bytes }

    init<S: Sequence>(scalars: S) where S.Element == UInt32 {
        var out: [UInt8] = []
        out.reserveCapacity(8)
        for c in scalars { appendUTF8(c, to: &out) }
        bytes = out
    }

    var string: String { String(decoding: bytes, as: UTF8.self) }

    static func == (a: TokenText, b: TokenText) -> Bool { a.bytes == b.bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
