import SynprefCore

/// An identifier that some exports write as a number and others as a string.
public struct LooseID: Sendable, Decodable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ s: String) { description = s }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { description = s; return }
        if let i = try? c.decode(Int.self) { description = String(i); return }
        if let d = try? c.decode(Double.self) { description = String(d); return }
        throw DecodingError.typeMismatch(String.self, .init(codingPath: c.codingPath, debugDescription: "expected a string or number id"))
    }
}

/// A prompt given either as one user message (a string) or as the list of earlier turns
/// (`[{"role", "content"}]`, ending on a user turn).
public enum PromptField: Sendable, Decodable {
    case text(String)
    case turns([Turn])

    public struct Turn: Sendable, Decodable {
        public var role: String
        public var content: String
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .text(s); return }
        if let t = try? c.decode([Turn].self) { self = .turns(t); return }
        throw DecodingError.typeMismatch(String.self, .init(
            codingPath: c.codingPath, debugDescription: "expected a string or a list of {role, content} turns"))
    }
}

/// Chat roles as benchmark exports spell them (human, gpt, model, bot included).
func chatRole(_ s: String) -> ChatRole? {
    ConversationCodec.role(named: s, rules: .benchmark)
}
