/// Why a curation command cannot start or go on, in words that say what to change.
public enum CurationError: Error, CustomStringConvertible, Sendable, Equatable {
    case config(file: String, field: String, reason: String)
    /// A file the configuration names is missing or wrong (`file:line` when a line is at fault).
    case input(file: String, reason: String)
    case noProject(name: String, available: [String])

    public var description: String {
        switch self {
        case .config(let file, let field, let reason): return "\(file): \(field): \(reason)"
        case .input(let file, let reason): return "\(file): \(reason)"
        case .noProject(let name, let available):
            return "no curation project \"\(name)\" in the store (projects: \(available.isEmpty ? "none" : available.joined(separator: ", "))); create it with `synpref curate init --config FILE`"
        }
    }
}
