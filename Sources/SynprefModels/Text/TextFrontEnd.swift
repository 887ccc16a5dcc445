import Foundation
import SynprefCore
import SynprefJinja
import SynprefText

/// Turns a conversation into exactly the token ids a reward model reads: the one text front
/// end shared by scoring, evaluation and training.
///
/// With a chat template it follows the Skywork-Reward-V2 model card, checked against
/// transformers 5.24:
///
/// ```python
/// text = tokenizer.apply_chat_template(conversation, tokenize=False)  # no generation prompt
/// if tokenizer.bos_token is not None and text.startswith(tokenizer.bos_token):
///     text = text[len(tokenizer.bos_token):]       # the tokenizer adds its own BOS
/// ids = tokenizer(text)["input_ids"]                # default special tokens
/// ```
///
/// No system prompt is added and `add_generation_prompt` is false: the conversation ends
/// with the assistant response being judged. `bos_token` is the one transformers uses
/// (tokenizer_config.json, overridden by special_tokens_map.json). The special tokens that
/// `tokenizer(text)` adds are the tokenizer.json post-processor's: transformers 5.24 ignores
/// `add_bos_token`/`add_eos_token` in tokenizer_config.json when tokenizer.json has a
/// post-processor (checked for PreTrainedTokenizerFast, LlamaTokenizer(Fast) and
/// Qwen2Tokenizer folders; with no post-processor it adds nothing either).
///
/// Without a chat template (BERT encoders such as all-MiniLM-L6-v2) it uses the text-pair
/// layout documented on `TextFrontEnd.textPair(_:)`, when the model allows it
/// (`textPairWithoutTemplate`); decoder reward models need their template.
///
/// Length: inputs longer than `options.maxLength` tokens (special tokens included) are an
/// error naming the conversation, unless `options.truncation` says which side to cut; the
/// cut is made before the special tokens go in, as transformers' `truncation=True,
/// max_length=N` with `truncation_side` left/right does.
public struct TextFrontEnd: Sendable {
    /// Which end of an over-long input is cut (transformers' `truncation_side`).
    public enum Truncation: String, Sendable, Hashable, CaseIterable {
        /// Keep the end of the conversation (the response being judged).
        case left
        /// Keep the beginning.
        case right
    }

    public struct Options: Sendable, Hashable {
        /// The paper's maximum length.
        public static let defaultMaxLength = 16384
        /// Longest input in tokens (special tokens included); nil: no limit.
        public var maxLength: Int?
        /// nil: an over-long input is an error.
        public var truncation: Truncation?

        public init(maxLength: Int? = Options.defaultMaxLength, truncation: Truncation? = nil) {
            self.maxLength = maxLength
            self.truncation = truncation
        }
    }

    /// How conversations become text.
    public enum Format: Sendable {
        /// The model's chat template; `bosToken` is stripped from the front of the render.
        case chatTemplate(ChatTemplate, bosToken: String?)
        /// The documented text-pair layout (models without a template that allow it).
        case textPair
        /// No way to turn a conversation into text; encoding fails with this reason.
        case unavailable(TextFrontEndError)
    }

    /// What the model reads for one conversation.
    public struct Input: Sendable, Hashable {
        public var ids: [Int]
        /// Token type ids (BERT segment ids), one per id.
        public var typeIDs: [Int]
        /// Tokens removed by truncation (0 when the input fit).
        public var truncatedTokens: Int
    }

    public let tokenizer: Tokenizer
    public let format: Format
    public var options: Options
    /// The most positions the model can read (BERT's `max_position_embeddings`): inputs
    /// are held to the smaller of this and `options.maxLength`.
    public var positionLimit: Int?
    /// SHA-256 of tokenizer.json, when known (part of model fingerprints).
    public let tokenizerDigest: String?

    public init(tokenizer: Tokenizer, format: Format, options: Options = Options(), tokenizerDigest: String? = nil) {
        self.tokenizer = tokenizer
        self.format = format
        self.options = options
        self.tokenizerDigest = tokenizerDigest
    }

