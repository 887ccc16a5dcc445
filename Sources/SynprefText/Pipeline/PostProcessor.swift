/// One run of a TemplateProcessing template: a sequence (`$A` / `$B`) or special-token ids,
/// with the type id its tokens get.
struct TemplatePiece: Sendable, Equatable {
    enum Content: Sendable, Equatable {
        case sequenceA, sequenceB
        case special([Int32])
    }
    var content: Content
    var typeID: Int
}

/// The `post_processor` section of tokenizer.json: it adds the special tokens around the
/// model's ids when `add_special_tokens` is true, and assigns token type ids (BERT's
/// segment ids) for single sequences and pairs, as the crate's `post_process` does.
indirect enum PostProcessor: Sendable {
    /// TemplateProcessing's `single` and `pair` templates, already resolved to id runs.
    case template(single: [TemplatePiece], pair: [TemplatePiece])
    case bert(cls: Int32, sep: Int32)
    case roberta(cls: Int32, sep: Int32)
    /// ByteLevel only trims offsets; ids are unchanged.
    case byteLevel
    case sequence([PostProcessor])

    /// Ids of a single sequence (the fast path of `encode`).
    func process(_ ids: [Int32], addSpecialTokens: Bool) -> [Int32] {
        guard addSpecialTokens else { return ids }
        switch self {
        case .template(let single, _):
            var out: [Int32] = []
            out.reserveCapacity(ids.count + 4)
            for piece in single {
                switch piece.content {
                case .special(let special): out.append(contentsOf: special)
                case .sequenceA, .sequenceB: out.append(contentsOf: ids)
                }
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

    /// An encoding in flight: ids with their type ids.
    struct Part: Sendable {
        var ids: [Int32]
        var types: [Int]
    }

    /// Post-processes one sequence (`b == nil`) or a pair, returning ids and type ids.
    /// Like the crate: the first sequence's tokens start with type 0 and the second's with
    /// type 1; each processor merges the parts (or leaves them, as ByteLevel does); parts
    /// still separate at the end are concatenated.
    static func run(_ processor: PostProcessor?, a: [Int32], b: [Int32]?, addSpecialTokens: Bool) -> Part {
        var parts = [Part(ids: a, types: [Int](repeating: 0, count: a.count))]
        if let b { parts.append(Part(ids: b, types: [Int](repeating: 1, count: b.count))) }
        if let processor { parts = processor.apply(parts, addSpecialTokens: addSpecialTokens) }
        return merge(parts)
    }

    private static func merge(_ parts: [Part]) -> Part {
        guard parts.count > 1 else { return parts.first ?? Part(ids: [], types: []) }
        var out = Part(ids: [], types: [])
        for p in parts {
            out.ids += p.ids
            out.types += p.types
        }
        return out
    }

    private func apply(_ parts: [Part], addSpecialTokens: Bool) -> [Part] {
        if case .sequence(let steps) = self {
            var out = parts
            for step in steps { out = step.apply(out, addSpecialTokens: addSpecialTokens) }
            return out
        }
        if case .byteLevel = self { return parts }
        let a = parts[0]
        let b = parts.count > 1 ? parts[1] : nil
        switch self {
        case .template(let single, let pair):
            // Without special tokens the crate still applies the template's type ids to
            // the sequences; it only leaves the special tokens out.
            var out = Part(ids: [], types: [])
            for piece in b == nil ? single : pair {
                let run: [Int32]
                switch piece.content {
                case .special(let ids): run = addSpecialTokens ? ids : []
                case .sequenceA: run = a.ids
                case .sequenceB: run = b?.ids ?? []
                }
                out.ids += run
                out.types += [Int](repeating: piece.typeID, count: run.count)
            }
            return [out]
        case .bert where !addSpecialTokens:
            return [PostProcessor.merge(parts)]
        case .roberta where !addSpecialTokens:
            // RoBERTa uses no token types: the crate zeroes them before anything else.
            let merged = PostProcessor.merge(parts)
            return [Part(ids: merged.ids, types: [Int](repeating: 0, count: merged.ids.count))]
        case .bert(let cls, let sep):
            var out = Part(ids: [cls] + a.ids + [sep], types: [Int](repeating: 0, count: a.ids.count + 2))
            if let b {
                out.ids += b.ids + [sep]
                out.types += [Int](repeating: 1, count: b.ids.count + 1)
            }
            return [out]
        case .roberta(let cls, let sep):
            var ids = [cls] + a.ids + [sep]
            if let b { ids += [sep] + b.ids + [sep] }
            return [Part(ids: ids, types: [Int](repeating: 0, count: ids.count))]
        case .byteLevel, .sequence:
            return parts // handled above
        }
    }

    /// How many special tokens `add_special_tokens` adds (`num_special_tokens_to_add`).
    func addedTokens(pair: Bool) -> Int {
        switch self {
        case .template(let single, let pairTemplate):
            return (pair ? pairTemplate : single).reduce(0) {
                if case .special(let ids) = $1.content { return $0 + ids.count }
                return $0
            }
        case .bert: return pair ? 3 : 2
        case .roberta: return pair ? 4 : 2
        case .byteLevel: return 0
        case .sequence(let steps): return steps.reduce(0) { $0 + $1.addedTokens(pair: pair) }
        }
    }
}
