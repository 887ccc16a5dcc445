import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SynprefCore

/// One chat-completions call's request, as sent (the cache key covers exactly this).
public struct ChatRequest: Sendable, Hashable {
    public var messages: [(role: String, content: String)]
    /// The answer's JSON schema (sent per `JudgeConfig.structuredOutput`).
    public var schema: JSONValue?
    public var schemaName: String
    /// Sent as `seed` (servers that support it sample reproducibly).
    public var seed: Int?

    public init(messages: [(role: String, content: String)], schema: JSONValue?, schemaName: String, seed: Int?) {
        self.messages = messages
        self.schema = schema
        self.schemaName = schemaName
        self.seed = seed
    }

    public static func == (a: ChatRequest, b: ChatRequest) -> Bool {
        a.messages.elementsEqual(b.messages) { $0.role == $1.role && $0.content == $1.content }
            && a.schema == b.schema && a.schemaName == b.schemaName && a.seed == b.seed
    }

    public func hash(into hasher: inout Hasher) {
        for m in messages { hasher.combine(m.role); hasher.combine(m.content) }
        hasher.combine(seed)
    }

    /// The JSON body for `judge`.
    public func body(for judge: JudgeConfig) -> JSONValue {
        var o: JSONObject = [
            "model": .string(judge.model),
            "messages": .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] }),
            "temperature": .double(judge.temperature),
            "max_tokens": .integer(judge.maxTokens),
        ]
        if let seed { o["seed"] = .integer(seed) }
        if let schema {
            switch judge.structuredOutput {
            case .none: break
            case .jsonSchema:
                o["response_format"] = ["type": "json_schema",
                                        "json_schema": ["name": .string(schemaName), "schema": schema, "strict": true]]
            case .jsonObject:
                o["response_format"] = ["type": "json_object", "schema": schema]
            }
        }
        return .object(o)
    }
}

/// What one successful call returned.
public struct ChatAnswer: Sendable, Equatable {
    public var content: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// HTTP attempts it took (1 = no retry).
    public var attempts: Int

    public init(content: String, promptTokens: Int, completionTokens: Int, attempts: Int) {
        self.content = content
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.attempts = attempts
    }

    /// The answer in a chat completion body (`choices[0].message.content`, `usage`); nil
    /// when it has no content.
    public init?(completion json: JSONValue, attempts: Int = 1) {
        guard let content = json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else { return nil }
        self.init(content: content, promptTokens: json["usage"]?["prompt_tokens"]?.intValue ?? 0,
                  completionTokens: json["usage"]?["completion_tokens"]?.intValue ?? 0, attempts: attempts)
    }
}

/// Calls one judge's chat-completions endpoint with the judge's concurrency cap, optional
/// requests/min and tokens/min limits, a per-request timeout and `RetryPolicy`. Errors
/// from the server are read in both shapes: OpenAI's `{"error": {"message", "code":
/// string}}` and vLLM's `{"object": "error", "message", "code": int}` (or nested).
public final class ChatClient: Sendable {
    public let judge: JudgeConfig
    private let apiKey: String?
    private let http: HTTPClient
    private let limiter: ConcurrencyLimiter
    private let rate: RateLimiter?
    public let policy: RetryPolicy
    private let counters = Counters()

