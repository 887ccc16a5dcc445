import SynprefCore

/// Builds the pipeline components from a parsed tokenizer.json, validating every field the
/// crate reads and rejecting (with the field's path) whatever SynprefText cannot reproduce.
struct TokenizerJSONLoader {
    let file: String

    enum Model: Sendable {
        case bpe(BPEModel)
        case wordPiece(WordPieceModel)

        var vocabularySize: Int {
            switch self {
            case .bpe(let m): return m.vocabularySize
            case .wordPiece(let m): return m.vocabularySize
            }
        }

        func tokenToID(_ token: TokenText) -> Int32? {
            switch self {
            case .bpe(let m): return m.vocab.find(token.bytes)
            case .wordPiece(let m): return m.vocab.find(token.bytes)
            }
        }

        func idToToken(_ id: Int32) -> String? {
            switch self {
            case .bpe(let m): return m.idToToken[id]
            case .wordPiece(let m): return m.idToToken[id]
            }
        }

        var vocab: VocabularyTable {
            switch self {
            case .bpe(let m): return m.vocab
            case .wordPiece(let m): return m.vocab
            }
        }

        @inline(__always)
        func tokenize(_ word: [UInt32], into out: inout [Int32]) {
            switch self {
            case .bpe(let m): m.tokenize(word, into: &out)
            case .wordPiece(let m): m.tokenize(word, into: &out)
            }
        }
    }

    struct Components: Sendable {
        var model: Model
        var normalizer: Normalizer?
        var preTokenizer: PreTokenizer?
        var postProcessor: PostProcessor?
        var decoder: Decoder?
        var addedVocabulary: AddedVocabulary
    }

    func load(_ root: JSONValue) throws(TokenizerError) -> Components {
        guard case .object = root else { throw TokenizerError.invalidField(file: file, field: "(root)", expected: "a JSON object") }
        guard let modelJSON = root["model"], !modelJSON.isNull else { throw TokenizerError.missingField(file: file, field: "model") }
        let model = try parseModel(modelJSON)
        let normalizer = try optional(root["normalizer"]) { j throws(TokenizerError) in try parseNormalizer(j, field: "normalizer") }
        let preTokenizer = try optional(root["pre_tokenizer"]) { j throws(TokenizerError) in try parsePreTokenizer(j, field: "pre_tokenizer") }
        let postProcessor = try optional(root["post_processor"]) { j throws(TokenizerError) in try parsePostProcessor(j, field: "post_processor") }
        let decoder = try optional(root["decoder"]) { j throws(TokenizerError) in try parseDecoder(j, field: "decoder") }
        if let pre = preTokenizer, PreTokenizer.usesPrependFirst(pre) {
            if normalizer != nil {
                throw TokenizerError.unsupported(file: file, field: "pre_tokenizer", what: "Metaspace with prepend_scheme \"first\" together with a normalizer (it depends on offset alignments)")
            }
            if PreTokenizer.hasByteLevelBeforePrependFirst(pre) {
                throw TokenizerError.unsupported(file: file, field: "pre_tokenizer", what: "Metaspace with prepend_scheme \"first\" after a ByteLevel pre-tokenizer")
            }
        }
        var added = AddedVocabulary()
        if let list = root["added_tokens"], !list.isNull {
            guard let items = list.arrayValue else { throw TokenizerError.invalidField(file: file, field: "added_tokens", expected: "an array") }
            var tokens: [AddedToken] = []
            for (i, item) in items.enumerated() {
                tokens.append(try parseAddedToken(item, field: "added_tokens[\(i)]"))
            }
            added.add(tokens, modelTokenToID: { model.tokenToID($0) }, modelVocabularySize: model.vocabularySize, normalizer: normalizer)
        }
        return Components(model: model, normalizer: normalizer, preTokenizer: preTokenizer,
                          postProcessor: postProcessor, decoder: decoder, addedVocabulary: added)
    }

    private func optional<T>(_ value: JSONValue?, _ parse: (JSONValue) throws(TokenizerError) -> T) throws(TokenizerError) -> T? {
        guard let value, !value.isNull else { return nil }
        return try parse(value)
    }

    // MARK: Field helpers

    private func type(_ j: JSONValue, field: String) throws(TokenizerError) -> String {
        guard case .object = j else { throw TokenizerError.invalidField(file: file, field: field, expected: "an object") }
        guard let t = j["type"] else { throw TokenizerError.missingField(file: file, field: field + ".type") }
        guard let s = t.stringValue else { throw TokenizerError.invalidField(file: file, field: field + ".type", expected: "a string") }
        return s
    }

