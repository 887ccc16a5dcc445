/// Why an embedding model or an embedding file could not be used; each names the file and
/// says what to change.
public enum EmbeddingError: Error, CustomStringConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case invalid(file: String, field: String, reason: String)
    case unsupportedModule(file: String, type: String)
    case unsupportedPooling(file: String, mode: String)
    case noTokenizer(directory: String)
    case unknownPrompt(name: String, available: [String])
    case dimensionMismatch(file: String, line: Int, expected: Int, found: Int)
    case searchUnavailable(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read (\(reason))"
        case .invalid(let file, let field, let reason):
            return "\(file): \(field): \(reason)"
        case .unsupportedModule(let file, let type):
            return "\(file): module \(type) is not supported; Synpref runs Transformer, Pooling and Normalize modules"
        case .unsupportedPooling(let file, let mode):
            return "\(file): pooling mode \(mode) is not supported; supported: mean, cls, lasttoken"
        case .noTokenizer(let directory):
            return "\(directory): no tokenizer.json; add the model's tokenizer files"
        case .unknownPrompt(let name, let available):
            return "prompt \"\(name)\" is not in the model's config_sentence_transformers.json; available: \(available.isEmpty ? "none" : available.sorted().joined(separator: ", "))"
        case .dimensionMismatch(let file, let line, let expected, let found):
            return "\(file):\(line): embedding has \(found) components, but the file's first embedding has \(expected); embed every line with the same model"
        case .searchUnavailable(let reason):
            return "--search index: \(reason); use --search exact (or auto) to search in this process"
        }
    }
}
