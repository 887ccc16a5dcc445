/// The WordPiece model: greedy longest-match-first, continuation pieces carry the prefix
/// (`##`), and a word with an unmatchable remainder (or longer than
/// `max_input_chars_per_word` scalars) becomes the single unknown token.
struct WordPieceModel: Sendable {
    let vocab: VocabularyTable
    let idToToken: TokenStrings
    let unkID: Int32
    let continuingSubwordPrefix: String
    let maxInputCharsPerWord: Int

    init(vocab: VocabularyTable, idToToken: TokenStrings, unkID: Int32, continuingSubwordPrefix: String, maxInputCharsPerWord: Int) {
        self.vocab = vocab
        self.idToToken = idToToken
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
        // UTF-8 of the word and the byte offset of each scalar, so candidates are slices.
        var utf8: [UInt8] = []
        var offsets: [Int] = []
        offsets.reserveCapacity(word.count + 1)
        for c in word {
            offsets.append(utf8.count)
            appendUTF8(c, to: &utf8)
        }
        offsets.append(utf8.count)
        // Candidates are `prefix + slice`; the slice is copied after the prefix in a scratch
        // buffer so lookups do not allocate.
        let prefix = Array(continuingSubwordPrefix.utf8)
        var scratch = prefix + utf8
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32? = nil
            if start > 0 {
                let from = offsets[start]
                scratch.replaceSubrange(prefix.count..., with: utf8[from...])
            }
            while start < end {
                let id: Int32?
                if start == 0 {
                    id = vocab.find(utf8[0..<offsets[end]])
                } else {
                    id = vocab.find(scratch[0..<(prefix.count + offsets[end] - offsets[start])])
                }
                if let id {
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
