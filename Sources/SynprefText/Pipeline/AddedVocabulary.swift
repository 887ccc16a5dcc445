/// A token of tokenizer.json's `added_tokens` list.
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var singleWord: Bool
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool
    public var special: Bool

    /// Byte-exact, as the crate compares (Swift's `==` on strings is canonical equivalence).
    public static func == (a: AddedToken, b: AddedToken) -> Bool {
        a.content.utf8.elementsEqual(b.content.utf8) && a.singleWord == b.singleWord && a.lstrip == b.lstrip
            && a.rstrip == b.rstrip && a.normalized == b.normalized && a.special == b.special
    }
}

/// The crate's `AddedVocabulary`: added tokens get ids as the crate assigns them, and are
/// cut out of the text before the model runs — first the non-normalized ones from the raw
/// text, then the normalized ones from each normalized remainder — leftmost-longest, with
/// `single_word`, `lstrip` and `rstrip` applied exactly as `find_matches` does.
struct AddedVocabulary: Sendable {
    private(set) var contentToID: [TokenText: Int32] = [:]
    private(set) var tokenForID: [Int32: AddedToken] = [:]
    private(set) var specialContents: Set<TokenText> = []
    /// The normalized content of `normalized` tokens whose normalization changes them: the
    /// crate decodes (and `id_to_token`s) such a token as its normalized form.
    private(set) var normalizedForm: [Int32: String] = [:]
    private var specialOrder: [AddedToken] = []
    private var classicOrder: [AddedToken] = []
    private var rawTrie = ScalarTrie()
    private var normalizedTrie = ScalarTrie()

    var isEmpty: Bool { contentToID.isEmpty }
    var count: Int { contentToID.count }

    /// Adds tokens in file order with the crate's id rules: an existing id (added or model
    /// vocabulary) is reused, otherwise the next id after the model vocabulary.
    mutating func add(_ tokens: [AddedToken], modelTokenToID: (TokenText) -> Int32?, modelVocabularySize: Int, normalizer: Normalizer?) {
        for token in tokens {
            let key = TokenText(token.content)
            if token.special && !token.content.isEmpty && !specialContents.contains(key) {
                specialOrder.append(token)
                specialContents.insert(key)
            }
            if token.content.isEmpty || tokenForID.values.contains(token) { continue }
            let newID: Int32
            if let existing = contentToID[key] ?? modelTokenToID(key) {
                newID = existing
            } else if let maxID = contentToID.values.max() {
                newID = (Int(maxID) >= modelVocabularySize || modelVocabularySize == 0) ? maxID + 1 : Int32(modelVocabularySize)
            } else {
                newID = Int32(modelVocabularySize)
            }
            if token.normalized, let normalizer {
                let scalars = token.content.unicodeScalars.map(\.value)
                let normed = normalizer.normalize(scalars)
                if normed != scalars { normalizedForm[newID] = String(scalars: normed) }
            }
            contentToID[key] = newID
            tokenForID[newID] = token
            if !specialContents.contains(key) { classicOrder.append(token) }
        }
        // Rebuild the two matchers (special tokens first, then the others).
        rawTrie = ScalarTrie()
        normalizedTrie = ScalarTrie()
        for token in specialOrder + classicOrder {
            let key = TokenText(token.content)
            guard let id = contentToID[key] ?? modelTokenToID(key) else { continue }
            let scalars = token.content.unicodeScalars.map(\.value)
            if token.normalized {
                let pattern = normalizer?.normalize(scalars) ?? scalars
                normalizedTrie.insert(pattern, id: id)
            } else {
                rawTrie.insert(scalars, id: id)
            }
        }
    }

    func isSpecial(_ content: TokenText) -> Bool { specialContents.contains(content) }

    /// The string `decode` uses for an added token's id (nil if the id is not added).
    func decodeString(_ id: Int32) -> String? {
        normalizedForm[id] ?? tokenForID[id]?.content
    }

    enum Segment {
        case text(Piece)
        case token(Int32)
    }

    /// Splits `text` on the tokens of one matcher (`normalized` selects which).
    func split(_ piece: Piece, normalized: Bool) -> [Segment] {
        let trie = normalized ? normalizedTrie : rawTrie
        if trie.isEmpty || piece.text.isEmpty { return piece.text.isEmpty ? [] : [.text(piece)] }
        let text = piece.text
        let data = UnicodeData.shared
        var out: [Segment] = []
        var startOffset = 0
        var i = 0
        let n = text.count
        while i < n {
            guard let (length, id) = trie.longestMatch(text, at: i) else {
                i += 1
                continue
            }
            var start = i
            var stop = i + length
            i = stop  // matching resumes after this match even if it is discarded
            guard let token = tokenForID[id] else { continue }
            if token.singleWord {
                let startSpace = start == 0 || !data.rustRegexWord.contains(text[start - 1])
                let stopSpace = stop == n || !data.rustRegexWord.contains(text[stop])
                if !startSpace || !stopSpace { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > 0 && data.isWhitespace(text[newStart - 1]) { newStart -= 1 }
                start = Swift.max(newStart, startOffset)
            }
            if token.rstrip {
                // The search itself resumes at the match end, not after the stripped spaces.
                while stop < n && data.isWhitespace(text[stop]) { stop += 1 }
            }
            if startOffset < start {
                out.append(.text(Piece(text: Array(text[startOffset..<start]), origin: piece.origin + startOffset)))
            }
            out.append(.token(id))
            startOffset = stop
        }
        if startOffset < n {
            out.append(.text(startOffset == 0 ? piece : Piece(text: Array(text[startOffset...]), origin: piece.origin + startOffset)))
        }
        return out
    }
}

/// A trie over scalars answering "longest pattern starting here".
struct ScalarTrie: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var terminal: [Int32] = [-1]
    private var firstScalars: Set<UInt32> = []
    /// Bitmap of the first scalars below U+10000 (checked for every scalar of the text).
    private var firstBMP = [UInt64](repeating: 0, count: 1024)

    var isEmpty: Bool { firstScalars.isEmpty }

    mutating func insert(_ pattern: [UInt32], id: Int32) {
        guard let first = pattern.first else { return }
        firstScalars.insert(first)
        if first < 0x10000 { firstBMP[Int(first >> 6)] |= 1 << UInt64(first & 63) }
        var node = 0
        for c in pattern {
            if let next = children[node][c] {
                node = Int(next)
            } else {
                children.append([:])
                terminal.append(-1)
                let next = Int32(children.count - 1)
                children[node][c] = next
                node = Int(next)
            }
        }
        // The first pattern inserted with this content keeps its id (same content, same id).
        if terminal[node] < 0 { terminal[node] = id }
    }

    @inline(__always)
    func longestMatch(_ text: [UInt32], at start: Int) -> (length: Int, id: Int32)? {
        let c = text[start]
        if c < 0x10000 {
            guard firstBMP[Int(c >> 6)] & (1 << UInt64(c & 63)) != 0 else { return nil }
        } else if !firstScalars.contains(c) {
            return nil
        }
        var node = 0
        var best: (Int, Int32)? = nil
        var i = start
        while i < text.count, let next = children[node][text[i]] {
            node = Int(next)
            i += 1
            if terminal[node] >= 0 { best = (i - start, terminal[node]) }
        }
        return best
    }
}
