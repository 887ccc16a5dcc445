import Foundation
import SynprefCore

/// The parts of a Hugging Face `tokenizer_config.json` that scoring needs.
public struct TokenizerConfig: Sendable, Equatable {
    /// A `chat_template` as written in the file: one template, or named templates (the
    /// template module picks one; "default" is what transformers uses).
    public enum ChatTemplate: Sendable, Equatable {
        case single(String)
        case named([(name: String, template: String)])

        public static func == (lhs: ChatTemplate, rhs: ChatTemplate) -> Bool {
            switch (lhs, rhs) {
            case (.single(let a), .single(let b)): return a == b
            case (.named(let a), .named(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.template == $1.template }
            default: return false
            }
        }
    }

    public var bosToken: String?
    public var eosToken: String?
    public var padToken: String?
    public var unkToken: String?
    /// `add_bos_token` / `add_eos_token` when the file states them (nil: not stated).
    public var addBOSToken: Bool?
    public var addEOSToken: Bool?
    /// `model_max_length`, or nil when absent or not a usable integer (transformers writes
    /// 1e30 to mean "no limit").
    public var modelMaxLength: Int?
    public var chatTemplate: ChatTemplate?

    public init(bosToken: String? = nil, eosToken: String? = nil, padToken: String? = nil, unkToken: String? = nil,
                addBOSToken: Bool? = nil, addEOSToken: Bool? = nil, modelMaxLength: Int? = nil, chatTemplate: ChatTemplate? = nil) {
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.padToken = padToken
        self.unkToken = unkToken
        self.addBOSToken = addBOSToken
        self.addEOSToken = addEOSToken
        self.modelMaxLength = modelMaxLength
        self.chatTemplate = chatTemplate
    }

    public init(url: URL) throws(TokenizerError) {
        try self.init(bytes: try readFile(url), file: url.path)
    }

    public init(data: Data) throws(TokenizerError) {
        try self.init(bytes: [UInt8](data), file: "tokenizer_config.json")
    }

    /// `tokenizer_config.json` of a model folder, or nil if the folder has none.
    public static func load(directory: URL) throws(TokenizerError) -> TokenizerConfig? {
        let url = directory.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try TokenizerConfig(url: url)
    }

    init(bytes: [UInt8], file: String) throws(TokenizerError) {
        try self.init(json: try TokenizerConfig.parse(bytes, file: file), file: file)
    }

    /// tokenizer_config.json's JSON, read as transformers reads it (Python's `json`).
    public static func parse(_ bytes: [UInt8], file: String) throws(TokenizerError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, options: .python)
        } catch {
            throw TokenizerError.invalidJSON(file: file, line: error.line, column: error.column, message: error.reasonDescription)
        }
    }

    /// The config from the file's already parsed JSON (`parse(_:file:)`).
    public init(json root: JSONValue, file: String) throws(TokenizerError) {
        guard case .object = root else { throw TokenizerError.invalidField(file: file, field: "(root)", expected: "a JSON object") }

        /// A special token: a string, or an AddedToken object with `content`.
        func token(_ key: String) throws(TokenizerError) -> String? {
            guard let v = root[key], !v.isNull else { return nil }
            if let s = v.stringValue { return s }
            if case .object = v, let s = v["content"]?.stringValue { return s }
            throw TokenizerError.invalidField(file: file, field: key, expected: "a string or an object with \"content\"")
        }
        func flag(_ key: String) throws(TokenizerError) -> Bool? {
            guard let v = root[key], !v.isNull else { return nil }
            guard let b = v.boolValue else { throw TokenizerError.invalidField(file: file, field: key, expected: "true or false") }
            return b
        }
        bosToken = try token("bos_token")
        eosToken = try token("eos_token")
        padToken = try token("pad_token")
        unkToken = try token("unk_token")
        addBOSToken = try flag("add_bos_token")
        addEOSToken = try flag("add_eos_token")
        if let v = root["model_max_length"], !v.isNull {
            guard let d = v.doubleValue else { throw TokenizerError.invalidField(file: file, field: "model_max_length", expected: "a number") }
            modelMaxLength = d >= 0 && d < 9.0e15 ? v.intValue : nil
        }
        if let v = root["chat_template"], !v.isNull {
            if let s = v.stringValue {
                chatTemplate = .single(s)
            } else if let items = v.arrayValue {
                var named: [(name: String, template: String)] = []
                for (i, item) in items.enumerated() {
                    guard let name = item["name"]?.stringValue, let template = item["template"]?.stringValue else {
                        throw TokenizerError.invalidField(file: file, field: "chat_template[\(i)]", expected: "an object with string \"name\" and \"template\"")
                    }
                    named.append((name, template))
                }
                chatTemplate = .named(named)
            } else {
                throw TokenizerError.invalidField(file: file, field: "chat_template", expected: "a string or a list of {name, template}")
            }
        }
    }
}
