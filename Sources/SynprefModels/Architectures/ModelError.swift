/// Why a model cannot be built from a checkpoint or cannot run on an input.
public enum ModelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A weight has a different shape than the config implies.
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    /// A sequence holds a token id outside the vocabulary.
    case tokenOutOfRange(sequence: Int, position: Int, id: Int, vocabSize: Int)
    /// A token type id outside 0..<type_vocab_size (BERT).
    case tokenTypeOutOfRange(sequence: Int, position: Int, id: Int, typeVocabSize: Int)
    /// token_type_ids given with a different length than the input ids.
    case tokenTypeLengthMismatch(sequence: Int, inputIds: Int, tokenTypeIds: Int)
    /// An empty token sequence (there is no last token to score).
    case emptySequence(sequence: Int)
    /// A sequence longer than an absolute-position model's position table (BERT).
    case sequenceTooLong(sequence: Int, length: Int, maxPositionEmbeddings: Int)
    /// The operation needs an architecture or head the model does not have.
    case unsupported(String)

    public var description: String {
        switch self {
        case .wrongShape(let tensor, let expected, let found):
            return "tensor \"\(tensor)\" has shape \(found) but the config implies \(expected); the checkpoint does not match its config.json"
        case .tokenOutOfRange(let s, let p, let id, let vocab):
            return "sequence \(s), position \(p): token id \(id) is outside the vocabulary (0..<\(vocab)); tokenize with this model's tokenizer"
        case .tokenTypeOutOfRange(let s, let p, let id, let n):
            return "sequence \(s), position \(p): token type id \(id) is outside 0..<\(n)"
        case .tokenTypeLengthMismatch(let s, let ids, let types):
            return "sequence \(s): \(ids) input ids but \(types) token type ids; give one type per token"
        case .emptySequence(let s):
            return "sequence \(s) is empty; every sequence needs at least one token"
        case .sequenceTooLong(let s, let length, let maxPos):
            return "sequence \(s) has \(length) tokens but the model has only \(maxPos) position embeddings; truncate it"
        case .unsupported(let what):
            return what
        }
    }
}
