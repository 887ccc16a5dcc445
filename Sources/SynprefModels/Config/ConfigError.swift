/// Why a `config.json` cannot be used. Every case names the file and the field.
public enum ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON.
    case invalidJSON(file: String, detail: String)
    /// The JSON is not an object.
    case notAnObject(file: String, found: String)
    /// A field that has no default is absent.
    case missingField(file: String, field: String)
    /// A field has the wrong JSON type (e.g. a float where transformers requires an int).
    case wrongType(file: String, field: String, expected: String, found: String)
    /// A field has a value that cannot work (e.g. heads that do not divide into key/value heads).
    case invalidValue(file: String, field: String, value: String, reason: String)
    /// `architectures[0]` is not one Synpref runs.
    case unsupportedArchitecture(file: String, architecture: String, supported: [String])
    /// A valid transformers option that Synpref does not implement (rope type, activation,
    /// sliding-window attention, ...).
    case unsupported(file: String, field: String, value: String, supported: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the model config: \(reason)"
        case .invalidJSON(let file, let detail):
            return "\(file): not valid JSON: \(detail)"
        case .notAnObject(let file, let found):
            return "\(file): a model config must be a JSON object, found \(found)"
        case .missingField(let file, let field):
            return "\(file): missing field \"\(field)\""
        case .wrongType(let file, let field, let expected, let found):
            return "\(file): field \"\(field)\" must be \(expected), found \(found)"
        case .invalidValue(let file, let field, let value, let reason):
            return "\(file): field \"\(field)\" = \(value) is invalid: \(reason)"
        case .unsupportedArchitecture(let file, let architecture, let supported):
            return "\(file): architecture \(architecture) is not supported; supported architectures: "
                + supported.joined(separator: ", ")
                + " (a base model of the same family, e.g. Qwen3ForCausalLM, loads as a classifier when the head is given)"
        case .unsupported(let file, let field, let value, let supported):
            return "\(file): \"\(field)\" = \(value) is not supported; supported: " + supported.joined(separator: ", ")
        }
    }
}
