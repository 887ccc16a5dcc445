import SynprefCore

/// Reading messages and fields out of parsed records, with issues that name the field.
enum JSONMessages {
    static func object(_ v: JSONValue, _ field: String) throws(FieldIssue) -> JSONObject {
        guard case .object(let o) = v else { throw FieldIssue(field, "expected an object, found \(v.kindName)") }
        return o
    }

    static func member(_ o: JSONObject, _ key: String, _ field: String) throws(FieldIssue) -> JSONValue {
        guard let v = o[key] else {
            throw FieldIssue(field, "missing (the record has: \(o.keys.prefix(12).joined(separator: ", ")))")
        }
        return v
    }

    static func string(_ v: JSONValue, _ field: String) throws(FieldIssue) -> String {
        switch v {
        case .string(let s): return s
        case .null: throw FieldIssue(field, "is null; expected a string")
        default: throw FieldIssue(field, "expected a string, found \(v.kindName)")
        }
    }

    static func optionalNumber(_ o: JSONObject, _ key: String) throws(FieldIssue) -> Double? {
        guard let v = o[key], !v.isNull else { return nil }
        guard let d = v.doubleValue else { throw FieldIssue(key, "expected a number, found \(v.kindName)") }
        return d
    }

    /// Message content: a string, or OpenAI-style text parts `[{"type":"text","text":…}]`
    /// joined without separator.
    static func content(_ v: JSONValue, _ field: String) throws(FieldIssue) -> String {
        switch v {
        case .string(let s): return s
        case .null: throw FieldIssue(field, "is null; a message needs text content")
        case .array(let parts):
            var text = ""
            for (i, part) in parts.enumerated() {
                let o = try object(part, "\(field)[\(i)]")
                let type = try o["type"].map { (t: JSONValue) throws(FieldIssue) -> String in try string(t, "\(field)[\(i)].type") } ?? "text"
                guard type == "text" else {
                    throw FieldIssue("\(field)[\(i)].type", "content part of type '\(type)' is not supported; only text parts are")
                }
                text += try string(try member(o, "text", "\(field)[\(i)].text"), "\(field)[\(i)].text")
            }
            return text
        default:
            throw FieldIssue(field, "expected a string or a list of text parts, found \(v.kindName)")
        }
    }

    static func role(_ v: JSONValue, _ field: String) throws(FieldIssue) -> ChatRole {
        let s = try string(v, field)
        guard let r = ChatRole(rawValue: s) else {
            throw FieldIssue(field, "unknown role '\(s)'; expected system, user, assistant or tool")
        }
        return r
    }

    static func message(_ v: JSONValue, _ field: String) throws(FieldIssue) -> Message {
        let o = try object(v, field)
        let r = try role(try member(o, "role", "\(field).role"), "\(field).role")
        let c = try content(try member(o, "content", "\(field).content"), "\(field).content")
        var reasoning: String? = nil
        if let rv = o["reasoning_content"], !rv.isNull { reasoning = try string(rv, "\(field).reasoning_content") }
        return Message(role: r, content: c, reasoningContent: reasoning)
    }

    static func messages(_ v: JSONValue, _ field: String) throws(FieldIssue) -> [Message] {
        guard case .array(let a) = v else { throw FieldIssue(field, "expected a list of messages, found \(v.kindName)") }
        var out: [Message] = []
        out.reserveCapacity(a.count)
        for (i, m) in a.enumerated() { out.append(try message(m, "\(field)[\(i)]")) }
        return out
    }

    /// A response given as a string (an assistant turn) or as a list holding exactly one
    /// assistant message (TRL's conversational explicit-prompt layout).
    static func response(_ v: JSONValue, _ field: String) throws(FieldIssue) -> Message {
        switch v {
        case .string(let s): return Message(role: .assistant, content: s)
        case .array:
            let ms = try messages(v, field)
            guard ms.count == 1 else {
                throw FieldIssue(field, "expected exactly one assistant message, found \(ms.count) messages")
            }
            return ms[0]
        case .object: return try message(v, field)
        case .null: throw FieldIssue(field, "is null; expected a response")
        default: throw FieldIssue(field, "expected a string or a message list, found \(v.kindName)")
        }
    }

    /// A prompt given as a string (one user turn) or as a list of messages.
    static func prompt(_ v: JSONValue, _ field: String) throws(FieldIssue) -> [Message] {
        switch v {
        case .string(let s): return [Message(role: .user, content: s)]
        case .array: return try messages(v, field)
        case .null: throw FieldIssue(field, "is null; expected a prompt")
        default: throw FieldIssue(field, "expected a string or a message list, found \(v.kindName)")
        }
    }

    /// Splits two full conversations that share their history into (context, chosen,
    /// rejected): the context is the longest common prefix of messages, and what remains
    /// of each must be one assistant message.
    static func splitSharedPrefix(
        chosen c: [Message], rejected r: [Message], chosenField: String, rejectedField: String
    ) throws(FieldIssue) -> (context: [Message], chosen: Message, rejected: Message) {
        var k = 0
        while k < c.count && k < r.count && c[k] == r[k] { k += 1 }
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