    private func bool(_ j: JSONValue, _ key: String, field: String, default value: Bool) throws(TokenizerError) -> Bool {
        guard let v = j[key], !v.isNull else { return value }
        guard let b = v.boolValue else { throw TokenizerError.invalidField(file: file, field: "\(field).\(key)", expected: "true or false") }
        return b
    }

    private func string(_ j: JSONValue, _ key: String, field: String) throws(TokenizerError) -> String? {
        guard let v = j[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw TokenizerError.invalidField(file: file, field: "\(field).\(key)", expected: "a string") }
        return s
    }

    private func requiredString(_ j: JSONValue, _ key: String, field: String) throws(TokenizerError) -> String {
        guard let s = try string(j, key, field: field) else { throw TokenizerError.missingField(file: file, field: "\(field).\(key)") }
        return s
    }

    private func int(_ j: JSONValue, _ key: String, field: String, default value: Int) throws(TokenizerError) -> Int {
        guard let v = j[key], !v.isNull else { return value }
        guard let i = v.intValue, i >= 0 else { throw TokenizerError.invalidField(file: file, field: "\(field).\(key)", expected: "a non-negative integer") }
        return i
    }

    private func array(_ j: JSONValue, _ key: String, field: String) throws(TokenizerError) -> [JSONValue] {
        guard let v = j[key] else { throw TokenizerError.missingField(file: file, field: "\(field).\(key)") }
        guard let a = v.arrayValue else { throw TokenizerError.invalidField(file: file, field: "\(field).\(key)", expected: "an array") }
        return a
    }

    private func singleScalar(_ s: String, field: String) throws(TokenizerError) -> Unicode.Scalar {
        var it = s.unicodeScalars.makeIterator()
        guard let c = it.next(), it.next() == nil else {
            throw TokenizerError.invalidField(file: file, field: field, expected: "a single character")
        }
        return c
    }

    private func regex(_ pattern: String, field: String) throws(TokenizerError) -> Regex {
        do {
            return try Regex(pattern)
        } catch {
            throw TokenizerError.invalidRegex(file: file, field: field, message: error.description)
        }
    }

    /// `{"String": s}` (a literal) or `{"Regex": r}` (an Oniguruma pattern).
    private func pattern(_ j: JSONValue?, field: String) throws(TokenizerError) -> Regex {
        guard let j else { throw TokenizerError.missingField(file: file, field: field) }
        if let s = j["String"]?.stringValue { return try regex(Regex.escapedLiteral(s), field: field + ".String") }
        if let r = j["Regex"]?.stringValue { return try regex(r, field: field + ".Regex") }
        throw TokenizerError.invalidField(file: file, field: field, expected: "{\"String\": ...} or {\"Regex\": ...}")
    }

    // MARK: Model

    private func vocabulary(_ j: JSONValue, field: String) throws(TokenizerError) -> (VocabularyTable, TokenStrings) {
        guard let v = j["vocab"] else { throw TokenizerError.missingField(file: file, field: field + ".vocab") }
        guard let members = v.objectValue else { throw TokenizerError.invalidField(file: file, field: field + ".vocab", expected: "an object mapping tokens to ids") }
        var vocab = VocabularyTable(capacity: members.count)
        var pairs: [(String, Int32)] = []
        pairs.reserveCapacity(members.count)
        for (token, idJSON) in members {
            guard let id = idJSON.intValue, id >= 0, id <= Int(Int32.max) else {
                throw TokenizerError.invalidField(file: file, field: "\(field).vocab[\(token.debugDescription)]", expected: "a non-negative integer id")
            }
            vocab.insert(token, id: Int32(id))
            pairs.append((token, Int32(id)))
        }
        return (vocab, TokenStrings(pairs))
    }

