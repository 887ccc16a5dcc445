import Foundation

/// An `application/x-www-form-urlencoded` body (or query string): `name=value` pairs joined
/// by `&`, `+` for spaces, `%XX` escapes. Invalid escapes are kept as written.
struct FormBody: Sendable {
    private(set) var fields: [(String, String)] = []

    init(_ text: String) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields.append((Self.decode(kv[0]), kv.count > 1 ? Self.decode(kv[1]) : ""))
        }
    }

    /// The first value of `name`.
    subscript(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }

    static func decode(_ s: Substring) -> String {
        let plus = s.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }

    /// Percent-encodes a value for a URL query or path segment.
    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
