/// The `post_processor` section of tokenizer.json, for single sequences: it adds the
/// special tokens around the model's ids when `add_special_tokens` is true.
indirect enum PostProcessor: Sendable {
    /// TemplateProcessing's `single` template, already resolved to id runs; `nil` marks
    /// where the sequence goes.
    case template([[Int32]?])
    case bert(cls: Int32, sep: Int32)
    case roberta(cls: Int32, sep: Int32)
    /// ByteLevel only trims offsets; ids are unchanged.
    case byteLevel
    case sequence([PostProcessor])

    func process(_ ids: [Int32], addSpecialTokens: Bool) -> [Int32] {
        guard addSpecialTokens else { return ids }
        switch self {
        case .template(let pieces):
            var out: [Int32] = []
            out.reserveCapacity(ids.count + 4)
            for piece in pieces {
                if let special = piece { out.append(contentsOf: special) } else { out.append(contentsOf: ids) }
            }
            return out
        case .bert(let cls, let sep), .roberta(let cls, let sep):
            return [cls] + ids + [sep]
        case .byteLevel:
            return ids
        case .sequence(let steps):
            var out = ids
            for step in steps { out = step.process(out, addSpecialTokens: addSpecialTokens) }
            return out
        }
    }
}
