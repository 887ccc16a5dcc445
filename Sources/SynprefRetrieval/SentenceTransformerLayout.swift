import Foundation
import SynprefCore

/// What a sentence-transformers model folder says about turning token states into a
/// sentence embedding: `modules.json` (Transformer, Pooling, Normalize, in order),
/// `sentence_bert_config.json` (`max_seq_length`, `do_lower_case`), the pooling module's
/// `config.json` (sentence-transformers 6's `pooling_mode` or the older
/// `pooling_mode_*_tokens` flags, and `include_prompt`) and
/// `config_sentence_transformers.json` (named prompts). A folder without `modules.json`
/// is read as a plain encoder with mean pooling and no normalisation, as
/// sentence-transformers reads one.
public struct SentenceTransformerLayout: Sendable, Equatable {
    public enum Pooling: String, Sendable, Equatable {
        /// The mean of the sequence's token states.
        case mean
        /// The first token's state.
        case cls
        /// The last token's state (decoder embedders such as Qwen3-Embedding).
        case lasttoken
    }

    public var pooling: Pooling
    public var normalize: Bool
    /// Longest input in tokens, special tokens included; longer texts are cut on the right.
    public var maxSequenceLength: Int?
    public var lowercase: Bool
    /// Whether the prompt's tokens take part in pooling (sentence-transformers'
    /// `include_prompt`; only `true` is supported for mean pooling's exactness here).
    public var includePrompt: Bool
    public var prompts: [String: String]
    public var defaultPromptName: String?
    /// The folder holding the Transformer module's files ("" = the model folder itself).
    public var transformerPath: String

    public static func load(directory: URL) throws(EmbeddingError) -> SentenceTransformerLayout {
        var layout = SentenceTransformerLayout(pooling: .mean, normalize: false, maxSequenceLength: nil, lowercase: false,
                                               includePrompt: true, prompts: [:], defaultPromptName: nil, transformerPath: "")
        let modulesURL = directory.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: modulesURL.path) else { return layout }
        let modules = try read(modulesURL)
        guard case .array(let items) = modules else {
            throw .invalid(file: modulesURL.path, field: "modules", reason: "expected a list of modules, found \(modules.kindName)")
        }
        var poolingPath: String?
        for (i, item) in items.enumerated() {
            guard let type = item["type"]?.stringValue else {
                throw .invalid(file: modulesURL.path, field: "[\(i)].type", reason: "missing; expected a module class name")
            }
            let path = item["path"]?.stringValue ?? ""
            switch type.split(separator: ".").last.map(String.init) ?? type {
            case "Transformer": layout.transformerPath = path
            case "Pooling": poolingPath = path
            case "Normalize": layout.normalize = true
            default: throw .unsupportedModule(file: modulesURL.path, type: type)
            }
        }
        let bertConfig = directory.appendingPathComponent(layout.transformerPath).appendingPathComponent("sentence_bert_config.json")
        if FileManager.default.fileExists(atPath: bertConfig.path) {
            let c = try read(bertConfig)
            layout.maxSequenceLength = c["max_seq_length"]?.intValue
            layout.lowercase = c["do_lower_case"]?.boolValue ?? false
        }
        if let poolingPath {
            let url = directory.appendingPathComponent(poolingPath).appendingPathComponent("config.json")
            let c = try read(url)
            layout.pooling = try pooling(c, file: url.path)
            layout.includePrompt = c["include_prompt"]?.boolValue ?? true
        }
        let stConfig = directory.appendingPathComponent("config_sentence_transformers.json")
        if FileManager.default.fileExists(atPath: stConfig.path) {
            let c = try read(stConfig)
            for (name, value) in c["prompts"]?.objectValue ?? JSONObject() {
                guard let text = value.stringValue else {
                    throw .invalid(file: stConfig.path, field: "prompts.\(name)", reason: "expected a string, found \(value.kindName)")
                }
                layout.prompts[name] = text
            }
            layout.defaultPromptName = c["default_prompt_name"]?.stringValue
        }
        return layout
    }

    /// The pooling mode: `pooling_mode` (sentence-transformers 6) or the first set flag of
    /// `pooling_mode_cls_token` / `pooling_mode_mean_tokens` / `pooling_mode_lasttoken`;
    /// any other mode (max, mean_sqrt_len, weightedmean, or several at once) is an error.
    static func pooling(_ c: JSONValue, file: String) throws(EmbeddingError) -> Pooling {
        if let mode = c["pooling_mode"]?.stringValue {
            guard let p = Pooling(rawValue: mode) else { throw .unsupportedPooling(file: file, mode: mode) }
            return p
        }
        let flags: [(String, Pooling?)] = [
            ("pooling_mode_cls_token", .cls), ("pooling_mode_mean_tokens", .mean), ("pooling_mode_lasttoken", .lasttoken),
            ("pooling_mode_max_tokens", nil), ("pooling_mode_mean_sqrt_len_tokens", nil), ("pooling_mode_weightedmean_tokens", nil),
        ]
        let set = flags.filter { c[$0.0]?.boolValue == true }
        guard set.count == 1, let mode = set[0].1 else {
            let names = set.map { $0.0.replacingOccurrences(of: "pooling_mode_", with: "") }
            throw .unsupportedPooling(file: file, mode: names.isEmpty ? "none" : names.joined(separator: " + "))
        }
        return mode
    }

    static func read(_ url: URL) throws(EmbeddingError) -> JSONValue {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .unreadable(file: url.path, reason: error.localizedDescription) }
        do { return try JSONParser.parse([UInt8](data)) } catch {
            throw .invalid(file: url.path, field: "(file)", reason: "not valid JSON: \(error)")
        }
    }
}