    /// The front end of a model folder: tokenizer.json, tokenizer_config.json /
    /// special_tokens_map.json and the chat template (`chat_template.jinja` or
    /// `chat_template` in tokenizer_config.json). Nil when the folder has no tokenizer.json.
    /// A folder without a template gets the text-pair layout if `textPairWithoutTemplate`,
    /// else encoding fails with `noChatTemplate`. A broken template or tokenizer file is an
    /// error here.
    public static func load(directory: URL, options: Options = Options(), textPairWithoutTemplate: Bool) throws -> TextFrontEnd? {
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else { return nil }
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: tokenizerURL)) } catch {
            throw TokenizerError.cannotRead(file: tokenizerURL.path, reason: error.localizedDescription)
        }
        // Each file read and parsed once: tokenizer.json for the tokenizer and its digest,
        // tokenizer_config.json for the tokenizer's settings and the chat template.
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        var configJSON: JSONValue?
        if FileManager.default.fileExists(atPath: configURL.path) {
            let configBytes: [UInt8]
            do { configBytes = [UInt8](try Data(contentsOf: configURL)) } catch {
                throw TokenizerError.cannotRead(file: configURL.path, reason: error.localizedDescription)
            }
            configJSON = try TokenizerConfig.parse(configBytes, file: configURL.path)
        }
        let config = try configJSON.map { json throws(TokenizerError) in try TokenizerConfig(json: json, file: configURL.path) }
        let tokenizer = try Tokenizer.load(tokenizerJSON: bytes, file: tokenizerURL.path, config: config)
        let format: Format
        do {
            let template = try ChatTemplate(directory: directory, tokenizerConfig: configJSON)
            format = .chatTemplate(template, bosToken: template.specialTokens["bos_token"])
        } catch ChatTemplateError.noChatTemplate {
            format = textPairWithoutTemplate ? .textPair : .unavailable(.noChatTemplate(directory: directory.path))
        }
        return TextFrontEnd(tokenizer: tokenizer, format: format, options: options, tokenizerDigest: SHA256.hex(bytes))
    }

    /// True when conversations can be encoded (a template, or the text-pair layout).
    public var canEncode: Bool {
        if case .unavailable = format { return false }
        return true
    }

    /// The token ids of `conversation` (see `input(for:id:)`).
    public func encode(conversation: [ChatMessage], id: String? = nil) throws -> [Int] {
        try input(for: conversation, id: id).ids
    }

    /// The rendered text the tokenizer reads: the template's text after the BOS strip, or
    /// for the text pair a JSON array `[context, response]` (or `[text]` for a single
    /// message). Together with the front end's fingerprint it determines the ids, so
    /// score caches are keyed by it. `id` names the conversation in errors.
    public func renderedText(for conversation: [ChatMessage], id: String? = nil) throws -> String {
        try render(conversation, id: id).text
    }

    /// Ids and type ids of `conversation`, truncated or rejected per `options`.
    public func input(for conversation: [ChatMessage], id: String? = nil) throws -> Input {
        try input(from: render(conversation, id: id), id: id)
    }

    /// The rendered text (`renderedText(for:)`) and the input (`input(for:)`) of
    /// `conversation`, rendering the template once.
    public func prepare(_ conversation: [ChatMessage], id: String? = nil) throws -> (renderedText: String, input: Input) {
        let rendered = try render(conversation, id: id)
        return (rendered.text, try input(from: rendered, id: id))
    }

    /// Ids of `text` as it is, without a template: `tokenizer(text,
    /// add_special_tokens=...)`, truncated or rejected per `options` as conversations are.
    /// (OpenRLHF's remote reward server reads already templated text this way, without
    /// special tokens; vLLM's completion-style input with them.)
    public func input(forText text: String, addSpecialTokens: Bool, id: String? = nil) throws -> Input {
        try input(first: tokenizer.encode(text, addSpecialTokens: false), second: nil,
                  addSpecialTokens: addSpecialTokens, id: id)
    }

    private func input(from rendered: Rendered, id: String?) throws -> Input {
        switch rendered {
        case .text(let text):
            return try input(first: tokenizer.encode(text, addSpecialTokens: false), second: nil,
                             addSpecialTokens: true, id: id)
        case .pair(let context, let response):
            if let context {
                return try input(first: tokenizer.encode(context, addSpecialTokens: false),
                                 second: tokenizer.encode(response, addSpecialTokens: false), addSpecialTokens: true, id: id)
            }
            return try input(first: tokenizer.encode(response, addSpecialTokens: false), second: nil,
                             addSpecialTokens: true, id: id)
        }
    }

    private func input(first: [Int], second: [Int]?, addSpecialTokens: Bool, id: String?) throws -> Input {
        var first = first, second = second
        let specials = addSpecialTokens ? tokenizer.specialTokenCount(pair: second != nil) : 0
        let length = first.count + (second?.count ?? 0) + specials
        var removed = 0
        let limit = [options.maxLength, positionLimit].compactMap { $0 }.min()
        if let max = limit, length > max {
            guard let side = options.truncation else {
                let byPositions = positionLimit == max && (options.maxLength ?? Int.max) > max
                throw TextFrontEndError.tooLong(id: id, length: length, maxLength: max, positionLimited: byPositions)
            }
            guard max > specials else {
                throw TextFrontEndError.cannotTruncate(id: id, maxLength: max, specialTokens: specials)
            }
            removed = length - max
            // A pair loses context tokens first, then response tokens (same side).
            var excess = removed
            if second != nil {
                let cut = Swift.min(excess, first.count)
                first = TextFrontEnd.cut(first, cut, side)
                excess -= cut
                second = TextFrontEnd.cut(second ?? [], excess, side)
            } else {
                first = TextFrontEnd.cut(first, excess, side)
            }
        }
        let encoding = tokenizer.postProcess(first, pair: second, addSpecialTokens: addSpecialTokens)
        if encoding.ids.isEmpty { throw TextFrontEndError.noTokens(id: id) }
        return Input(ids: encoding.ids, typeIDs: encoding.typeIDs, truncatedTokens: removed)
    }

    private static func cut(_ ids: [Int], _ count: Int, _ side: Truncation) -> [Int] {
        guard count > 0 else { return ids }
        return side == .left ? Array(ids.dropFirst(count)) : Array(ids.dropLast(count))
    }

    enum Rendered {
        case text(String)
        case pair(context: String?, response: String)

        /// The text form: the template's text, or the JSON array `[context, response]`.
        var text: String {
            switch self {
            case .text(let text): return text
            case .pair(let context, let response):
                return JSONValue.array((context.map { [$0] } ?? []).map(JSONValue.string) + [.string(response)]).serialized()
            }
        }
    }

    func render(_ conversation: [ChatMessage], id: String?) throws -> Rendered {
        guard !conversation.isEmpty else { throw TextFrontEndError.emptyConversation(id: id) }
        switch format {
        case .chatTemplate(let template, let bos):
            var text: String
            do {
                text = try template.render(messages: conversation, addGenerationPrompt: false)
            } catch {
                throw TextFrontEndError.template(id: id, reason: "\(error)")
            }
            if let bos, !bos.isEmpty, text.hasPrefix(bos) { text.removeFirst(bos.count) }
            return .text(text)
        case .textPair:
            let pair = TextFrontEnd.textPair(conversation)
            return .pair(context: pair.context, response: pair.response)
        case .unavailable(let reason):
            throw reason
        }
    }

    /// The text-pair layout for models without a chat template (BERT reward models such as
    /// the quickstart's all-MiniLM-L6-v2): the conversation before the last message is the
    /// first text, one line per message, "System: …", "User: …", "Assistant: …" or
    /// "Tool: …" joined with "\n"; the last message's content is the second text. The pair
    /// goes through the tokenizer's pair post-processor (`tokenizer(context, response)`:
    /// `[CLS] context [SEP] response [SEP]`, token types 0 then 1). A conversation of one
    /// message is that message's content alone (`tokenizer(text)`), and so is a context
    /// whose response is empty (transformers' `tokenizer(context, "")` ignores an empty
    /// second text). `reasoning_content` is not part of this layout. Truncation removes
    /// context tokens first, then response tokens, from the side `Options.truncation` names.
    public static func textPair(_ conversation: [ChatMessage]) -> (context: String?, response: String) {
        guard let last = conversation.last else { return (nil, "") }
        guard conversation.count > 1 else { return (nil, last.content) }
        let context = ChatMessage.transcript(conversation.dropLast())
        return last.content.isEmpty ? (nil, context) : (context, last.content)
    }

    /// A stable description of everything that decides the ids: tokenizer.json's digest,
    /// the template (or the text-pair layout's version), the BOS string and the options.
    public var fingerprintDescription: JSONValue {
        var o = JSONObject()
        o["tokenizer_sha256"] = tokenizerDigest.map(JSONValue.string) ?? .null
        switch format {
        case .chatTemplate(let template, let bos):
            o["format"] = .string("chat-template")
            o["template_sha256"] = .string(SHA256.hex(template.source))
            var tokens = JSONObject()
            for key in template.specialTokens.keys.sorted() { tokens[key] = .string(template.specialTokens[key] ?? "") }
            o["special_tokens"] = .object(tokens)
            o["bos_stripped"] = bos.map(JSONValue.string) ?? .null
        case .textPair:
            o["format"] = .string("text-pair/1")
        case .unavailable:
            o["format"] = .string("none")
        }
        o["max_length"] = options.maxLength.map { JSONValue.integer($0) } ?? .null
        o["truncation"] = options.truncation.map { JSONValue.string($0.rawValue) } ?? .null
        o["position_limit"] = positionLimit.map { JSONValue.integer($0) } ?? .null
        return .object(o)
    }
}

