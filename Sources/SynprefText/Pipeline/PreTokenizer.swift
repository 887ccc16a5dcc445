/// A stretch of normalized text on its way to the model.
struct Piece: Sendable {
    var text: [UInt32]
    /// Offset of the piece's first scalar in the original input (what the crate calls
    /// `offsets_original().0`); only Metaspace's `prepend_scheme: first` reads it, and the
    /// loader only allows that scheme where this offset is exact.
    var origin: Int
}

/// What `split` does with the matched delimiters (the crate's `SplitDelimiterBehavior`).
enum SplitBehavior: Sendable {
    case removed, isolated, mergedWithPrevious, mergedWithNext, contiguous
}

enum PrependScheme: Sendable {
    case first, always, never
}

/// The `pre_tokenizer` section of tokenizer.json.
indirect enum PreTokenizer: Sendable {
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(Regex, SplitBehavior, invert: Bool)
    case bert
    case whitespace
    case whitespaceSplit
    case digits(individual: Bool)
    case punctuation(SplitBehavior)
    case metaspace(replacement: UInt32, prependScheme: PrependScheme, split: Bool)
    case charDelimiter(UInt32)
    case sequence([PreTokenizer])

    /// GPT-2's pattern, used by ByteLevel when `use_regex` is true.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    func apply(_ pieces: inout [Piece], gpt2: Regex) {
        switch self {
        case .byteLevel(let addPrefixSpace, let useRegex):
            if addPrefixSpace || useRegex {
                pieces = PreTokenizer.splitEach(pieces) { piece in
                    var p = piece
                    var shift = 0
                    if addPrefixSpace && p.text.first != 0x20 && !p.text.isEmpty {
                        p.text.insert(0x20, at: 0)
                        shift = 1
                    }
                    guard useRegex else { return [p] }
                    let m = PreTokenizer.regexMatches(gpt2, p.text, invert: false)
                    return PreTokenizer.split(p, m, .isolated, originShift: shift)
                }
            }
            for i in pieces.indices { pieces[i].text = ByteLevelAlphabet.encode(pieces[i].text) }
        case .split(let regex, let behavior, let invert):
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.regexMatches(regex, p.text, invert: invert), behavior)
            }
        case .bert:
            let data = UnicodeData.shared
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { data.isWhitespace($0) }, .removed)
            }
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { data.bertPunctuation.contains($0) }, .isolated)
            }
        case .whitespace:
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.wordOrPunctuationRuns(p.text), .removed)
            }
        case .whitespaceSplit:
            let data = UnicodeData.shared
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { data.isWhitespace($0) }, .removed)
            }
        case .digits(let individual):
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { $0 >= 0x30 && $0 <= 0x39 },
                                   individual ? .isolated : .contiguous)
            }
        case .punctuation(let behavior):
            let data = UnicodeData.shared
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { data.bertPunctuation.contains($0) }, behavior)
            }
        case .metaspace(let replacement, let scheme, let split):
            pieces = PreTokenizer.splitEach(pieces) { piece in
                var p = piece
                for i in p.text.indices where p.text[i] == 0x20 { p.text[i] = replacement }
                var shift = 0
                let startsWithReplacement = p.text.first == replacement
                switch scheme {
                case .always:
                    if !startsWithReplacement && !p.text.isEmpty { p.text.insert(replacement, at: 0); shift = 1 }
                case .first:
                    if !startsWithReplacement && !p.text.isEmpty && p.origin == 0 { p.text.insert(replacement, at: 0); shift = 1 }
                case .never:
                    break
                }
                guard split else { return [p] }
                return PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { $0 == replacement }, .mergedWithNext, originShift: shift)
            }
        case .charDelimiter(let delimiter):
            pieces = PreTokenizer.splitEach(pieces) { p in
                PreTokenizer.split(p, PreTokenizer.charMatches(p.text) { $0 == delimiter }, .removed)
            }
        case .sequence(let steps):
            for step in steps { step.apply(&pieces, gpt2: gpt2) }
        }
    }

    /// Applies `f` to every piece and drops the empty results (as `PreTokenizedString.split`).
    static func splitEach(_ pieces: [Piece], _ f: (Piece) -> [Piece]) -> [Piece] {
        var out: [Piece] = []
        out.reserveCapacity(pieces.count)
        for p in pieces {
            for q in f(p) where !q.text.isEmpty { out.append(q) }
        }
        return out
    }

    /// A match list covering the whole text: `(start, end, isMatch)` as the crate's
    /// `Pattern::find_matches` for an onig regex (optionally inverted).
    static func regexMatches(_ regex: Regex, _ text: [UInt32], invert: Bool) -> [(Int, Int, Bool)] {
        if text.isEmpty { return [(0, 0, invert)] }
        var out: [(Int, Int, Bool)] = []
        var prev = 0
        for (s, e) in regex.matches(in: text) {
            if prev != s { out.append((prev, s, invert)) }
            out.append((s, e, !invert))
            prev = e
        }
        if prev != text.count { out.append((prev, text.count, invert)) }
        return out
    }

    /// Every scalar satisfying `isDelimiter` is its own match (the crate's `Fn(char) -> bool`
    /// pattern).
    static func charMatches(_ text: [UInt32], _ isDelimiter: (UInt32) -> Bool) -> [(Int, Int, Bool)] {
        var out: [(Int, Int, Bool)] = []
        var last = 0
        for (i, c) in text.enumerated() where isDelimiter(c) {
            if last < i { out.append((last, i, false)) }
            out.append((i, i + 1, true))
            last = i + 1
        }
        if last < text.count { out.append((last, text.count, false)) }
        return out
    }

    /// `\w+|[^\w\s]+` (Rust regex crate), inverted: the runs are kept, whitespace removed.
    static func wordOrPunctuationRuns(_ text: [UInt32]) -> [(Int, Int, Bool)] {
        let data = UnicodeData.shared
        var out: [(Int, Int, Bool)] = []
        var i = 0
        var prev = 0
        let n = text.count
        while i < n {
            let c = text[i]
            let isWord = data.rustRegexWord.contains(c)
            if !isWord && data.isWhitespace(c) {
                i += 1
                continue
            }
            var j = i + 1
            if isWord {
                while j < n && data.rustRegexWord.contains(text[j]) { j += 1 }
            } else {
                while j < n && !data.rustRegexWord.contains(text[j]) && !data.isWhitespace(text[j]) { j += 1 }
            }
            if prev != i { out.append((prev, i, true)) }
            out.append((i, j, false))
            prev = j
            i = j
        }
        if prev != n { out.append((prev, n, true)) }
        return out
    }

    /// `NormalizedString::split`: turns a match list into pieces according to `behavior`.
    /// `originShift` is the number of scalars inserted at the front of `piece` before the
    /// matches were computed (they map to the piece's own origin).
    static func split(_ piece: Piece, _ matches: [(Int, Int, Bool)], _ behavior: SplitBehavior, originShift: Int = 0) -> [Piece] {
        var spans: [(Int, Int)] = []
        spans.reserveCapacity(matches.count)
        switch behavior {
        case .isolated:
            for m in matches { spans.append((m.0, m.1)) }
        case .removed:
            for m in matches where !m.2 { spans.append((m.0, m.1)) }
        case .contiguous:
            var previousMatch = false
            for m in matches {
                if m.2 == previousMatch, !spans.isEmpty {
                    spans[spans.count - 1].1 = m.1
                } else {
                    spans.append((m.0, m.1))
                }
                previousMatch = m.2
            }
        case .mergedWithPrevious:
            var previousMatch = false
            for m in matches {
                if m.2 && !previousMatch, !spans.isEmpty {
                    spans[spans.count - 1].1 = m.1
                } else {
                    spans.append((m.0, m.1))
                }
                previousMatch = m.2
            }
        case .mergedWithNext:
            var previousMatch = false
            var reversed: [(Int, Int)] = []
            for m in matches.reversed() {
                if m.2 && !previousMatch, !reversed.isEmpty {
                    reversed[reversed.count - 1].0 = m.0
                } else {
                    reversed.append((m.0, m.1))
                }
                previousMatch = m.2
            }
            spans = reversed.reversed()
        }
        if spans.count == 1 && spans[0].0 == 0 && spans[0].1 == piece.text.count {
            return [piece]
        }
        return spans.map { s, e in
            Piece(text: Array(piece.text[s..<e]), origin: piece.origin + Swift.max(0, s - originShift))
        }
    }
}

