import Foundation
import SynprefCore
import SynprefModels

/// Turns a conversation into the token ids (and token types) a reward model reads.
/// Training uses it for data given as conversations (the `PreferenceFormat` files, store
/// tiers); pre-tokenized pairs skip it. The implementation is the shared text front end
/// (`TextFrontEnd`, SynprefModels), so a model trains on exactly the input `synpref score`
/// and `synpref eval` give it; tests may plug in their own.
public protocol ConversationEncoder: Sendable {
    func encode(_ conversation: [ChatMessage]) throws -> [Int]
    /// Ids with their token type ids (nil: all zeros). Defaults to `encode` without types.
    func encodeWithTypes(_ conversation: [ChatMessage]) throws -> (ids: [Int], typeIDs: [Int]?)
}

extension ConversationEncoder {
    public func encodeWithTypes(_ conversation: [ChatMessage]) throws -> (ids: [Int], typeIDs: [Int]?) {
        (try encode(conversation), nil)
    }
}

extension TextFrontEnd: ConversationEncoder {
    public func encode(_ conversation: [ChatMessage]) throws -> [Int] {
        try input(for: conversation).ids
    }

    public func encodeWithTypes(_ conversation: [ChatMessage]) throws -> (ids: [Int], typeIDs: [Int]?) {
        let input = try input(for: conversation)
        return (input.ids, input.typeIDs.contains { $0 != 0 } ? input.typeIDs : nil)
    }

    /// The front end training uses for a model folder: its tokenizer and chat template
    /// (BERT encoders without one use the text-pair layout), with no length limit of its
    /// own (`--max-length` / `--over-length` apply to the encoded pairs). Nil when the
    /// folder has no tokenizer.json.
    public static func forTraining(directory: URL, config: ModelConfig) throws -> TextFrontEnd? {
        var bert = false
        if case .bert = config { bert = true }
        return try TextFrontEnd.load(directory: directory, options: TextFrontEnd.Options(maxLength: nil), textPairWithoutTemplate: bert)
    }
}
