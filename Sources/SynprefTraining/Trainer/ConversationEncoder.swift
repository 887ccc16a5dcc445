import Foundation
import SynprefCore
import SynprefJinja
import SynprefText

/// Turns a conversation into the token ids a reward model reads. Training uses it for
/// data given as conversations (the data issue's formats, store tiers); pre-tokenized pairs
/// skip it. The seam lets the text front end's shared encoder replace the default below.
public protocol ConversationEncoder: Sendable {
    func encode(_ conversation: [ChatMessage]) throws -> [Int]
}

/// The paper's recipe (system.md §5): render with the model's chat template
/// (`add_generation_prompt = False`, no system prompt added), strip a leading BOS string if
/// the template emitted one (the tokenizer adds its own), tokenize with the tokenizer's
/// default special tokens. Models without a chat template (BERT encoders) get the
/// conversation as plain text in HH-RLHF's layout ("\n\nHuman: …\n\nAssistant: …").
public struct TemplateConversationEncoder: ConversationEncoder {
    public let tokenizer: Tokenizer
    public let template: ChatTemplate?

    public init(tokenizer: Tokenizer, template: ChatTemplate?) {
        self.tokenizer = tokenizer
        self.template = template
    }

    /// The tokenizer (tokenizer.json) and chat template of a model folder; nil when the
    /// folder has no tokenizer.json.
    public static func load(directory: URL) throws -> TemplateConversationEncoder? {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path) else { return nil }
        let tokenizer = try Tokenizer.load(directory: directory)
        let template = try? ChatTemplate(directory: directory)
        return TemplateConversationEncoder(tokenizer: tokenizer, template: template)
    }

    public func encode(_ conversation: [ChatMessage]) throws -> [Int] {
        guard let template else { return tokenizer.encode(TemplateConversationEncoder.plainText(conversation)) }
        var text = try template.render(messages: conversation, addGenerationPrompt: false)
        if let bos = tokenizer.config?.bosToken, !bos.isEmpty, text.hasPrefix(bos) {
            text.removeFirst(bos.count)
        }
        return tokenizer.encode(text)
    }

    /// "\n\nHuman: …\n\nAssistant: …" (system turns as "System:").
    public static func plainText(_ conversation: [ChatMessage]) -> String {
        conversation.map { m -> String in
            let role: String
            switch m.role {
            case .user: role = "Human"
            case .assistant: role = "Assistant"
            default: role = m.role.rawValue.prefix(1).uppercased() + m.role.rawValue.dropFirst()
            }
            return "\n\n\(role): \(m.content)"
        }.joined()
    }
}
