/// Why a judge run, a judge file or one call failed, in words that say what to change.
public enum JudgeError: Error, CustomStringConvertible, Sendable, Equatable {
    case config(file: String, field: String, reason: String)
    case missingAPIKey(judge: String, variable: String)
    /// The server refused the request for good (a 4xx other than 408/409/429): its message.
    case rejected(judge: String, status: Int, message: String)
    /// Retries ran out; the last problem.
    case gaveUp(judge: String, attempts: Int, last: String)
    case prompt(file: String, reason: String)
    case cache(file: String, reason: String)

    public var description: String {
        switch self {
        case .config(let file, let field, let reason):
            return "\(file): \(field): \(reason)"
        case .missingAPIKey(let judge, let variable):
            return "judge \"\(judge)\": the environment variable \(variable) (api_key_env) is not set or empty; export the API key in it"
        case .rejected(let judge, let status, let message):
            return "judge \"\(judge)\": the server answered \(status): \(message)"
        case .gaveUp(let judge, let attempts, let last):
            return "judge \"\(judge)\": no answer after \(attempts) attempts; last: \(last)"
        case .prompt(let file, let reason):
            return "\(file): \(reason)"
        case .cache(let file, let reason):
            return "\(file): \(reason)"
        }
    }
}
