import Foundation
import SynprefCore

extension ChatTemplate {
    /// The chat template of a Hugging Face tokenizer folder, as transformers finds it:
    /// `chat_template.jinja` if present (or `additional_chat_templates/<name>.jinja` for a
    /// named one), else `chat_template` in `tokenizer_config.json`: a string, or a list
    /// of `{"name", "template"}` from which `name` (default `"default"`) is taken.
    /// `tokenizerConfig`: the folder's tokenizer_config.json already parsed (nil: read it).
    public static func source(fromDirectory directory: URL, name: String? = nil, tokenizerConfig: JSONValue? = nil) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDir), isDir.boolValue else {
            throw ChatTemplateError.directoryNotFound(directory.path)
        }
        let wanted = name ?? "default"
        let jinjaFile = directory.appendingPathComponent("chat_template.jinja")
        if wanted == "default", FileManager.default.fileExists(atPath: jinjaFile.path) {
            return try readText(jinjaFile)
        }
        if wanted != "default" {
            let named = directory.appendingPathComponent("additional_chat_templates/\(wanted).jinja")
            if FileManager.default.fileExists(atPath: named.path) { return try readText(named) }
        }
        let configFile = directory.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: configFile.path) else {
            throw ChatTemplateError.noChatTemplate(directory: directory.path)
        }
        let config = try tokenizerConfig.map { try object(JinjaValue($0), configFile) } ?? readConfig(configFile)
        switch config["chat_template"] {
        case nil, .null?:
            throw ChatTemplateError.noChatTemplate(directory: directory.path)
        case .string(let s)?:
            if wanted != "default" {
                throw ChatTemplateError.namedTemplateNotFound(name: wanted, available: ["default"], file: configFile.path)
            }
            return s
        case .array(let entries)?:
            var names: [String] = []
            for (i, entry) in entries.enumerated() {
                guard let n = entry["name"]?.stringValue, let t = entry["template"]?.stringValue else {
                    throw ChatTemplateError.invalidTokenizerConfig(
                        path: configFile.path,
                        reason: "chat_template[\(i)] must be an object with string \"name\" and \"template\"")
                }
                if n == wanted { return t }
                names.append(n)
            }
            throw ChatTemplateError.namedTemplateNotFound(name: wanted, available: names, file: configFile.path)
        default:
            throw ChatTemplateError.invalidTokenizerConfig(
                path: configFile.path, reason: "\"chat_template\" must be a string or a list of {name, template}")
        }
    }

    /// The named special tokens (`bos_token`, `eos_token`, `unk_token`, `sep_token`,
    /// `pad_token`, `cls_token`, `mask_token`) as transformers 5.24 sets them: from
    /// `tokenizer_config.json`, each then overridden by `special_tokens_map.json` when that
    /// file names it (each a string or an AddedToken object `{"content": ...}`; null or
    /// absent ones are left out). A folder with neither file has none.
    /// `tokenizerConfig`: the folder's tokenizer_config.json already parsed (nil: read it).
    public static func specialTokens(fromDirectory directory: URL, tokenizerConfig: JSONValue? = nil) throws -> [String: String] {
        var tokens: [String: String] = [:]
        for name in ["tokenizer_config.json", "special_tokens_map.json"] {
            let file = directory.appendingPathComponent(name)
            let config: JinjaValue
            if name == "tokenizer_config.json", let tokenizerConfig {
                config = try object(JinjaValue(tokenizerConfig), file)
            } else {
                guard FileManager.default.fileExists(atPath: file.path) else { continue }
                config = try readConfig(file)
            }
            for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
                switch config[key] {
                case nil, .null?: continue
                case .string(let s)?: tokens[key] = s
                case .object(let o)?:
                    guard let content = o["content"]?.stringValue else {
                        throw ChatTemplateError.invalidTokenizerConfig(
                            path: file.path, reason: "\"\(key)\" is an object without a string \"content\"")
                    }
                    tokens[key] = content
                default:
                    throw ChatTemplateError.invalidTokenizerConfig(
                        path: file.path, reason: "\"\(key)\" must be a string, an AddedToken object or null")
                }
            }
        }
        return tokens
    }

    /// A template file's text (UTF-8, newlines kept as they are).
    public static func readText(_ url: URL) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChatTemplateError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        guard let s = String(validating: data, as: UTF8.self) else {
            throw ChatTemplateError.unreadable(path: url.path, reason: "not valid UTF-8")
        }
        return s
    }

    static func readConfig(_ url: URL) throws -> JinjaValue {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChatTemplateError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        let config: JinjaValue
        do {
            config = try JinjaValue(config: data)
        } catch let e as JinjaJSONError {
            throw ChatTemplateError.invalidTokenizerConfig(path: url.path, reason: "invalid JSON: \(e)")
        }
        return try object(config, url)
    }

    /// `config` if it is a JSON object.
    static func object(_ config: JinjaValue, _ url: URL) throws -> JinjaValue {
        guard case .object = config else {
            throw ChatTemplateError.invalidTokenizerConfig(path: url.path, reason: "must be a JSON object")
        }
        return config
    }
}
