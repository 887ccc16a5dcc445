/// Who wrote a turn of a conversation.
public enum ChatRole: String, Codable, Sendable, CaseIterable {
    case system, user, assistant, tool

    /// The role as plain-text transcripts label a line ("User: …").
    public var label: String {
        switch self {
        case .system: return "System"
        case .user: return "User"
        case .assistant: return "Assistant"
        case .tool: return "Tool"
        }
    }
}

extension ChatMessage {
    /// Messages as a plain-text transcript: one "Label: content" line per message.
    public static func transcript(_ messages: some Sequence<ChatMessage>) -> String {
        messages.map { "\($0.role.label): \($0.content)" }.joined(separator: "\n")
    }
}

/// One turn of a conversation, as chat templates and preference formats see it.
///
/// `reasoningContent` holds a model's thinking when a format stores it separately
/// (Qwen3 templates render it inside `<think>…</think>`).
public struct ChatMessage: Codable, Sendable, Hashable {
    public var role: ChatRole
    public var content: String
    public var reasoningContent: String?

    public init(role: ChatRole, content: String, reasoningContent: String? = nil) {
        self.role = role
        self.content = content
        self.reasoningContent = reasoningContent
    }

    enum CodingKeys: String, CodingKey {
        case role, content
        case reasoningContent = "reasoning_content"
    }
}
