/// LLM judges' answers kept in the store, keyed by the SHA-256 of the exact request: the
/// judges' answer cache when they work from a store, shared by every worker, so no call is
/// paid for twice across processes and machines.
///
/// Guarantees: an answer, once saved, is never replaced (the first one saved for a key
/// stays); saving is idempotent.
public protocol ResponseLog: Sendable {
    /// The saved answers among `keys`.
    func responses(keys: [String]) async throws -> [String: StoredResponse]
    /// Saves answers whose key is new (one transaction); returns how many were new.
    @discardableResult
    func saveResponses(_ responses: [StoredResponse]) async throws -> Int
    /// How many answers are saved.
    func responseCount() async throws -> Int
}

/// One saved judge answer.
public struct StoredResponse: Sendable, Hashable {
    public var key: String
    /// The judge's name in its judges file.
    public var judge: String
    public var content: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Requests it took (retries included).
    public var attempts: Int

    public init(key: String, judge: String, content: String, promptTokens: Int, completionTokens: Int, attempts: Int) {
        self.key = key
        self.judge = judge
        self.content = content
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.attempts = attempts
    }
}
