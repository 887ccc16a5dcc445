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

/// Id → token string of a model vocabulary (dense array when ids are dense).
struct TokenStrings: Sendable {
    private var dense: [String?] = []
    private var sparse: [Int32: String] = [:]

    init(_ pairs: [(String, Int32)]) {
        let maxID = pairs.map(\.1).max() ?? -1
        if Int(maxID) < pairs.count * 4 + 1024 {
            dense = [String?](repeating: nil, count: Int(maxID) + 1)
            for (token, id) in pairs { dense[Int(id)] = token }
        } else {
            for (token, id) in pairs { sparse[id] = token }
        }
    }

    subscript(id: Int32) -> String? {
        if !dense.isEmpty { return id >= 0 && Int(id) < dense.count ? dense[Int(id)] : nil }
        return sparse[id]
    }
}
