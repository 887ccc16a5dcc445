/// The `normalizer` section of tokenizer.json, applied to scalar arrays exactly as the
/// `tokenizers` crate applies it to a `NormalizedString` (offsets are not tracked: only
/// the resulting text matters for ids).
indirect enum Normalizer: Sendable {
    case unicode(UnicodeNormalization.Form)
    case lowercase
    case stripAccents
    case bert(cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool)
    case replace(pattern: Regex, content: [UInt32])
    case prepend([UInt32])
    case strip(left: Bool, right: Bool)
    case sequence([Normalizer])

    func normalize(_ text: [UInt32]) -> [UInt32] {
        switch self {
        case .unicode(let form):
            return UnicodeNormalization.normalize(text, form: form)
        case .lowercase:
            return Normalizer.lowercased(text)
        case .stripAccents:
            let marks = UnicodeData.shared.combiningMarks
            return text.filter { $0 < 0x300 || !marks.contains($0) }
        case .bert(let cleanText, let handleChineseChars, let stripAccents, let lowercase):
            return Normalizer.bert(text, cleanText: cleanText, handleChineseChars: handleChineseChars,
                                   stripAccents: stripAccents, lowercase: lowercase)
        case .replace(let pattern, let content):
            let matches = pattern.matches(in: text)
            if matches.isEmpty { return text }
            var out: [UInt32] = []
            out.reserveCapacity(text.count)
            var last = 0
            for (s, e) in matches {
                out.append(contentsOf: text[last..<s])
                out.append(contentsOf: content)
                last = e
            }
            out.append(contentsOf: text[last...])
            return out
        case .prepend(let prefix):
            // NormalizedString::prepend does nothing on an empty string.
            return text.isEmpty ? text : prefix + text
        case .strip(let left, let right):
            let data = UnicodeData.shared
            var start = 0
            var end = text.count
            if left { while start < end && data.isWhitespace(text[start]) { start += 1 } }
            if right { while end > start && data.isWhitespace(text[end - 1]) { end -= 1 } }
            return start == 0 && end == text.count ? text : Array(text[start..<end])
        case .sequence(let steps):
            var out = text
            for step in steps { out = step.normalize(out) }
            return out
        }
    }

    /// Rust's `char::to_lowercase` per scalar (no context rules such as final sigma).
    static func lowercased(_ text: [UInt32]) -> [UInt32] {
        let map = UnicodeData.shared.lowercaseMapping
        var out: [UInt32] = []
        out.reserveCapacity(text.count)
        for c in text {
            if c < 0x80 {
                out.append(c >= 0x41 && c <= 0x5A ? c + 32 : c)
            } else if let l = map[c] {
                out.append(contentsOf: l)
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// BertNormalizer: clean text, space out CJK ideographs, strip accents (NFD then drop
    /// nonspacing marks), lowercase — in that order.
    static func bert(_ text: [UInt32], cleanText: Bool, handleChineseChars: Bool, stripAccents: Bool, lowercase: Bool) -> [UInt32] {
        let data = UnicodeData.shared
        var s = text
        if cleanText {
            var out: [UInt32] = []
            out.reserveCapacity(s.count)
            for c in s {
                if data.bertControl.contains(c) {
                    continue  // control characters, NUL and U+FFFD are dropped
                } else if data.bertWhitespace.contains(c) {
                    out.append(0x20)
                } else {
                    out.append(c)
                }
            }
            s = out
        }
        if handleChineseChars {
            var out: [UInt32] = []
            out.reserveCapacity(s.count)
            for c in s {
                if c >= 0x3400 && data.bertChinese.contains(c) {
                    out.append(0x20)
                    out.append(c)
                    out.append(0x20)
                } else {
                    out.append(c)
                }
            }
            s = out
        }
        if stripAccents {
            s = UnicodeNormalization.normalize(s, form: .nfd)
            let marks = data.bertNonspacingMarks
            s.removeAll { $0 >= 0x300 && marks.contains($0) }
        }
        if lowercase { s = lowercased(s) }
        return s
    }
}
