import SynprefCore

/// Reading messages and fields out of parsed records (through `ConversationCodec`, with
/// the dataset rules), with issues that name the field.
enum JSONMessages {
    // Field paths are autoclosures: they are only built when a problem is reported, which
    // keeps string building off the hot path of valid records.

    static func object(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> JSONObject {
        try ConversationCodec.object(v, field: field())
    }

    static func member(_ o: JSONObject, _ key: String, _ field: @autoclosure () -> String) throws(FieldIssue) -> JSONValue {
        try ConversationCodec.member(o, key, field: field())
    }

    static func string(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> String {
        try ConversationCodec.string(v, field: field())
    }

    static func optionalNumber(_ o: JSONObject, _ key: String) throws(FieldIssue) -> Double? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let d = v.doubleValue else { throw FieldIssue(key, "expected a number, found \(v.kindName)") }
        return d
    }

    static func content(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> String {
        try ConversationCodec.content(v, field: field(), rules: .dataset)
    }

    static func role(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> ChatRole {
        try ConversationCodec.role(v, field: field(), rules: .dataset)
    }

    static func message(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> Message {
        try ConversationCodec.message(v, field: field(), rules: .dataset)
    }

    static func messages(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> [Message] {
        try ConversationCodec.messages(v, field: field(), rules: .dataset)
    }

    /// A response given as a string (an assistant turn) or as a list holding exactly one
    /// assistant message (TRL's conversational explicit-prompt layout).
    static func response(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> Message {
        switch v {
        case .string(let s): return Message(role: .assistant, content: s)
        case .array:
            let ms = try messages(v, field())
            guard ms.count == 1 else {
                throw FieldIssue(field(), "expected exactly one assistant message, found \(ms.count) messages")
            }
            return ms[0]
        case .object: return try message(v, field())
        case .null: throw FieldIssue(field(), "is null; expected a response")
        default: throw FieldIssue(field(), "expected a string or a message list, found \(v.kindName)")
        }
    }

    /// A prompt given as a string (one user turn) or as a list of messages.
    static func prompt(_ v: JSONValue, _ field: @autoclosure () -> String) throws(FieldIssue) -> [Message] {
        switch v {
        case .string(let s): return [Message(role: .user, content: s)]
        case .array: return try messages(v, field())
        case .null: throw FieldIssue(field(), "is null; expected a prompt")
        default: throw FieldIssue(field(), "expected a string or a message list, found \(v.kindName)")
        }
    }

    /// Splits two full conversations that share their history into (context, chosen,
    /// rejected): the context is the longest common prefix of messages, and what remains
    /// of each must be one assistant message.
    static func splitSharedPrefix(
        chosen c: [Message], rejected r: [Message], chosenField: String, rejectedField: String
    ) throws(FieldIssue) -> (context: [Message], chosen: Message, rejected: Message) {
        var k = 0
        while k < c.count && k < r.count && ByteEquality.same(c[k], r[k]) { k += 1 }
        if k == c.count && k == r.count {
            throw FieldIssue(chosenField, "chosen and rejected conversations are identical")
        }
        guard c.count - k == 1 else {
            throw FieldIssue(chosenField, "chosen and rejected differ at message \(k), but then chosen has \(c.count - k) more messages; expected them to share all turns but the final assistant response")
        }
        guard r.count - k == 1 else {
            throw FieldIssue(rejectedField, "chosen and rejected differ at message \(k), but then rejected has \(r.count - k) more messages; expected them to share all turns but the final assistant response")
        }
        return (Array(c[0..<k]), c[k], r[k])
    }
}