    func parseModel(_ j: JSONValue) throws(TokenizerError) -> Model {
        let field = "model"
        guard case .object = j else { throw TokenizerError.invalidField(file: file, field: field, expected: "an object") }
        var kind = try string(j, "type", field: field)
        if kind == nil {
            // Older files omit the type; the crate then tells the models apart by their fields.
            if j["merges"] != nil { kind = "BPE" } else if j["max_input_chars_per_word"] != nil { kind = "WordPiece" }
        }
        switch kind {
        case "BPE":
            return .bpe(try parseBPE(j, field: field))
        case "WordPiece":
            let (vocab, strings) = try vocabulary(j, field: field)
            let unk = try string(j, "unk_token", field: field) ?? "[UNK]"
            guard let unkID = vocab.find(unk) else { throw TokenizerError.tokenNotInVocabulary(file: file, field: field + ".unk_token", token: unk) }
            return .wordPiece(WordPieceModel(
                vocab: vocab, idToToken: strings, unkID: unkID,
                continuingSubwordPrefix: try string(j, "continuing_subword_prefix", field: field) ?? "##",
                maxInputCharsPerWord: try int(j, "max_input_chars_per_word", field: field, default: 100)))
        case let other:
            throw TokenizerError.unsupported(file: file, field: field + ".type", what: "the \(other ?? "unknown") model")
        }
    }

    private func parseBPE(_ j: JSONValue, field: String) throws(TokenizerError) -> BPEModel {
        let (vocab, strings) = try vocabulary(j, field: field)
        if let d = j["dropout"], !d.isNull {
            guard let p = d.doubleValue else { throw TokenizerError.invalidField(file: file, field: field + ".dropout", expected: "null or a number") }
            if p != 0 { throw TokenizerError.unsupported(file: file, field: field + ".dropout", what: "BPE dropout (random merges)") }
        }
        let prefix = try string(j, "continuing_subword_prefix", field: field) ?? ""
        let suffix = try string(j, "end_of_word_suffix", field: field) ?? ""
        let mergesJSON = try array(j, "merges", field: field)
        var table = PairTable(capacity: mergesJSON.count)
        let prefixBytes = prefix.utf8.count
        var merged: [UInt8] = []
        /// Looks up `left`, `right` and `left + right[prefix...]`; nil if one is missing.
        func mergeIDs(_ l: UnsafeBufferPointer<UInt8>, _ r: UnsafeBufferPointer<UInt8>) -> (Int32, Int32, Int32)? {
            guard let aID = vocab.find(l), let bID = vocab.find(r), r.count >= prefixBytes else { return nil }
            merged.removeAll(keepingCapacity: true)
            merged.append(contentsOf: l)
            merged.append(contentsOf: r[prefixBytes...])
            guard let newID = vocab.find(merged) else { return nil }
            return (aID, bID, newID)
        }
        for (rank, item) in mergesJSON.enumerated() {
            var mergeField: String { "\(field).merges[\(rank)]" }
            var a: String, b: String
            var ids: (Int32, Int32, Int32)?
            switch item {
            case .string(var line):
                // "left right": exactly one space (split on bytes, not on Characters).
                let parts: (Int, Int)? = line.withUTF8 { buf in
                    var space = -1
                    for i in 0..<buf.count where buf[i] == 0x20 {
                        if space >= 0 { return nil }
                        space = i
                    }
                    return space < 0 ? nil : (space, buf.count)
                }
                guard let (space, n) = parts else {
                    throw TokenizerError.invalidField(file: file, field: mergeField, expected: "\"left right\" (two tokens separated by one space)")
                }
                ids = line.withUTF8 { buf in
                    mergeIDs(UnsafeBufferPointer(rebasing: buf[0..<space]), UnsafeBufferPointer(rebasing: buf[(space + 1)..<n]))
                }
                if ids != nil {
                    table.set(ids!.0, ids!.1, rank: Int32(rank), newID: ids!.2)
                    continue
                }
                let bytes = Array(line.utf8)
                a = String(decoding: bytes[..<space], as: UTF8.self)
                b = String(decoding: bytes[(space + 1)...], as: UTF8.self)
            case .array(let pair):
                guard pair.count == 2, let l = pair[0].stringValue, let r = pair[1].stringValue else {
                    throw TokenizerError.invalidField(file: file, field: mergeField, expected: "a pair of strings")
                }
                a = l
                b = r
                ids = a.withUTF8 { l in b.withUTF8 { r in mergeIDs(l, r) } }
            default:
                throw TokenizerError.invalidField(file: file, field: mergeField, expected: "a string or a pair of strings")
            }
            guard let (aID, bID, newID) = ids else {
                // Name the first missing piece.
                if vocab.find(a) == nil { throw TokenizerError.tokenNotInVocabulary(file: file, field: mergeField, token: a) }
                if vocab.find(b) == nil { throw TokenizerError.tokenNotInVocabulary(file: file, field: mergeField, token: b) }
                let bBytes = Array(b.utf8)
                guard bBytes.count >= prefixBytes, let rest = String(validating: bBytes[prefixBytes...], as: UTF8.self) else {
                    throw TokenizerError.invalidField(file: file, field: mergeField, expected: "a right token starting with the continuing_subword_prefix")
                }
                throw TokenizerError.tokenNotInVocabulary(file: file, field: mergeField, token: a + rest)
            }
            table.set(aID, bID, rank: Int32(rank), newID: newID)
        }
        var unkID: Int32? = nil
        if let unk = try string(j, "unk_token", field: field) {
            // The crate fails only when an unknown character is met; failing at load keeps
            // `encode` total.
            guard let id = vocab.find(unk) else { throw TokenizerError.tokenNotInVocabulary(file: file, field: field + ".unk_token", token: unk) }
            unkID = id
        }
        return BPEModel(vocab: vocab, idToToken: strings, merges: table, unkID: unkID, continuingSubwordPrefix: prefix, endOfWordSuffix: suffix,
                        fuseUnk: try bool(j, "fuse_unk", field: field, default: false),
                        byteFallback: try bool(j, "byte_fallback", field: field, default: false),
                        ignoreMerges: try bool(j, "ignore_merges", field: field, default: false))
    }

