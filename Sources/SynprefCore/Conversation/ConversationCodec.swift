/// Conversations to and from JSON, the one way every reader and writer of messages does it.
///
/// Reading takes a parsed `JSONValue` (`[{"role", "content", "reasoning_content"?}, ...]`)
/// and throws a `FieldIssue` whose field is a path into the record
/// (`messages[2].role: unknown role "bot"; expected system, user, assistant or tool`).
/// What a caller accepts beyond the core shape is a `Rules` value: scoring input refuses
/// keys the chat template would not see; dataset formats ignore extra keys and join
/// OpenAI-style text parts.
///
/// Writing gives the canonical compact form: keys in a fixed order (`role`, `content`, then
/// `reasoning_content` only when present), no whitespace, escaped as `JSONWriter` does
/// (Python's `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`). Content hashes,
/// store columns, exports and evaluation request ids are all computed on this text.
public enum ConversationCodec {
    /// What a reader accepts beyond `[{"role": string, "content": string, "reasoning_content"?: string}]`.
    public struct Rules: Sendable, Hashable {
        public enum UnknownKeys: Sendable, Hashable { case reject, ignore }

        /// Keys other than role, content and reasoning_content.
        public var unknownKeys: UnknownKeys
        /// Content given as OpenAI text parts `[{"type": "text", "text": ...}]`, joined.
        public var textParts: Bool
        /// An empty list (a context with no earlier turns).
        public var allowEmpty: Bool
        /// Roles as datasets spell them besides the four names: human → user;
        /// gpt, model, bot → assistant (any case).
        public var roleAliases: Bool

        public init(unknownKeys: UnknownKeys, textParts: Bool, allowEmpty: Bool, roleAliases: Bool) {
            self.unknownKeys = unknownKeys
            self.textParts = textParts
            self.allowEmpty = allowEmpty
            self.roleAliases = roleAliases
        }

        /// A conversation to score: every key reaches the chat template, content is text,
        /// and there is at least the response.
        public static let scoring = Rules(unknownKeys: .reject, textParts: false, allowEmpty: false, roleAliases: false)
        /// Preference-data formats: datasets carry extra keys and text parts; a context may
        /// be empty.
        public static let dataset = Rules(unknownKeys: .ignore, textParts: true, allowEmpty: true, roleAliases: false)
        /// Benchmark exports, which also spell roles their own way.
        public static let benchmark = Rules(unknownKeys: .ignore, textParts: true, allowEmpty: true, roleAliases: true)
    }

    static let keys: Set<String> = ["role", "content", "reasoning_content"]

    // MARK: - Reading

    /// A list of messages at `field`. (Field paths are autoclosures: they are built only
    /// when a problem is reported, which keeps string building off the path of valid
    /// records.)
    public static func messages(_ value: JSONValue, field: @autoclosure () -> String = "messages", rules: Rules) throws(FieldIssue) -> [ChatMessage] {
        guard case .array(let items) = value else {
            throw FieldIssue(field(), "expected a list of messages, found \(value.kindName)")
        }
        if items.isEmpty && !rules.allowEmpty {
            throw FieldIssue(field(), "is empty; give at least the response being scored")
        }
        var out: [ChatMessage] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() { out.append(try message(item, field: "\(field())[\(i)]", rules: rules)) }
        return out
    }

    /// One message at `field`.
    public static func message(_ value: JSONValue, field: @autoclosure () -> String, rules: Rules) throws(FieldIssue) -> ChatMessage {
        let o = try object(value, field: field())
        if rules.unknownKeys == .reject {
            for key in o.keys where !keys.contains(key) {
                throw FieldIssue(field(), "has key \"\(key)\", which the chat template would not see; keys allowed: role, content, reasoning_content")
            }
        }
        let r = try role(try member(o, "role", field: field() + ".role"), field: field() + ".role", rules: rules)
        let c = try content(try member(o, "content", field: field() + ".content"), field: field() + ".content", rules: rules)
        var reasoning: String?
        if let v = o["reasoning_content"], !v.isNull { reasoning = try string(v, field: field() + ".reasoning_content") }
        return ChatMessage(role: r, content: c, reasoningContent: reasoning)
    }

    /// A role name at `field`.
    public static func role(_ value: JSONValue, field: @autoclosure () -> String, rules: Rules) throws(FieldIssue) -> ChatRole {
        let name = try string(value, field: field())
        if let r = role(named: name, rules: rules) { return r }
        throw FieldIssue(field(), "unknown role \(name.debugDescription); expected system, user, assistant or tool"
                         + (rules.roleAliases ? " (or human, gpt, model, bot)" : ""))
    }

