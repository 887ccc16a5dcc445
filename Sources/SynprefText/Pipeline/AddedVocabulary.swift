/// A token of tokenizer.json's `added_tokens` list.
public struct AddedToken: Sendable, Equatable {
    public var content: String
    public var singleWord: Bool
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool
    public var special: Bool
}

/// The crate's `AddedVocabulary`: added tokens get ids as the crate assigns them, and are
/// cut out of the text before the model runs — first the non-normalized ones from the raw
/// text, then the normalized ones from each normalized remainder — leftmost-longest, with
/// `single_word`, `lstrip` and `rstrip` applied exactly as `find_matches` does.
struct AddedVocabulary: Sendable {
    private(set) var contentToID: [String: Int32] = [:]
    private(set) var tokenForID: [Int32: AddedToken] = [:]
    private(set) var specialContents: Set<String> = []
    private var specialOrder: [AddedToken] = []
    private var classicOrder: [AddedToken] = []
    private var rawTrie = ScalarTrie()
    private var normalizedTrie = ScalarTrie()

    var isEmpty: Bool { contentToID.isEmpty }
    var count: Int { contentToID.count }

    /// Adds tokens in file order with the crate's id rules: an existing id (added or model
    /// vocabulary) is reused, otherwise the next id after the model vocabulary.
    mutating func add(_ tokens: [AddedToken], modelTokenToID: (String) -> Int32?, modelVocabularySize: Int, normalizer: Normalizer?) {
        for token in tokens {
            if token.special && !token.content.isEmpty && !specialContents.contains(token.content) {
                specialOrder.append(token)
                specialContents.insert(token.content)
            }
            if token.content.isEmpty || tokenForID.values.contains(token) { continue }
            let newID: Int32
            if let existing = contentToID[token.content] ?? modelTokenToID(token.content) {
                newID = existing
            } else if let maxID = contentToID.values.max() {
                newID = (Int(maxID) >= modelVocabularySize || modelVocabularySize == 0) ? maxID + 1 : Int32(modelVocabularySize)
            } else {
                newID = Int32(modelVocabularySize)
            }
            contentToID[token.content] = newID
            tokenForID[newID] = token
            if !specialContents.contains(token.content) { classicOrder.append(token) }
        }
        // Rebuild the two matchers (special tokens first, then the others).
        rawTrie = ScalarTrie()
        normalizedTrie = ScalarTrie()
        for token in specialOrder + classicOrder {
            guard let id = contentToID[token.content] ?? modelTokenToID(token.content) else { continue }
            let scalars = token.content.unicodeScalars.map(\.value)
            if token.normalized {
                let pattern = normalizer?.normalize(scalars) ?? scalars
                normalizedTrie.insert(pattern, id: id)
            } else {
                rawTrie.insert(scalars, id: id)
            }
        }
    }

    func isSpecial(_ content: String) -> Bool { specialContents.contains(content) }

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

    var isEmpty: Bool { firstScalars.isEmpty }

    mutating func insert(_ pattern: [UInt32], id: Int32) {
        guard let first = pattern.first else { return }
        firstScalars.insert(first)
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
        guard firstScalars.contains(text[start]) else { return nil }
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