    // MARK: Added tokens

    private func parseAddedToken(_ j: JSONValue, field: String) throws(TokenizerError) -> AddedToken {
        guard case .object = j else { throw TokenizerError.invalidField(file: file, field: field, expected: "an object") }
        let content = try requiredString(j, "content", field: field)
        let special = try bool(j, "special", field: field, default: false)
        return AddedToken(content: content,
                          singleWord: try bool(j, "single_word", field: field, default: false),
                          lstrip: try bool(j, "lstrip", field: field, default: false),
                          rstrip: try bool(j, "rstrip", field: field, default: false),
                          normalized: try bool(j, "normalized", field: field, default: !special),
                          special: special)
    }

    // MARK: Normalizers

    func parseNormalizer(_ j: JSONValue, field: String) throws(TokenizerError) -> Normalizer {
        switch try type(j, field: field) {
        case "NFC": return .unicode(.nfc)
        case "NFD": return .unicode(.nfd)
        case "NFKC": return .unicode(.nfkc)
        case "NFKD": return .unicode(.nfkd)
        case "Lowercase": return .lowercase
        case "StripAccents": return .stripAccents
        case "BertNormalizer":
            let lowercase = try bool(j, "lowercase", field: field, default: true)
            return .bert(cleanText: try bool(j, "clean_text", field: field, default: true),
                         handleChineseChars: try bool(j, "handle_chinese_chars", field: field, default: true),
                         stripAccents: try bool(j, "strip_accents", field: field, default: lowercase),
                         lowercase: lowercase)
        case "Replace":
            let content = try requiredString(j, "content", field: field)
            return .replace(pattern: try pattern(j["pattern"], field: field + ".pattern"), content: content.unicodeScalars.map(\.value))
        case "Prepend":
            return .prepend(try requiredString(j, "prepend", field: field).unicodeScalars.map(\.value))
        case "Strip":
            return .strip(left: try bool(j, "strip_left", field: field, default: true), right: try bool(j, "strip_right", field: field, default: true))
        case "Sequence":
            let items = try array(j, "normalizers", field: field)
            var steps: [Normalizer] = []
            for (i, item) in items.enumerated() { steps.append(try parseNormalizer(item, field: "\(field).normalizers[\(i)]")) }
            return .sequence(steps)
        case let other:
            throw TokenizerError.unsupported(file: file, field: field + ".type", what: "the \(other) normalizer")
        }
    }

    // MARK: Pre-tokenizers

