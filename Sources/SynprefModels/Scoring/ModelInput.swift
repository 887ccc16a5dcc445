import SynprefCore

/// Exactly what a reward model reads for one sequence, prepared by `ScoringService`
/// (template rendered once, tokenized, checked against the model): what the forward pass
/// consumes and what score caches are keyed by.
public struct ModelInput: Sendable, Hashable {
    /// Token ids, special tokens included.
    public let ids: [Int]
    /// BERT segment ids, one per token; nil for decoders (which ignore them).
    public let typeIDs: [Int]?
    /// The text the tokenizer read (`TextFrontEnd.renderedText(for:)`); nil for token input.
    public let renderedText: String?
    /// Tokens removed by truncation (0 when the input fit).
    public let truncatedTokens: Int
    /// SHA-256 (hex) of the exact input. For a conversation it is the hash of the rendered
    /// text: with the model's fingerprint, which covers the tokenizer, the template and the
    /// length options, it determines the ids. For token input it is the hash of the ids
    /// (and type ids) behind a NUL-led prefix no rendered text starts with.
    public let cacheKey: String

    init(ids: [Int], typeIDs: [Int]?, renderedText: String?, truncatedTokens: Int) {
        self.ids = ids
        self.typeIDs = typeIDs
        self.renderedText = renderedText
        self.truncatedTokens = truncatedTokens
        if let renderedText {
            cacheKey = SHA256.hex(renderedText)
        } else {
            var text = "\u{0}input_ids:" + ids.map(String.init).joined(separator: ",")
            if let typeIDs { text += "\u{0}token_type_ids:" + typeIDs.map(String.init).joined(separator: ",") }
            cacheKey = SHA256.hex(text)
        }
    }
}
