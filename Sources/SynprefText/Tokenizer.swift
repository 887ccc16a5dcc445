import Foundation
import SynprefCore

/// A Hugging Face `tokenizer.json` tokenizer that produces exactly the ids of the Rust
/// `tokenizers` crate (Python `tokenizers` 0.23.3, and transformers' fast tokenizers).
///
/// Supported: BPE (byte-level or not, byte fallback, unk fusing, subword prefix/suffix,
/// `ignore_merges`) and WordPiece models; NFC/NFD/NFKC/NFKD, Lowercase, StripAccents,
/// BertNormalizer, Replace, Prepend, Strip and Sequence normalizers; ByteLevel, Split
/// (Oniguruma regexes), BertPreTokenizer, Whitespace, WhitespaceSplit, Digits,
/// Punctuation, Metaspace, CharDelimiterSplit and Sequence pre-tokenizers; Template, Bert,
/// Roberta, ByteLevel and Sequence post-processors (single sequences and pairs, with type
/// ids); ByteLevel,
/// WordPiece, Metaspace, BPEDecoder, Replace, Fuse, Strip, ByteFallback and Sequence
/// decoders; added tokens with `single_word`, `lstrip`, `rstrip`, `normalized`. Anything
/// else fails to load with `TokenizerError.unsupported`.
///
/// The file's `truncation` and `padding` sections are ignored, as transformers does when
/// it is called without truncation or padding arguments.
///
/// Immutable after loading; `encode` and `decode` may run concurrently from any thread.
public final class Tokenizer: Sendable {
    private let components: TokenizerJSONLoader.Components
    /// Size of the vocabulary including added tokens (`get_vocab_size(with_added_tokens=True)`).
    public let vocabularySize: Int
    /// tokenizer_config.json of the folder given to `load(directory:)`, if it had one.
    public let config: TokenizerConfig?
    /// Ids whose token string is a special added token (what `decode` skips on request).
    private let specialIDs: Set<Int32>

    /// Loads a tokenizer.json file.
    public convenience init(tokenizerJSON url: URL) throws(TokenizerError) {
        let bytes = try readFile(url)
        try self.init(bytes: bytes, file: url.path, config: nil)
    }

    /// Parses tokenizer.json contents.
    public convenience init(data: Data) throws(TokenizerError) {
        try self.init(bytes: [UInt8](data), file: "tokenizer.json", config: nil)
    }

    /// tokenizer.json as the tokenizers crate (serde_json) reads it: a repeated key keeps
    /// every occurrence (a vocabulary's earlier ids keep their strings), and a lone
    /// surrogate escape becomes U+FFFD.
    static let jsonOptions: JSONParser.Options = {
        var o = JSONParser.Options()
        o.keepDuplicateKeys = true
        o.replaceLoneSurrogates = true
        return o
    }()

    /// Loads `tokenizer.json` and, when present, `tokenizer_config.json` from a model folder.
    public static func load(directory: URL) throws(TokenizerError) -> Tokenizer {
        let jsonURL = directory.appendingPathComponent("tokenizer.json")
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        var config: TokenizerConfig? = nil
        if FileManager.default.fileExists(atPath: configURL.path) {
            config = try TokenizerConfig(url: configURL)
        }
        return try Tokenizer(bytes: try readFile(jsonURL), file: jsonURL.path, config: config)
    }

    /// A tokenizer from tokenizer.json's bytes (already read, e.g. to hash them too) and
    /// its folder's parsed tokenizer_config.json, if any.
    public static func load(tokenizerJSON bytes: [UInt8], file: String, config: TokenizerConfig?) throws(TokenizerError) -> Tokenizer {
        try Tokenizer(bytes: bytes, file: file, config: config)
    }