    private func behavior(_ j: JSONValue, field: String, default value: SplitBehavior) throws(TokenizerError) -> SplitBehavior {
        guard let name = try string(j, "behavior", field: field) else { return value }
        switch name {
        case "Removed": return .removed
        case "Isolated": return .isolated
        case "MergedWithPrevious": return .mergedWithPrevious
        case "MergedWithNext": return .mergedWithNext
        case "Contiguous": return .contiguous
        default:
            throw TokenizerError.invalidField(file: file, field: field + ".behavior", expected: "one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
    }

    private func prependScheme(_ j: JSONValue, field: String) throws(TokenizerError) -> PrependScheme {
        var scheme = PrependScheme.always
        if let name = try string(j, "prepend_scheme", field: field) {
            switch name {
            case "first": scheme = .first
            case "always": scheme = .always
            case "never": scheme = .never
            default: throw TokenizerError.invalidField(file: file, field: field + ".prepend_scheme", expected: "\"first\", \"always\" or \"never\"")
            }
        }
        if let legacy = j["add_prefix_space"]?.boolValue, legacy == false {
            guard scheme == .never else {
                throw TokenizerError.invalidField(file: file, field: field + ".add_prefix_space", expected: "consistent with prepend_scheme (false requires \"never\")")
            }
        }
        return scheme
    }

    func parsePreTokenizer(_ j: JSONValue, field: String) throws(TokenizerError) -> PreTokenizer {
        switch try type(j, field: field) {
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try bool(j, "add_prefix_space", field: field, default: true),
                              useRegex: try bool(j, "use_regex", field: field, default: true))
        case "Split":
            return .split(try pattern(j["pattern"], field: field + ".pattern"),
                          try behavior(j, field: field, default: .isolated),
                          invert: try bool(j, "invert", field: field, default: false))
        case "BertPreTokenizer": return .bert
        case "Whitespace": return .whitespace
        case "WhitespaceSplit": return .whitespaceSplit
        case "Digits": return .digits(individual: try bool(j, "individual_digits", field: field, default: false))
        case "Punctuation": return .punctuation(try behavior(j, field: field, default: .isolated))
        case "Metaspace":
            let replacement = try singleScalar(try string(j, "replacement", field: field) ?? "\u{2581}", field: field + ".replacement")
            return .metaspace(replacement: replacement.value, prependScheme: try prependScheme(j, field: field),
                              split: try bool(j, "split", field: field, default: true))
        case "CharDelimiterSplit":
            return .charDelimiter(try singleScalar(try requiredString(j, "delimiter", field: field), field: field + ".delimiter").value)
        case "Sequence":
            let items = try array(j, "pretokenizers", field: field)
            var steps: [PreTokenizer] = []
            for (i, item) in items.enumerated() { steps.append(try parsePreTokenizer(item, field: "\(field).pretokenizers[\(i)]")) }
            return .sequence(steps)
        case let other:
            throw TokenizerError.unsupported(file: file, field: field + ".type", what: "the \(other) pre-tokenizer")
        }
    }

    // MARK: Post-processors

    private func tokenAndID(_ j: JSONValue, _ key: String, field: String) throws(TokenizerError) -> Int32 {
        guard let pair = j[key]?.arrayValue, pair.count == 2, pair[0].stringValue != nil, let id = pair[1].intValue, id >= 0 else {
            throw TokenizerError.invalidField(file: file, field: "\(field).\(key)", expected: "[token, id]")
        }
        return Int32(id)
    }

    /// A TemplateProcessing template (`single` or `pair`) resolved to id runs.
    private func templatePieces(_ items: [JSONValue], specials: JSONValue?, parent: String, field: String, allowB: Bool) throws(TokenizerError) -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
        for (i, item) in items.enumerated() {
            let itemField = "\(field)[\(i)]"
            if let seq = item["Sequence"] {
                let typeID = try int(seq, "type_id", field: itemField + ".Sequence", default: 0)
                switch seq["id"]?.stringValue {
                case "A": pieces.append(TemplatePiece(content: .sequenceA, typeID: typeID))
                case "B" where allowB: pieces.append(TemplatePiece(content: .sequenceB, typeID: typeID))
                default:
                    throw TokenizerError.invalidField(
                        file: file, field: itemField,
                        expected: allowB ? "the sequence \"A\" or \"B\"" : "the sequence \"A\" (a single template has one sequence)")
                }
            } else if let special = item["SpecialToken"] {
                guard let name = special["id"]?.stringValue else { throw TokenizerError.missingField(file: file, field: itemField + ".SpecialToken.id") }
                let typeID = try int(special, "type_id", field: itemField + ".SpecialToken", default: 0)
                guard let entry = specials?[name] else {
                    throw TokenizerError.invalidField(file: file, field: itemField, expected: "a special token listed in special_tokens (\(name.debugDescription) is not)")
                }
                guard let ids = entry["ids"]?.arrayValue else { throw TokenizerError.missingField(file: file, field: "\(parent).special_tokens.\(name).ids") }
                var run: [Int32] = []
                for idJSON in ids {
                    guard let id = idJSON.intValue, id >= 0 else { throw TokenizerError.invalidField(file: file, field: "\(parent).special_tokens.\(name).ids", expected: "integer ids") }
                    run.append(Int32(id))
                }
                pieces.append(TemplatePiece(content: .special(run), typeID: typeID))
            } else {
                throw TokenizerError.invalidField(file: file, field: itemField, expected: "{\"Sequence\": ...} or {\"SpecialToken\": ...}")
            }
        }
        return pieces
    }

