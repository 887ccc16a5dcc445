/// Everything that stops a training job, each naming the file, line, field or option at
/// fault and what to do.
public enum TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    case unreadableData(file: String, reason: String)
    case emptyData(file: String)
    case invalidLine(file: String, line: Int, reason: String)
    case invalidField(file: String, line: Int, field: String, reason: String)
    case tokenOutOfRange(file: String, line: Int, field: String, id: Int, vocabSize: Int)
    case tooLong(file: String, line: Int, field: String, length: Int, limit: Int)
    case needsConversationEncoder(file: String, format: String)
    case invalidSetting(TrainingSetting, reason: String)
    case noPairsLeft(file: String, dropped: Int, maxLength: Int)
    case resume(directory: String, reason: String)
    case checkpoint(directory: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableData(let file, let reason):
            return "\(file): cannot read the training data (\(reason))"
        case .emptyData(let file):
            return "\(file): no preference pairs; give a file with one pair per line"
        case .invalidLine(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        case .invalidField(let file, let line, let field, let reason):
            return "\(file):\(line): field \"\(field)\" \(reason)"
        case .tokenOutOfRange(let file, let line, let field, let id, let vocab):
            return "\(file):\(line): \(field) has token id \(id) outside the model's vocabulary 0..<\(vocab); were these ids made with this model's tokenizer?"
        case .tooLong(let file, let line, let field, let length, let limit):
            return "\(file):\(line): \(field) has \(length) tokens but the model reads at most \(limit) positions; set the maximum length to \(limit) and drop or truncate longer pairs"
        case .needsConversationEncoder(let file, let format):
            return "\(file): holds conversations (\(format) format) but the model folder has no tokenizer to turn them into token ids; give a model folder with tokenizer.json (and its chat template), or pre-tokenized pairs {\"chosen_ids\": [...], \"rejected_ids\": [...]}"
        case .invalidSetting(let setting, let reason):
            return "\(setting.rawValue): \(reason)"
        case .noPairsLeft(let file, let dropped, let maxLength):
            return "\(file): all \(dropped) pairs are longer than the maximum length \(maxLength) and were dropped; raise the maximum length or truncate longer pairs"
        case .resume(let directory, let reason):
            return "\(directory): cannot resume (\(reason))"
        case .checkpoint(let directory, let reason):
            return "\(directory): cannot write the checkpoint (\(reason))"
        }
    }
}