    /// The role `name` spells under `rules`, or nil.
    public static func role(named name: String, rules: Rules) -> ChatRole? {
        if let r = ChatRole(rawValue: name) { return r }
        guard rules.roleAliases else { return nil }
        switch name.lowercased() {
        case "user", "human": return .user
        case "assistant", "gpt", "model", "bot": return .assistant
        case "system": return .system
        case "tool": return .tool
        default: return nil
        }
    }

    /// Message content at `field`: a string, or (when the rules allow) text parts joined
    /// without separator.
    public static func content(_ value: JSONValue, field: @autoclosure () -> String, rules: Rules) throws(FieldIssue) -> String {
        switch value {
        case .string(let s):
            return s
        case .null:
            throw FieldIssue(field(), "is null; a message needs text content")
        case .array(let parts) where rules.textParts:
            var text = ""
            for (i, part) in parts.enumerated() {
                let at = "\(field())[\(i)]"
                let o = try object(part, field: at)
                var type = "text"
                if let t = o["type"] { type = try string(t, field: at + ".type") }
                guard type == "text" else {
                    throw FieldIssue(at + ".type", "content part of type \(type.debugDescription) is not supported; only text parts are")
                }
                text += try string(try member(o, "text", field: at + ".text"), field: at + ".text")
            }
            return text
        default:
            throw FieldIssue(field(), "expected a string" + (rules.textParts ? " or a list of text parts" : "") + ", found \(value.kindName)")
        }
    }

    /// An object at `field`.
    public static func object(_ value: JSONValue, field: @autoclosure () -> String) throws(FieldIssue) -> JSONObject {
        guard case .object(let o) = value else { throw FieldIssue(field(), "expected an object, found \(value.kindName)") }
        return o
    }

    /// Member `key` of an object; `field` is the member's path (`messages[0].role`).
    public static func member(_ o: JSONObject, _ key: String, field: @autoclosure () -> String) throws(FieldIssue) -> JSONValue {
        guard let v = o[key] else {
            let present = o.keys.prefix(12).joined(separator: ", ")
            throw FieldIssue(field(), "missing" + (present.isEmpty ? "" : " (the record has: \(present))"))
        }
        return v
    }

    /// A string at `field`.
    public static func string(_ value: JSONValue, field: @autoclosure () -> String) throws(FieldIssue) -> String {
        switch value {
        case .string(let s): return s
        case .null: throw FieldIssue(field(), "is null; expected a string")
        default: throw FieldIssue(field(), "expected a string, found \(value.kindName)")
        }
    }

    // MARK: - Writing

    /// Appends the canonical JSON of one message.
    public static func append(_ m: ChatMessage, to out: inout String) {
        out.append("{\"role\":\"")
        out.append(m.role.rawValue)  // the four role names need no escaping
        out.append("\",\"content\":")
        JSONWriter.appendString(m.content, to: &out)
        if let r = m.reasoningContent {
            out.append(",\"reasoning_content\":")
            JSONWriter.appendString(r, to: &out)
        }
        out.append("}")
    }

    /// Appends the canonical JSON of a message list.
    public static func append(_ messages: [ChatMessage], to out: inout String) {
        out.append("[")
        for (i, m) in messages.enumerated() {
            if i > 0 { out.append(",") }
            append(m, to: &out)
        }
        out.append("]")
    }

    /// The canonical JSON of one message.
    public static func canonical(_ m: ChatMessage) -> String {
        var s = ""
        append(m, to: &s)
        return s
    }

    /// The canonical JSON of a message list.
    public static func canonical(_ messages: [ChatMessage]) -> String {
        var s = ""
        s.reserveCapacity(messages.reduce(16) { $0 + $1.content.utf8.count + 32 })
        append(messages, to: &s)
        return s
    }

    /// The message as a `JSONValue` (same members, same order).
    public static func value(_ m: ChatMessage) -> JSONValue {
        var members: [(String, JSONValue)] = [("role", .string(m.role.rawValue)), ("content", .string(m.content))]
        if let r = m.reasoningContent { members.append(("reasoning_content", .string(r))) }
        return .object(JSONObject(members))
    }

    /// The message list as a `JSONValue`.
    public static func value(_ messages: [ChatMessage]) -> JSONValue { .array(messages.map { value($0) }) }
}