    /// Counts shared by the run's progress line.
    public final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var _requests = 0, _retries = 0
        func request() { lock.withLock { _requests += 1 } }
        func retry() { lock.withLock { _retries += 1 } }
        public var requests: Int { lock.withLock { _requests } }
        public var retries: Int { lock.withLock { _retries } }
    }

    public var requests: Int { counters.requests }
    public var retries: Int { counters.retries }

    public init(judge: JudgeConfig, http: HTTPClient = .shared, policy: RetryPolicy = RetryPolicy(),
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.judge = judge
        self.apiKey = try judge.apiKey(environment: environment)
        self.http = http
        self.policy = policy
        self.limiter = ConcurrencyLimiter(limit: judge.maxConcurrency)
        self.rate = (judge.requestsPerMinute != nil || judge.tokensPerMinute != nil)
            ? RateLimiter(requestsPerMinute: judge.requestsPerMinute, tokensPerMinute: judge.tokensPerMinute) : nil
    }

    /// Sends `request`, retrying per the policy; throws `JudgeError.rejected` for a
    /// non-retryable status and `.gaveUp` when the retries run out. `keep` runs on the answer
    /// while the call still holds its concurrency slot (e.g. to store it), so at most
    /// `maxConcurrency` answers are ever received and not yet kept; its errors are rethrown.
    public func complete(_ request: ChatRequest, keep: @Sendable (ChatAnswer) async throws -> Void = { _ in }) async throws -> ChatAnswer {
        let body = request.body(for: judge).serializedBytes()
        let estimatedTokens = body.count / 4
        var attempt = 0
        var last = ""
        while true {
            try Task.checkCancellation()
            attempt += 1
            if let rate { try await rate.acquire(tokens: estimatedTokens) }
            let tries = attempt
            let outcome = try await limiter.run { () async throws -> Outcome in
                let outcome = try await self.send(body)
                if case .answer(var answer) = outcome {
                    answer.attempts = tries
                    try await keep(answer)
                    return .answer(answer)
                }
                return outcome
            }
            counters.request()
            switch outcome {
            case .answer(let answer):
                return answer
            case .rejected(let status, let message):
                throw JudgeError.rejected(judge: judge.name, status: status, message: message)
            case .retry(let reason, let headers):
                last = reason
                guard attempt <= judge.maxRetries else {
                    throw JudgeError.gaveUp(judge: judge.name, attempts: attempt, last: last)
                }
                counters.retry()
                let wait = policy.delay(attempt: attempt, headers: headers, jitter: Double.random(in: 0..<1))
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            }
        }
    }

    enum Outcome: Sendable {
        case answer(ChatAnswer)
        case rejected(status: Int, message: String)
        case retry(reason: String, headers: [(String, String)])
    }

    private func send(_ body: [UInt8]) async throws -> Outcome {
        var request = HTTPClientRequest(url: judge.completionsURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: Int, headers: [(String, String)], bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(judge.timeoutSeconds * 1000)))
            status = Int(response.status.code)
            headers = response.headers.map { ($0.name, $0.value) }
            bytes = try await response.body.collect(upTo: 16 << 20)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where [.invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown].contains(error) {
            throw JudgeError.rejected(judge: judge.name, status: 0, message: "\(error) (endpoint \(judge.completionsURL))")
        } catch {
            return .retry(reason: "connection: \(error)", headers: [])
        }
        let text = String(buffer: bytes)
        guard status == 200 else {
            let message = Self.errorMessage(text) ?? String(text.prefix(300))
            if policy.shouldRetry(status: status, headers: headers) {
                return .retry(reason: "HTTP \(status): \(message)", headers: headers)
            }
            return .rejected(status: status, message: message)
        }
        let json: JSONValue
        do { json = try JSONParser.parse([UInt8](bytes.readableBytesView)) } catch {
            return .retry(reason: "HTTP 200 with a body that is not JSON (\(error))", headers: headers)
        }
        guard let answer = ChatAnswer(completion: json) else {
            if let message = Self.errorMessage(text) { return .retry(reason: "HTTP 200 with an error: \(message)", headers: headers) }
            return .retry(reason: "HTTP 200 without choices[0].message.content", headers: headers)
        }
        return .answer(answer)
    }

    /// The message of an error body in OpenAI's or vLLM's shape (with its code).
    static func errorMessage(_ text: String) -> String? {
        guard let json = try? JSONParser.parse(text) else { return nil }
        let error: JSONValue
        if let nested = json["error"] { error = nested } else if json["object"]?.stringValue == "error" { error = json } else { return nil }
        if let s = error.stringValue { return s }
        guard let message = error["message"]?.stringValue else { return nil }
        switch error["code"] {
        case .string(let c)?: return "\(message) (\(c))"
        case .integer(let c)?: return "\(message) (\(c))"
        default: return message
        }
    }
}

/// At most `limit` operations at once; the rest wait in arrival order.
final class ConcurrencyLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { available = limit }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready: Bool = lock.withLock {
                if available > 0 { available -= 1; return true }
                waiters.append(c)
                return false
            }
            if ready { c.resume() }
        }
    }

    private func release() {
        let next: CheckedContinuation<Void, Never>? = lock.withLock {
            if waiters.isEmpty { available += 1; return nil }
            return waiters.removeFirst()
        }
        next?.resume()
    }
}

/// Requests/min and tokens/min over a sliding minute.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private let rpm: Double?, tpm: Double?
    private var events: [(time: Double, tokens: Int)] = []

    init(requestsPerMinute: Double?, tokensPerMinute: Double?) {
        rpm = requestsPerMinute
        tpm = tokensPerMinute
    }

    func acquire(tokens: Int) async throws {
        while true {
            let wait: Double = lock.withLock {
                let now = Date().timeIntervalSince1970
                events.removeAll { $0.time <= now - 60 }
                let count = Double(events.count), used = Double(events.reduce(0) { $0 + $1.tokens })
                let overRequests = rpm.map { count + 1 > $0 } ?? false
                let overTokens = tpm.map { used + Double(tokens) > $0 && !events.isEmpty } ?? false
                if !overRequests && !overTokens {
                    events.append((now, tokens))
                    return 0
                }
                return Swift.max(0.01, (events.first?.time ?? now) + 60 - now)
            }
            if wait == 0 { return }
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }
}
