import Foundation
import SynprefCore

/// A Hugging Face chat template, parsed once and rendered many times, with the
/// semantics of transformers 5.24's `apply_chat_template(..., tokenize=False)`.
///
/// ```swift
/// let template = try ChatTemplate(directory: checkpointFolder)   // template + special tokens
/// let text = try template.render(messages: conversation)          // no generation prompt
/// ```
///
/// `addGenerationPrompt` defaults to **false**: a reward model scores a finished
/// conversation, so the text must end with the assistant's turn, not with an open
/// assistant header. (Some libraries default to true, which silently appends
/// `<|im_start|>assistant\n` or similar and changes every score.)
public struct ChatTemplate: Sendable {
    /// The template text as given.
    public let source: String
    /// Named special tokens (`bos_token`, `eos_token`, `unk_token`, `sep_token`,
    /// `pad_token`, `cls_token`, `mask_token`) passed to every render, as transformers
    /// passes the tokenizer's `special_tokens_map`. Empty unless loaded from a folder.
    public var specialTokens: [String: String]
    let nodes: [Node]

    /// Parses `source`; throws `JinjaError.syntax` (with line and column) if it is not
    /// valid Jinja, or `.unsupported` for constructs a chat template cannot use here.
    public init(source: String, specialTokens: [String: String] = [:]) throws {
        self.source = source
        self.specialTokens = specialTokens
        self.nodes = try Parser.parse(source)
    }

    /// Loads the template and special tokens of a Hugging Face tokenizer folder (see
    /// `ChatTemplate.source(fromDirectory:name:)` and `specialTokens(fromDirectory:)`).
    /// `tokenizerConfig`: the folder's tokenizer_config.json already parsed (nil: read it).
    public init(directory: URL, name: String? = nil, tokenizerConfig: JSONValue? = nil) throws {
        try self.init(
            source: try ChatTemplate.source(fromDirectory: directory, name: name, tokenizerConfig: tokenizerConfig),
            specialTokens: try ChatTemplate.specialTokens(fromDirectory: directory, tokenizerConfig: tokenizerConfig))
    }

    /// Renders a conversation as `tokenizer.apply_chat_template(messages, tokenize=False,
    /// add_generation_prompt=...)` does:
    /// - message keys whose value is null are dropped (transformers'
    ///   `_normalize_chat_messages`);
    /// - a message with `reasoning_content`, `thinking` or `reasoning` gets both
    ///   `thinking` and `reasoning_content` (transformers' `_alias_reasoning_fields`);
    /// - the template sees `messages`, `tools` and `documents` (null unless given in
    ///   `extraContext`), `add_generation_prompt`, the special tokens, then
    ///   `extraContext` (which overrides special tokens, as template kwargs do).
    ///
    /// `bosToken`/`eosToken`, when given, override `specialTokens`.
    public func render(
        messages: [JinjaValue], addGenerationPrompt: Bool = false, bosToken: String? = nil,
        eosToken: String? = nil, extraContext: [String: JinjaValue] = [:]
    ) throws -> String {
        if messages.isEmpty { throw ChatTemplateError.emptyConversation }
        var chat: [Value] = []
        chat.reserveCapacity(messages.count)
        for (i, m) in messages.enumerated() {
            guard case .object(let o) = m else { throw ChatTemplateError.messageNotObject(index: i) }
            chat.append(Value(.object(ChatTemplate.prepare(o))))
        }
        for key in ["messages", "add_generation_prompt"] where extraContext[key] != nil {
            throw ChatTemplateError.reservedContextKey(key)
        }
        var context: [String: Value] = [:]
        for (k, v) in specialTokens { context[k] = .string(v) }
        if let bosToken { context["bos_token"] = .string(bosToken) }
        if let eosToken { context["eos_token"] = .string(eosToken) }
        for (k, v) in extraContext { context[k] = Value(v) }
        if context["tools"] == nil { context["tools"] = Value.none }
        if context["documents"] == nil { context["documents"] = Value.none }
        context["messages"] = .list(chat)
        context["add_generation_prompt"] = .bool(addGenerationPrompt)
        return try Interpreter().render(nodes, context: context)
    }

    /// `render(messages:)` for plain `ChatMessage`s (`role`, `content`, optional
    /// `reasoning_content`).
    public func render(
        messages: [ChatMessage], addGenerationPrompt: Bool = false, bosToken: String? = nil,
        eosToken: String? = nil, extraContext: [String: JinjaValue] = [:]
    ) throws -> String {
        try render(
            messages: messages.map(\.jinjaValue), addGenerationPrompt: addGenerationPrompt, bosToken: bosToken,
            eosToken: eosToken, extraContext: extraContext)
    }

    /// Renders with exactly these variables and nothing else (no special tokens, no
    /// message preprocessing): jinja2's `template.render(**context)`.
    public func render(context: [String: JinjaValue]) throws -> String {
        try Interpreter().render(nodes, context: context.mapValues(Value.init))
    }

    /// transformers' message preprocessing for one message.
    static func prepare(_ message: JinjaObject) -> JinjaObject {
        var m = JinjaObject()
        for (k, v) in message.pairs {
            if case .null = v { continue }
            m[k] = v
        }
        let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap { m[$0] }.first
        guard let reasoning else { return m }
        var aliased = JinjaObject()
        aliased["thinking"] = reasoning
        for (k, v) in m.pairs { aliased[k] = v }
        aliased["reasoning_content"] = reasoning
        return aliased
    }
}

extension ChatMessage {
    /// `{"role", "content", "reasoning_content"?}` as a template sees it.
    public var jinjaValue: JinjaValue {
        var o = JinjaObject()
        o["role"] = .string(role.rawValue)
        o["content"] = .string(content)
        if let reasoningContent { o["reasoning_content"] = .string(reasoningContent) }
        return .object(o)
    }
}

/// Bad input to `ChatTemplate.render` or a tokenizer folder without a usable template.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    case emptyConversation
    case messageNotObject(index: Int)
    case reservedContextKey(String)
    case directoryNotFound(String)
    case noChatTemplate(directory: String)
    case namedTemplateNotFound(name: String, available: [String], file: String)
    case unreadable(path: String, reason: String)
    case invalidTokenizerConfig(path: String, reason: String)

    public var description: String {
        switch self {
        case .emptyConversation:
            return "cannot apply a chat template to an empty conversation; provide at least one message"
        case .messageNotObject(let i):
            return "message \(i) is not a JSON object; each message needs at least \"role\" and \"content\""
        case .reservedContextKey(let k):
            return "extraContext must not set '\(k)'; pass it through the render arguments instead"
        case .directoryNotFound(let d):
            return "\(d): tokenizer folder not found; pass the folder that holds tokenizer_config.json"
        case .noChatTemplate(let d):
            return
                "\(d): no chat template: there is no chat_template.jinja and tokenizer_config.json has no \"chat_template\". "
                + "Base models ship none; use the instruct/chat model's tokenizer folder or give a template file."
        case .namedTemplateNotFound(let name, let available, let file):
            return "\(file): no chat template named '\(name)'; available: \(available.joined(separator: ", "))"
        case .unreadable(let p, let r):
            return "\(p): cannot read (\(r))"
        case .invalidTokenizerConfig(let p, let r):
            return "\(p): \(r)"
        }
    }
}
