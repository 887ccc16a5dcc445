import Foundation
import SynprefCore

/// One (conversation, response) to score: the conversation's last message is the assistant
/// response being judged. `id` is content-derived (SHA-256 of the canonical messages JSON), so
/// a response shared between benchmarks, or repeated inside one, is scored once.
public struct ScoreRequest: Sendable, Hashable {
    public let id: String
    public let messages: [ChatMessage]
    /// The canonical messages JSON the id hashes (kept: the request file reuses it).
    public let canonicalMessages: String

    public init(messages: [ChatMessage]) {
        self.init(messages: messages, canonical: ConversationCodec.canonical(messages))
    }

    init(messages: [ChatMessage], canonical: String) {
        self.messages = messages
        self.canonicalMessages = canonical
        self.id = SHA256.hex(canonical)
    }

    /// The request id of `messages`.
    public static func id(for messages: [ChatMessage]) -> String {
        SHA256.hex(ConversationCodec.canonical(messages))
    }

    /// `{"id":"...","messages":[...]}`: one line of a request file.
    public var jsonLine: String {
        "{\"id\":\"\(id)\",\"messages\":\(canonicalMessages)}"
    }
}

/// Collects the distinct requests of one or more benchmarks, in first-seen order. A
/// conversation seen before is recognised by its canonical text before hashing (hashing is
/// the expensive part; RMB repeats each response in several pairs).
public struct RequestSet: Sendable {
    public private(set) var requests: [ScoreRequest] = []
    private var idByCanonical: [ExactText: String] = [:]
    private var ids: Set<String> = []

    public init() {}

    /// Adds `messages` (if new) and returns its id.
    @discardableResult
    public mutating func add(_ messages: [ChatMessage]) -> String {
        let canonical = ConversationCodec.canonical(messages)
        if let id = idByCanonical[ExactText(canonical)] { return id }
        let request = ScoreRequest(messages: messages, canonical: canonical)
        idByCanonical[ExactText(canonical)] = request.id
        if ids.insert(request.id).inserted { requests.append(request) }
        return request.id
    }

    public mutating func add(contentsOf other: [ScoreRequest]) {
        // Ids identify canonical texts one to one; comparing the short ids is cheaper.
        for r in other where ids.insert(r.id).inserted { requests.append(r) }
    }

    public var count: Int { requests.count }
}

/// The usual reward-model input: one user turn, then the response.
@inline(__always)
func singleTurn(_ prompt: String, _ response: String) -> [ChatMessage] {
    [ChatMessage(role: .user, content: prompt), ChatMessage(role: .assistant, content: response)]
}
