/// The `decoder` section of tokenizer.json: turns token strings back into text. Each case
/// is the crate's `decode_chain`; the final text is the chain's output joined.
indirect enum Decoder: Sendable {
    case byteLevel
    case wordPiece(prefix: String, cleanup: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme)
    case bpe(suffix: String)
    case replace(pattern: Regex, content: String)
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case byteFallback
    case sequence([Decoder])

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            // Tokens made only of byte-level scalars become bytes; any other token keeps its
            // UTF-8 bytes. Invalid UTF-8 is replaced (String::from_utf8_lossy).
            var bytes: [UInt8] = []
            for token in tokens {
                var tokenBytes: [UInt8] = []
                var allMapped = true
                for u in token.unicodeScalars {
                    let v = Int(u.value)
                    if v < ByteLevelAlphabet.scalarToByte.count, ByteLevelAlphabet.scalarToByte[v] >= 0 {
                        tokenBytes.append(UInt8(ByteLevelAlphabet.scalarToByte[v]))
                    } else {
                        allMapped = false
                        break
                    }
                }
                bytes += allMapped ? tokenBytes : Array(token.utf8)
            }
            return [Decoder.lossyUTF8(bytes)]
        case .wordPiece(let prefix, let cleanup):
            return tokens.enumerated().map { i, token in
                var t = token
                if i != 0 {
                    let p = Array(prefix.utf8), b = Array(t.utf8)
                    if b.starts(with: p) { t = String(decoding: b[p.count...], as: UTF8.self) } else { t = " " + t }
                }
                return cleanup ? Decoder.wordPieceCleanup(t) : t
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { i, token in
                var out = String.UnicodeScalarView()
                for u in token.unicodeScalars {
                    if u == replacement {
                        if i == 0 && scheme != .never { continue }
                        out.append(" ")
                    } else {
                        out.append(u)
                    }
                }
                return String(out)
            }
        case .bpe(let suffix):
            return tokens.enumerated().map { i, token in
                suffix.isEmpty ? token : token.replacingAll(suffix, with: i == tokens.count - 1 ? "" : " ")
            }
        case .replace(let pattern, let content):
            return tokens.map { token in
                let scalars = token.unicodeScalars.map(\.value)
                var out = String.UnicodeScalarView()
                var last = 0
                for (s, e) in pattern.matches(in: scalars) {
                    for c in scalars[last..<s] { out.append(Unicode.Scalar(c) ?? "\u{FFFD}") }
                    out.append(contentsOf: content.unicodeScalars)
                    last = e
                }
                for c in scalars[last...] { out.append(Unicode.Scalar(c) ?? "\u{FFFD}") }
                return String(out)
            }
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                let chars = Array(token.unicodeScalars)
                var startCut = 0
                for (i, c) in chars.enumerated().prefix(start) {
                    if c == content { startCut = i + 1 } else { break }
                }
                var stopCut = chars.count
                for i in 0..<stop {
                    let index = chars.count - i - 1
                    if index < 0 { break }
                    if chars[index] == content { stopCut = index } else { break }
                }
                return startCut < stopCut ? String(String.UnicodeScalarView(chars[startCut..<stopCut])) : ""
            }
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) {
                    out.append(s)
                } else {
                    out.append(contentsOf: Array(repeating: "\u{FFFD}", count: pending.count))
                }
                pending.removeAll()
            }
            for token in tokens {
                if let byte = Decoder.byteToken(token) {
                    pending.append(byte)
                } else {
                    flush()
                    out.append(token)
                }
            }
            flush()
            return out
        case .sequence(let steps):
            var out = tokens
            for step in steps { out = step.decodeChain(out) }
            return out
        }
    }

    /// `<0xAB>` → 0xAB.
    static func byteToken(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }

    static func lossyUTF8(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func wordPieceCleanup(_ s: String) -> String {
        s.replacingAll(" .", with: ".")
            .replacingAll(" ?", with: "?")
            .replacingAll(" !", with: "!")
            .replacingAll(" ,", with: ",")
            .replacingAll(" ' ", with: "'")
            .replacingAll(" n't", with: "n't")
            .replacingAll(" 'm", with: "'m")
            .replacingAll(" do not", with: " don't")
            .replacingAll(" 's", with: "'s")
            .replacingAll(" 've", with: "'ve")
            .replacingAll(" 're", with: "'re")
    }
}

extension String {
    /// Replaces every non-overlapping occurrence of `target` (left to right, by UTF-8 bytes,
    /// as Rust's `str::replace`).
    func replacingAll(_ target: String, with replacement: String) -> String {
        let t = Array(target.utf8)
        guard !t.isEmpty else { return self }
        let s = Array(self.utf8)
        guard s.count >= t.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            if i + t.count <= s.count && s[i] == t[0] && Array(s[i..<(i + t.count)]) == t {
                out.append(contentsOf: replacement.utf8)
                i += t.count
                changed = true
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : self
    }
}
