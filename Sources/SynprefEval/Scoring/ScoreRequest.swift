import SynprefCore

/// One (conversation, response) to score: the conversation's last message is the assistant
/// response being judged. `id` is content-derived (SHA-256 of the canonical messages JSON), so
/// a response shared between benchmarks, or repeated inside one, is scored once.
public struct ScoreRequest: Sendable, Hashable {
    public let id: String
    public let messages: [ChatMessage]

    public init(messages: [ChatMessage]) {
        self.messages = messages
        self.id = ScoreRequest.id(for: messages)
    }

    /// The request id of `messages`.
    public static func id(for messages: [ChatMessage]) -> String {
        SHA256.hex(CanonicalJSON.messages(messages))
    }

    /// `{"id":"...","messages":[...]}`: one line of a request file.
    public var jsonLine: String {
        "{\"id\":\"\(id)\",\"messages\":\(CanonicalJSON.messages(messages))}"
    }
}

/// Collects the distinct requests of one or more benchmarks, in first-seen order.
public struct RequestSet: Sendable {
    public private(set) var requests: [ScoreRequest] = []
    private var seen: Set<String> = []

    public init() {}

    /// Adds `messages` (if new) and returns its id.
    @discardableResult
    public mutating func add(_ messages: [ChatMessage]) -> String {
        let request = ScoreRequest(messages: messages)
        if seen.insert(request.id).inserted { requests.append(request) }
        return request.id
    }

    public mutating func add(contentsOf other: [ScoreRequest]) {
        for r in other where seen.insert(r.id).inserted { requests.append(r) }
    }

    public var count: Int { requests.count }
}

/// The usual reward-model input: one user turn, then the response.
@inline(__always)
func singleTurn(_ prompt: String, _ response: String) -> [ChatMessage] {
    [ChatMessage(role: .user, content: prompt), ChatMessage(role: .assistant, content: response)]
}