/// GPT-2's reversible mapping between bytes and printable scalars, used by the ByteLevel
/// pre-tokenizer and decoder.
enum ByteLevelAlphabet {
    /// `byteToScalar[b]` is the scalar standing for byte `b`.
    static let byteToScalar: [UInt32] = {
        var printable: [UInt32] = []
        printable += Array(0x21...0x7E)
        printable += Array(0xA1...0xAC)
        printable += Array(0xAE...0xFF)
        var table = [UInt32](repeating: 0, count: 256)
        for b in printable { table[Int(b)] = b }
        var n: UInt32 = 0
        for b in 0..<256 where !printable.contains(UInt32(b)) {
            table[b] = 256 + n
            n += 1
        }
        return table
    }()

    /// Inverse of `byteToScalar` (indexed by scalar, -1 where the scalar stands for no byte).
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 512)
        for (b, c) in byteToScalar.enumerated() { table[Int(c)] = Int16(b) }
        return table
    }()

    /// The UTF-8 bytes of `text`, each replaced by its printable scalar.
    static func encode(_ text: [UInt32]) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(text.count + text.count / 2)
        byteToScalar.withUnsafeBufferPointer { table in
            for c in text {
                if c < 0x80 {
                    out.append(table[Int(c)])
                } else if c < 0x800 {
                    out.append(table[Int(0xC0 | (c >> 6))])
                    out.append(table[Int(0x80 | (c & 0x3F))])
                } else if c < 0x10000 {
                    out.append(table[Int(0xE0 | (c >> 12))])
                    out.append(table[Int(0x80 | ((c >> 6) & 0x3F))])
                    out.append(table[Int(0x80 | (c & 0x3F))])
                } else {
                    out.append(table[Int(0xF0 | (c >> 18))])
                    out.append(table[Int(0x80 | ((c >> 12) & 0x3F))])
                    out.append(table[Int(0x80 | ((c >> 6) & 0x3F))])
                    out.append(table[Int(0x80 | (c & 0x3F))])
                }
            }
        }
        return out
    }
}
