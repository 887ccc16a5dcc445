import SynprefCore

/// The JSON text of messages as Synpref writes them everywhere (store columns, content
/// hashes, exports): `{"role":"user","content":"…"}`, with `"reasoning_content":"…"`
/// appended only when present; compact, escaped as `JSONWriter` does (that is, exactly as
/// Python's `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`).
public enum MessageJSON {
    public static func append(_ m: Message, to out: inout String) {
        out.append("{\"role\":\"")
        out.append(m.role.rawValue)
        out.append("\",\"content\":")
        JSONWriter.appendString(m.content, to: &out)
        if let r = m.reasoningContent {
            out.append(",\"reasoning_content\":")
            JSONWriter.appendString(r, to: &out)
        }
        out.append("}")
    }

    public static func append(_ ms: [Message], to out: inout String) {
        out.append("[")
        for (i, m) in ms.enumerated() {
            if i > 0 { out.append(",") }
            append(m, to: &out)
        }
        out.append("]")
    }

    public static func text(_ m: Message) -> String {
        var s = ""
        append(m, to: &s)
        return s
    }

    public static func text(_ ms: [Message]) -> String {
        var s = ""
        s.reserveCapacity(ms.reduce(16) { $0 + $1.content.utf8.count + 32 })
        append(ms, to: &s)
        return s
    }

    public static func value(_ m: Message) -> JSONValue {
        var o: JSONObject = ["role": .string(m.role.rawValue), "content": .string(m.content)]
        if let r = m.reasoningContent { o["reasoning_content"] = .string(r) }
        return .object(o)
    }

    public static func value(_ ms: [Message]) -> JSONValue { .array(ms.map(value)) }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
