/// The WordPiece model: greedy longest-match-first, continuation pieces carry the prefix
/// (`##`), and a word with an unmatchable remainder (or longer than
/// `max_input_chars_per_word` scalars) becomes the single unknown token.
struct WordPieceModel: Sendable {
    let vocab: [String: Int32]
    let idToToken: [Int32: String]
    let unkID: Int32
    let continuingSubwordPrefix: String
    let maxInputCharsPerWord: Int

    init(vocab: [String: Int32], unkID: Int32, continuingSubwordPrefix: String, maxInputCharsPerWord: Int) {
        self.vocab = vocab
        var reverse: [Int32: String] = [:]
        reverse.reserveCapacity(vocab.count)
        for (token, id) in vocab { reverse[id] = token }
        idToToken = reverse
        self.unkID = unkID
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    var vocabularySize: Int { vocab.count }

    func tokenize(_ word: [UInt32], into out: inout [Int32]) {
        guard !word.isEmpty else { return }
        if word.count > maxInputCharsPerWord {
            out.append(unkID)
            return
        }
        let mark = out.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32? = nil
            while start < end {
                var candidate = start > 0 ? continuingSubwordPrefix : ""
                var view = candidate.unicodeScalars
                for c in word[start..<end] { view.append(Unicode.Scalar(c) ?? "\u{FFFD}") }
                candidate = String(view)
                if let id = vocab[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else {
                out.removeSubrange(mark...)
                out.append(unkID)
                return
            }
            out.append(id)
            start = end
        }
    }
}
