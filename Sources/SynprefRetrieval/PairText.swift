import SynprefCore
import SynprefData

/// The text of a pair's `(x, a)`, as Stage 1 embeds it to find similar pairs: the five
/// preference attributes `a`, then the conversation before the responses `x`, one line per
/// message:
///
///     Task: coding; objectivity: objective; controversiality: low
///     Desired: correct code; a short explanation
///     Guideline: Prefer the response whose code compiles and handles the empty list.
///     User: Write a function that ...
///     Assistant: ...
///     User: ...
///
/// A pair without attributes is its conversation alone. When the tokens exceed the
/// embedder's maximum, the conversation loses tokens from its start (the end of the context
/// is what the responses answer); the attributes are kept whole.
public enum PairText {
    public static func attributes(_ a: PreferenceAttributes) -> String {
        "Task: \(a.taskCategory); objectivity: \(a.objectivity.rawValue); controversiality: \(a.controversiality.rawValue)\n"
            + "Desired: \(a.desiredAttributes)\nGuideline: \(a.annotationGuideline)\n"
    }

    public static func conversation(_ messages: [ChatMessage]) -> String {
        ChatMessage.transcript(messages)
    }
}

extension SentenceEmbedder {
    /// The ids of a pair's `(x, a)` text (`PairText`): the prompt's and the attributes'
    /// tokens, then the conversation's tokens cut from the start to fit the model's maximum,
    /// with the tokenizer's special tokens around them.
    public func tokenize(pair: PreferencePair, prompt: String = "") -> [Int] {
        let head = prompt + (pair.attributes.map(PairText.attributes) ?? "")
        let tail = PairText.conversation(pair.context)
        let headIDs = tokenizer.encode(head, addSpecialTokens: false)
        var tailIDs = tokenizer.encode(tail, addSpecialTokens: false)
        let specials = tokenizer.specialTokenCount(pair: false)
        if let max = layout.maxSequenceLength {
            let room = Swift.max(0, max - specials - headIDs.count)
            if tailIDs.count > room { tailIDs = Array(tailIDs.suffix(room)) }
        }
        var ids = tokenizer.postProcess(headIDs + tailIDs).ids
        if let max = layout.maxSequenceLength, ids.count > max {
            // Attributes alone longer than the maximum: cut them on the right, as text is.
            ids = tokenizer.postProcess(Array(headIDs.prefix(Swift.max(0, max - specials)))).ids
        }
        return ids
    }
}
