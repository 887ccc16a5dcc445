/// Why a tokenizer.json or tokenizer_config.json could not be loaded. Every case names
/// the file and the JSON field (a dotted path such as `pre_tokenizer.pretokenizers[0]`).
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    case cannotRead(file: String, reason: String)
    case invalidJSON(file: String, line: Int, column: Int, message: String)
    case missingField(file: String, field: String)
    case invalidField(file: String, field: String, expected: String)
    /// A component, option or regex feature the crate has but SynprefText does not
    /// implement (never approximated).
    case unsupported(file: String, field: String, what: String)
    case invalidRegex(file: String, field: String, message: String)
    case tokenNotInVocabulary(file: String, field: String, token: String)

    public var description: String {
        switch self {
        case .cannotRead(let file, let reason):
            return "\(file): cannot read (\(reason)). Check the path; a model folder needs tokenizer.json."
        case .invalidJSON(let file, let line, let column, let message):
            return "\(file):\(line):\(column): invalid JSON (\(message)). The file may be truncated or not a tokenizer file."
        case .missingField(let file, let field):
            return "\(file): required field `\(field)` is missing. Is this a Hugging Face tokenizer.json?"
        case .invalidField(let file, let field, let expected):
            return "\(file): field `\(field)` should be \(expected)."
        case .unsupported(let file, let field, let what):
            return "\(file): `\(field)`: \(what) is not supported by SynprefText (it would not tokenize exactly like Hugging Face `tokenizers`)."
        case .invalidRegex(let file, let field, let message):
            return "\(file): `\(field)`: \(message)."
        case .tokenNotInVocabulary(let file, let field, let token):
            return "\(file): `\(field)` refers to token \(token.debugDescription), which is not in the vocabulary."
        }
    }
}
