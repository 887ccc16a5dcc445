import Foundation
import SynprefCore

/// One judge: an OpenAI-compatible chat-completions endpoint and how to call it. A judges
/// file is a JSON list of these; more entries are more judges (aggregated across models).
///
/// ```json
/// [{"name": "qwen-a", "endpoint": "http://127.0.0.1:8000/v1", "model": "Qwen/Qwen3-32B",
///   "api_key_env": "OPENAI_API_KEY", "max_concurrency": 16, "temperature": 0.7,
///   "samples": 3, "structured_output": true,
///   "price_per_million_input": 0.0, "price_per_million_output": 0.0}]
/// ```
public struct JudgeConfig: Sendable, Equatable {
    /// How the answer's JSON shape is requested.
    public enum StructuredOutput: String, Sendable, Equatable {
        /// No `response_format`; the prompt asks for JSON.
        case none
        /// `{"type": "json_schema", "json_schema": {"name", "schema", "strict": true}}` (OpenAI, vLLM).
        case jsonSchema = "json_schema"
        /// `{"type": "json_object", "schema": {...}}` (llama.cpp's server).
        case jsonObject = "json_object"
    }

    public var name: String
    /// Base URL ending before `/chat/completions` (e.g. `https://api.openai.com/v1`).
    public var endpoint: String
    public var model: String
    /// The environment variable holding the API key (never on the command line, never in
    /// logs or caches); nil: no Authorization header.
    public var apiKeyEnv: String?
    public var maxConcurrency = 8
    public var temperature = 0.7
    /// Samples per item for preference and verify (self-consistency); attributes use 1.
    public var samples = 3
    public var structuredOutput = StructuredOutput.jsonSchema
    public var pricePerMillionInput = 0.0
    public var pricePerMillionOutput = 0.0
    public var maxTokens = 1024
    /// Seconds for one HTTP exchange.
    public var timeoutSeconds = 120.0
    /// Attempts after the first, for retryable failures.
    public var maxRetries = 8
    public var requestsPerMinute: Double?
    public var tokensPerMinute: Double?

    public init(name: String, endpoint: String, model: String) {
        self.name = name
        self.endpoint = endpoint
        self.model = model
    }

    /// The URL of chat completions.
    public var completionsURL: String {
        (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + "/chat/completions"
    }

    /// The API key from `apiKeyEnv`; throws when the variable is named but unset.
    public func apiKey(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        guard let variable = apiKeyEnv else { return nil }
        guard let key = environment[variable], !key.isEmpty else { throw JudgeError.missingAPIKey(judge: name, variable: variable) }
        return key
    }

    /// Dollars for a call's usage.
    public func cost(promptTokens: Int, completionTokens: Int) -> Double {
        (Double(promptTokens) * pricePerMillionInput + Double(completionTokens) * pricePerMillionOutput) / 1_000_000
    }

    /// Reads a judges file (a JSON list; fields as documented above; unknown fields are an
    /// error so that a typo does not silently fall back to a default).
    public static func load(path: String) throws -> [JudgeConfig] {
        let value: JSONValue
        do { value = try JSONFields.document(path: path) } catch { throw JudgeError.config(file: path, field: error.field, reason: error.reason) }
        guard case .array(let items) = value, !items.isEmpty else {
            throw JudgeError.config(file: path, field: "(file)", reason: "expected a non-empty JSON list of judges")
        }
        var names = Set<String>()
        return try items.enumerated().map { i, item in
            let judge = try parse(item, field: "[\(i)]", file: path)
            guard names.insert(judge.name).inserted else {
                throw JudgeError.config(file: path, field: "[\(i)].name", reason: "\"\(judge.name)\" is used twice; judge names must be unique")
            }
            return judge
        }
    }

    static let knownKeys: Set<String> = [
        "name", "endpoint", "model", "api_key_env", "max_concurrency", "temperature", "samples", "structured_output",
        "price_per_million_input", "price_per_million_output", "max_tokens", "timeout_seconds", "max_retries",
        "requests_per_minute", "tokens_per_minute",
    ]

    static func parse(_ item: JSONValue, field: String, file: String) throws -> JudgeConfig {
        do {
            return try read(item, field: field)
        } catch let issue as FieldIssue {
            throw JudgeError.config(file: file, field: issue.field, reason: issue.reason)
        }
    }

    private static func read(_ item: JSONValue, field: String) throws(FieldIssue) -> JudgeConfig {
        let o = try JSONFields(item, path: field, known: knownKeys)
        guard let name = try o.string("name") else { throw o.issue("name", "missing; give each judge a name") }
        guard let endpoint = try o.string("endpoint") else { throw o.issue("endpoint", "missing; e.g. \"http://127.0.0.1:8000/v1\"") }
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw o.issue("endpoint", "\"\(endpoint)\" must start with http:// or https://")
        }
        guard let model = try o.string("model") else { throw o.issue("model", "missing; the model name the endpoint serves") }
        var c = JudgeConfig(name: name, endpoint: endpoint, model: model)
        c.apiKeyEnv = try o.string("api_key_env")
        c.maxConcurrency = try o.int("max_concurrency", min: 1) ?? c.maxConcurrency
        c.temperature = try o.number("temperature", min: 0) ?? c.temperature
        c.samples = try o.int("samples", min: 1) ?? c.samples
        if let v = o.object["structured_output"], !v.isNull {
            switch v {
            case .bool(let b): c.structuredOutput = b ? .jsonSchema : .none
            case .string(let s):
                guard let so = StructuredOutput(rawValue: s) else {
                    throw o.issue("structured_output", "\"\(s)\"; expected true, false, \"json_schema\" or \"json_object\"")
                }
                c.structuredOutput = so
            default: throw o.issue("structured_output", "expected true, false, \"json_schema\" or \"json_object\"")
            }
        }
        c.pricePerMillionInput = try o.number("price_per_million_input", min: 0) ?? 0
        c.pricePerMillionOutput = try o.number("price_per_million_output", min: 0) ?? 0
        c.maxTokens = try o.int("max_tokens", min: 1) ?? c.maxTokens
        c.timeoutSeconds = try o.number("timeout_seconds", min: 0.001) ?? c.timeoutSeconds
        c.maxRetries = try o.int("max_retries", min: 0) ?? c.maxRetries
        c.requestsPerMinute = try o.number("requests_per_minute", min: 0.001)
        c.tokensPerMinute = try o.number("tokens_per_minute", min: 1)
        return c
    }
}