    func parsePostProcessor(_ j: JSONValue, field: String) throws(TokenizerError) -> PostProcessor {
        switch try type(j, field: field) {
        case "TemplateProcessing":
            let specials = j["special_tokens"]
            let single = try templatePieces(try array(j, "single", field: field), specials: specials, parent: field, field: "\(field).single", allowB: false)
            // The crate's default pair template is "$A:0 $B:1".
            var pair = [TemplatePiece(content: .sequenceA, typeID: 0), TemplatePiece(content: .sequenceB, typeID: 1)]
            if let p = j["pair"], !p.isNull {
                guard let items = p.arrayValue else { throw TokenizerError.invalidField(file: file, field: "\(field).pair", expected: "an array") }
                pair = try templatePieces(items, specials: specials, parent: field, field: "\(field).pair", allowB: true)
            }
            return .template(single: single, pair: pair)
        case "BertProcessing":
            return .bert(cls: try tokenAndID(j, "cls", field: field), sep: try tokenAndID(j, "sep", field: field))
        case "RobertaProcessing":
            return .roberta(cls: try tokenAndID(j, "cls", field: field), sep: try tokenAndID(j, "sep", field: field))
        case "ByteLevel":
            return .byteLevel
        case "Sequence":
            let items = try array(j, "processors", field: field)
            var steps: [PostProcessor] = []
            for (i, item) in items.enumerated() { steps.append(try parsePostProcessor(item, field: "\(field).processors[\(i)]")) }
            return .sequence(steps)
        case let other:
            throw TokenizerError.unsupported(file: file, field: field + ".type", what: "the \(other) post-processor")
        }
    }

    // MARK: Decoders

    func parseDecoder(_ j: JSONValue, field: String) throws(TokenizerError) -> Decoder {
        switch try type(j, field: field) {
        case "ByteLevel": return .byteLevel
        case "WordPiece":
            return .wordPiece(prefix: try string(j, "prefix", field: field) ?? "##", cleanup: try bool(j, "cleanup", field: field, default: true))
        case "Metaspace":
            let replacement = try singleScalar(try string(j, "replacement", field: field) ?? "\u{2581}", field: field + ".replacement")
            return .metaspace(replacement: replacement, prependScheme: try prependScheme(j, field: field))
        case "BPEDecoder":
            return .bpe(suffix: try string(j, "suffix", field: field) ?? "</w>")
        case "Replace":
            return .replace(pattern: try pattern(j["pattern"], field: field + ".pattern"), content: try requiredString(j, "content", field: field))
        case "Fuse": return .fuse
        case "Strip":
            return .strip(content: try singleScalar(try requiredString(j, "content", field: field), field: field + ".content"),
                          start: try int(j, "start", field: field, default: 0), stop: try int(j, "stop", field: field, default: 0))
        case "ByteFallback": return .byteFallback
        case "Sequence":
            let items = try array(j, "decoders", field: field)
            var steps: [Decoder] = []
            for (i, item) in items.enumerated() { steps.append(try parseDecoder(item, field: "\(field).decoders[\(i)]")) }
            return .sequence(steps)
        case let other:
            throw TokenizerError.unsupported(file: file, field: field + ".type", what: "the \(other) decoder")
        }
    }
}

extension PreTokenizer {
    static func usesPrependFirst(_ p: PreTokenizer) -> Bool {
        switch p {
        case .metaspace(_, let scheme, _): return scheme == .first
        case .sequence(let steps): return steps.contains { usesPrependFirst($0) }
        default: return false
        }
    }

    static func hasByteLevelBeforePrependFirst(_ p: PreTokenizer) -> Bool {
        guard case .sequence(let steps) = p else { return false }
        var sawByteLevel = false
        for step in steps {
            if case .byteLevel = step { sawByteLevel = true }
            if usesPrependFirst(step) && sawByteLevel { return true }
            if case .sequence = step, hasByteLevelBeforePrependFirst(step) { return true }
        }
        return false
    }
}

extension Regex {
    /// A pattern matching `literal` exactly (the crate escapes `String` patterns).
    static func escapedLiteral(_ literal: String) -> String {
        var out = ""
        for u in literal.unicodeScalars {
            if "\\.|()[]{}^$*+?-#&~ ".unicodeScalars.contains(u) && u != " " {
                out += "\\"
            }
            out.unicodeScalars.append(u)
        }
        return out
    }
}