    init(bytes: [UInt8], file: String, config: TokenizerConfig?) throws(TokenizerError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes, options: Tokenizer.jsonOptions)
        } catch {
            throw TokenizerError.invalidJSON(file: file, line: error.line, column: error.column, message: error.reasonDescription)
        }
        let components = try TokenizerJSONLoader(file: file).load(root)
        self.components = components
        var size = components.model.vocabularySize
        let modelVocab = components.model.vocab
        for content in components.addedVocabulary.contentToID.keys where modelVocab.find(content.bytes) == nil { size += 1 }
        vocabularySize = size
        // decode maps an id to its string (added tokens first) and skips the string if it is
        // a special token's content.
        var special: Set<Int32> = []
        let added = components.addedVocabulary
        for id in added.tokenForID.keys where added.isSpecial(TokenText(added.decodeString(id) ?? "")) { special.insert(id) }
        for content in added.specialContents {
            if let id = modelVocab.find(content.bytes), added.tokenForID[id] == nil { special.insert(id) }
        }
        specialIDs = special
        self.config = config
    }

    /// The token ids of `text`. With `addSpecialTokens`, the post-processor's special
    /// tokens (e.g. BOS, or [CLS] … [SEP]) are added. Special-token strings inside `text`
    /// are always recognized, as in transformers.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        encodeIDs(text, addSpecialTokens: addSpecialTokens).map { Int($0) }
    }

    /// `encode` returning 32-bit ids (what models index embeddings with).
    public func encodeIDs(_ text: String, addSpecialTokens: Bool = true) -> [Int32] {
        let ids = modelIDs(text)
        if let post = components.postProcessor { return post.process(ids, addSpecialTokens: addSpecialTokens) }
        return ids
    }

    /// Ids and type ids of one sequence (`tokenizer(text)` with `return_token_type_ids`).
    public func encoding(_ text: String, addSpecialTokens: Bool = true) -> TokenEncoding {
        postProcess(encode(text, addSpecialTokens: false), addSpecialTokens: addSpecialTokens)
    }

    /// A text pair as `tokenizer(a, b)` / the crate's `encode(a, b)` gives it: both texts
    /// tokenized, then the post-processor's pair template (BERT: `[CLS] a [SEP] b [SEP]`
    /// with type ids 0 for the first part and 1 for the second).
    public func encodePair(_ a: String, _ b: String, addSpecialTokens: Bool = true) -> TokenEncoding {
        postProcess(encode(a, addSpecialTokens: false), pair: encode(b, addSpecialTokens: false), addSpecialTokens: addSpecialTokens)
    }

    /// The post-processor on ids already tokenized without special tokens (what the crate
    /// does after truncation): special tokens and type ids for one sequence or a pair.
    public func postProcess(_ a: [Int], pair b: [Int]? = nil, addSpecialTokens: Bool = true) -> TokenEncoding {
        let part = PostProcessor.run(
            components.postProcessor, a: a.map { Int32(clamping: $0) }, b: b.map { $0.map { Int32(clamping: $0) } },
            addSpecialTokens: addSpecialTokens)
        return TokenEncoding(ids: part.ids.map { Int($0) }, typeIDs: part.types)
    }

    /// How many special tokens the post-processor adds to one sequence or a pair
    /// (`num_special_tokens_to_add(is_pair)`); truncation leaves room for them.
    public func specialTokenCount(pair: Bool) -> Int {
        components.postProcessor?.addedTokens(pair: pair) ?? 0
    }

    /// The model's ids for `text` before post-processing.
    private func modelIDs(_ text: String) -> [Int32] {
        let c = components
        var ids: [Int32] = []
        ids.reserveCapacity(text.utf8.count / 3 + 4)
        let scalars = Tokenizer.scalars(of: text)
        for segment in c.addedVocabulary.split(Piece(text: scalars, origin: 0), normalized: false) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(var piece):
                if let normalizer = c.normalizer { piece.text = normalizer.normalize(piece.text) }
                for inner in c.addedVocabulary.split(piece, normalized: true) {
                    switch inner {
                    case .token(let id):
                        ids.append(id)
                    case .text(let normalized):
                        if let pre = c.preTokenizer {
                            var pieces = [normalized]
                            pre.apply(&pieces)
                            for p in pieces { c.model.tokenize(p.text, into: &ids) }
                        } else {
                            c.model.tokenize(normalized.text, into: &ids)
                        }
                    }
                }
            }
        }
        return ids
    }

    /// The text of `ids` through the decoder (unknown ids are skipped, as the crate does).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        let c = components
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            guard let id32 = Int32(exactly: id), let token = idToToken32(id32) else { continue }
            if skipSpecialTokens && specialIDs.contains(id32) { continue }
            tokens.append(token)
        }
        if let decoder = c.decoder { return decoder.decodeChain(tokens).joined() }
        return tokens.joined(separator: " ")
    }

    /// The id of a token string (added tokens first, then the model vocabulary).
    public func tokenToID(_ token: String) -> Int? {
        let key = TokenText(token)
        if let id = components.addedVocabulary.contentToID[key] { return Int(id) }
        return components.model.tokenToID(key).map { Int($0) }
    }

    /// The token string of an id (added tokens first, then the model vocabulary).
    public func idToToken(_ id: Int) -> String? {
        guard let id32 = Int32(exactly: id) else { return nil }
        return idToToken32(id32)
    }

    private func idToToken32(_ id: Int32) -> String? {
        components.addedVocabulary.decodeString(id) ?? components.model.idToToken(id)
    }

    /// The added tokens by id (the `added_tokens` of tokenizer.json after id assignment).
    public var addedTokens: [Int: AddedToken] {
        Dictionary(uniqueKeysWithValues: components.addedVocabulary.tokenForID.map { (Int($0.key), $0.value) })
    }

    /// Whether `token` is a special added token (skipped by `decode(skipSpecialTokens:)`).
    public func isSpecialToken(_ token: String) -> Bool {
        components.addedVocabulary.isSpecial(TokenText(token))
    }

    /// Unicode scalar values of a string (fast path over its UTF-8).
    static func scalars(of text: String) -> [UInt32] {
        var text = text
        return text.withUTF8 { utf8 -> [UInt32] in
            var out: [UInt32] = []
            out.reserveCapacity(utf8.count)
            var i = 0
            let n = utf8.count
            while i < n {
                let b0 = UInt32(utf8[i])
                if b0 < 0x80 {
                    out.append(b0)
                    i += 1
                } else if b0 < 0xE0 {
                    out.append((b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F))
                    i += 2
                } else if b0 < 0xF0 {
                    out.append((b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F))
                    i += 3
                } else {
                    out.append((b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12 | UInt32(utf8[i + 2] & 0x3F) << 6 | UInt32(utf8[i + 3] & 0x3F))
                    i += 4
                }
            }
            return out
        }
    }
}

func readFile(_ url: URL) throws(TokenizerError) -> [UInt8] {
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        let reason = FileManager.default.fileExists(atPath: url.path) ? error.localizedDescription : "no such file"
        throw TokenizerError.cannotRead(file: url.path, reason: reason)
    }
}

/// Token ids with their type ids (BERT's segment ids: 0 for the first text of a pair, 1
/// for the second, or whatever the post-processor's template says).
public struct TokenEncoding: Sendable, Hashable {
    public var ids: [Int]
    public var typeIDs: [Int]

    public init(ids: [Int], typeIDs: [Int]) {
        self.ids = ids
        self.typeIDs = typeIDs
    }
}