/// Why a conversation could not be turned into model input. `id` is the conversation's id
/// when the caller gave one.
public enum TextFrontEndError: Error, CustomStringConvertible, Sendable, Equatable {
    case emptyConversation(id: String?)
    case noChatTemplate(directory: String)
    case template(id: String?, reason: String)
    case tooLong(id: String?, length: Int, maxLength: Int, positionLimited: Bool)
    case cannotTruncate(id: String?, maxLength: Int, specialTokens: Int)
    case noTokens(id: String?)
    case noTokenizer(model: String)

    public static func name(_ id: String?) -> String { id.map { "conversation \($0.debugDescription)" } ?? "the conversation" }

    public var description: String {
        switch self {
        case .emptyConversation(let id):
            return "\(TextFrontEndError.name(id)) has no messages; give at least the response being scored"
        case .noChatTemplate(let directory):
            return "\(directory): no chat template (no chat_template.jinja, and tokenizer_config.json has no \"chat_template\"); "
                + "a decoder reward model reads conversations through its template: add the model's chat_template.jinja to the folder"
        case .template(let id, let reason):
            return "\(TextFrontEndError.name(id)): the chat template failed: \(reason)"
        case .tooLong(let id, let length, let max, let byPositions):
            if byPositions {
                return "\(TextFrontEndError.name(id)) is \(length) tokens, but the model reads at most \(max) positions (max_position_embeddings); "
                    + "truncate it on the left (keep the end) or on the right (keep the start)"
            }
            return "\(TextFrontEndError.name(id)) is \(length) tokens, longer than the maximum length \(max); "
                + "truncate it on the left (keep the end) or on the right (keep the start), or raise the maximum length"
        case .cannotTruncate(let id, let max, let specials):
            return "\(TextFrontEndError.name(id)): a maximum length of \(max) leaves no room for text after the \(specials) special tokens the tokenizer adds"
        case .noTokens(let id):
            return "\(TextFrontEndError.name(id)) encodes to no tokens; a reward needs at least one token"
        case .noTokenizer(let model):
            return "\(model): no tokenizer.json in the model folder, so conversations cannot be tokenized; "
                + "add the model's tokenizer files (tokenizer.json, tokenizer_config.json) or give token ids"
        }
    }
}
