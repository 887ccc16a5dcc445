import SynprefCore

/// Byte-for-byte equality of messages (see `ExactText`). Pair identity is the content
/// hash, which sees bytes, so shared-prefix splitting and the chosen ≠ rejected check
/// compare bytes too.
enum ByteEquality {
    static func same(_ a: String, _ b: String) -> Bool { ExactText.same(a, b) }

    static func same(_ a: String?, _ b: String?) -> Bool { ExactText.same(a, b) }

    static func same(_ a: Message, _ b: Message) -> Bool {
        a.role == b.role && ExactText.same(a.content, b.content) && ExactText.same(a.reasoningContent, b.reasoningContent)
    }

    static func same(_ a: [Message], _ b: [Message]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
    }
}
