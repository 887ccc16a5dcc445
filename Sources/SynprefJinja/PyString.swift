/// Python `str` methods with Python's semantics: strings are sequences of code points
/// (not Swift's grapheme clusters), whitespace is `str.isspace()`, case mapping is full
/// Unicode case mapping. Substring search works on UTF-8 bytes, which is equivalent for
/// valid UTF-8 (a valid needle can only match at character boundaries).
enum PyString {
    static func scalars(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: scalars)
        return String(v)
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func length(_ s: String) -> Int { s.unicodeScalars.count }

    // MARK: Search

    /// Byte offset of the first occurrence of `needle` in `hay[from..<to]`.
    static func find(_ hay: [UInt8], _ needle: [UInt8], from: Int = 0, to: Int? = nil) -> Int? {
        let end = to ?? hay.count
        let n = needle.count
        if n == 0 { return from <= end ? from : nil }
        guard end - from >= n else { return nil }
        let first = needle[0]
        var i = from
        while i <= end - n {
            if hay[i] == first {
                var k = 1
                while k < n && hay[i + k] == needle[k] { k += 1 }
                if k == n { return i }
            }
            i += 1
        }
        return nil
    }

    static func rfind(_ hay: [UInt8], _ needle: [UInt8], from: Int = 0, to: Int? = nil) -> Int? {
        let end = to ?? hay.count
        let n = needle.count
        guard end - from >= n else { return nil }
        var i = end - n
        while i >= from {
            var k = 0
            while k < n && hay[i + k] == needle[k] { k += 1 }
            if k == n { return i }
            i -= 1
        }
        return nil
    }

    static func contains(_ s: String, _ sub: String) -> Bool {
        find(Array(s.utf8), Array(sub.utf8)) != nil
    }

    static func startsWith(_ s: String, _ prefix: String) -> Bool {
        s.utf8.starts(with: prefix.utf8)
    }

    static func endsWith(_ s: String, _ suffix: String) -> Bool {
        s.utf8.reversed().starts(with: suffix.utf8.reversed())
    }

    /// Number of code points in UTF-8 bytes (to turn byte offsets into Python indices).
    static func codePointCount(_ bytes: ArraySlice<UInt8>) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// `str.count(sub)`: non-overlapping occurrences (empty `sub`: len + 1).
    static func count(_ s: String, _ sub: String) -> Int {
        let hay = Array(s.utf8)
        let needle = Array(sub.utf8)
        if needle.isEmpty { return length(s) + 1 }
        var n = 0
        var i = 0
        while let j = find(hay, needle, from: i) {
            n += 1
            i = j + needle.count
        }
        return n
    }

    // MARK: Split, replace, strip

    /// `str.split(sep, maxsplit)`; `sep == nil` splits on whitespace runs.
    static func split(_ s: String, _ sep: String?, maxsplit: Int = -1) throws -> [String] {
        guard let sep else { return splitWhitespace(s, maxsplit: maxsplit) }
        if sep.isEmpty { throw PyError.valueError("empty separator") }
        let hay = Array(s.utf8)
        let needle = Array(sep.utf8)
        var parts: [String] = []
        var start = 0
        var splits = 0
        while maxsplit < 0 || splits < maxsplit, let j = find(hay, needle, from: start) {
            parts.append(string(hay[start..<j]))
            start = j + needle.count
            splits += 1
        }
        parts.append(string(hay[start...]))
        return parts
    }

    static func rsplit(_ s: String, _ sep: String?, maxsplit: Int = -1) throws -> [String] {
        if maxsplit < 0 { return try split(s, sep, maxsplit: -1) }
        guard let sep else {
            let sc = scalars(s)
            var parts: [String] = []
            var end = sc.count
            var splits = 0
            while true {
                while end > 0, isPythonSpace(sc[end - 1]) { end -= 1 }
                if end == 0 { break }
                if splits == maxsplit {
                    parts.append(string(sc[0..<end]))
                    break
                }
                var start = end
                while start > 0, !isPythonSpace(sc[start - 1]) { start -= 1 }
                parts.append(string(sc[start..<end]))
                splits += 1
                end = start
            }
            return parts.reversed()
        }
        if sep.isEmpty { throw PyError.valueError("empty separator") }
        let hay = Array(s.utf8)
        let needle = Array(sep.utf8)
        var parts: [String] = []
        var end = hay.count
        var splits = 0
        while splits < maxsplit, let j = rfind(hay, needle, from: 0, to: end) {
            parts.append(string(hay[(j + needle.count)..<end]))
            end = j
            splits += 1
        }
        parts.append(string(hay[0..<end]))
        return parts.reversed()
    }

    static func splitWhitespace(_ s: String, maxsplit: Int) -> [String] {
        let sc = scalars(s)
        var parts: [String] = []
        var i = 0
        var splits = 0
        while i < sc.count {
            while i < sc.count, isPythonSpace(sc[i]) { i += 1 }
            if i == sc.count { break }
            if maxsplit >= 0 && splits == maxsplit {
                // The remainder keeps its trailing whitespace, as in Python.
                parts.append(string(sc[i...]))
                break
            }
            var j = i
            while j < sc.count, !isPythonSpace(sc[j]) { j += 1 }
            parts.append(string(sc[i..<j]))
            splits += 1
            i = j
        }
        return parts
    }

    /// `str.splitlines(keepends)`.
    static func splitlines(_ s: String, keepends: Bool = false) -> [String] {
        let sc = scalars(s)
        var lines: [String] = []
        var start = 0
        var i = 0
        while i < sc.count {
            let c = sc[i].value
            var breakLen = 0
            switch c {
            case 0x0D: breakLen = (i + 1 < sc.count && sc[i + 1] == "\n") ? 2 : 1
            case 0x0A, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: breakLen = 1
            default: break
            }
            if breakLen > 0 {
                lines.append(string(sc[start..<(keepends ? i + breakLen : i)]))
                i += breakLen
                start = i
            } else {
                i += 1
            }
        }
        if start < sc.count { lines.append(string(sc[start...])) }
        return lines
    }

    /// `str.replace(old, new, count)`; an empty `old` inserts `new` between characters.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        if old.isEmpty {
            var out = ""
            var n = 0
            for c in s.unicodeScalars {
                if count < 0 || n < count {
                    out += new
                    n += 1
                }
                out.unicodeScalars.append(c)
            }
            if count < 0 || n < count { out += new }
            return out
        }
        let hay = Array(s.utf8)
        let needle = Array(old.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(hay.count)
        var start = 0
        var n = 0
        while count < 0 || n < count, let j = find(hay, needle, from: start) {
            out.append(contentsOf: hay[start..<j])
            out.append(contentsOf: new.utf8)
            start = j + needle.count
            n += 1
        }
        out.append(contentsOf: hay[start...])
        return String(decoding: out, as: UTF8.self)
    }

    static func strip(_ s: String, _ chars: String?, left: Bool = true, right: Bool = true) -> String {
        let view = s.unicodeScalars
        let set: [Unicode.Scalar]? = chars.map { Array($0.unicodeScalars) }
        @inline(__always) func strippable(_ c: Unicode.Scalar) -> Bool {
            if let set { return set.contains(c) }
            return isPythonSpace(c)
        }
        var a = view.startIndex
        var b = view.endIndex
        if left { while a < b, strippable(view[a]) { a = view.index(after: a) } }
        if right {
            while b > a {
                let p = view.index(before: b)
                guard strippable(view[p]) else { break }
                b = p
            }
        }
        if a == view.startIndex && b == view.endIndex { return s }
        return String(view[a..<b])
    }

    // MARK: Case

    /// `str.lower()` with full case mapping and Greek final sigma, as CPython does.
    static func lower(_ s: String) -> String {
        let sc = scalars(s)
        var out = ""
        for i in sc.indices { appendLower(sc, i, to: &out) }
        return out
    }

    /// CPython's `lower_ucs4`: the lowercase of `sc[i]`, in the context of the string.
    private static func appendLower(_ sc: [Unicode.Scalar], _ i: Int, to out: inout String) {
        let c = sc[i]
        if c.value < 128 {
            out.unicodeScalars.append(c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32)! : c)
        } else if c == "\u{03A3}" {
            out.unicodeScalars.append(isFinalSigma(sc, i) ? "\u{03C2}" : "\u{03C3}")
        } else {
            out += c.properties.lowercaseMapping
        }
    }

    /// CPython's `handle_capital_sigma`: preceded by a cased letter (skipping
    /// case-ignorable ones) and not followed by one.
    private static func isFinalSigma(_ sc: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i - 1
        while j >= 0, sc[j].properties.isCaseIgnorable { j -= 1 }
        let before = j >= 0 && sc[j].properties.isCased
        if !before { return false }
        j = i + 1
        while j < sc.count, sc[j].properties.isCaseIgnorable { j += 1 }
        let after = j < sc.count && sc[j].properties.isCased
        return !after
    }

    static func upper(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            if c.value < 128 {
                out.unicodeScalars.append(c.value >= 97 && c.value <= 122 ? Unicode.Scalar(c.value - 32)! : c)
            } else {
                out += c.properties.uppercaseMapping
            }
        }
        return out
    }

    /// `str.capitalize()` (Python >= 3.8): first character title-cased, the rest lowered.
    static func capitalize(_ s: String) -> String {
        let sc = scalars(s)
        guard let first = sc.first else { return s }
        var out = first.properties.titlecaseMapping
        for i in sc.indices.dropFirst() { appendLower(sc, i, to: &out) }
        return out
    }

    /// `str.title()`.
    static func title(_ s: String) -> String {
        var out = ""
        var previousCased = false
        let sc = scalars(s)
        for (i, c) in sc.enumerated() {
            if previousCased {
                appendLower(sc, i, to: &out)
            } else {
                out += c.properties.titlecaseMapping
            }
            previousCased = c.properties.isCased
        }
        return out
    }

    static func swapcase(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            if c.properties.isUppercase {
                out += c.properties.lowercaseMapping
            } else if c.properties.isLowercase {
                out += c.properties.uppercaseMapping
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `str.islower()` / `isupper()`: at least one cased character, none of the other case.
    static func isLower(_ s: String) -> Bool {
        var cased = false
        for c in s.unicodeScalars {
            if c.properties.isUppercase || c.properties.generalCategory == .titlecaseLetter { return false }
            if c.properties.isLowercase { cased = true }
        }
        return cased
    }

    static func isUpper(_ s: String) -> Bool {
        var cased = false
        for c in s.unicodeScalars {
            if c.properties.isLowercase || c.properties.generalCategory == .titlecaseLetter { return false }
            if c.properties.isUppercase { cased = true }
        }
        return cased
    }

    // MARK: Padding

    /// `str.center(width, fill)` with CPython's placement of the odd padding character.
    static func center(_ s: String, _ width: Int, fill: Unicode.Scalar = " ") -> String {
        let n = length(s)
        guard width > n else { return s }
        let marg = width - n
        let left = marg / 2 + (marg & width & 1)
        return string(repeatElement(fill, count: left)) + s + string(repeatElement(fill, count: marg - left))
    }

    static func ljust(_ s: String, _ width: Int, fill: Unicode.Scalar = " ") -> String {
        let n = length(s)
        return width > n ? s + string(repeatElement(fill, count: width - n)) : s
    }

    static func rjust(_ s: String, _ width: Int, fill: Unicode.Scalar = " ") -> String {
        let n = length(s)
        return width > n ? string(repeatElement(fill, count: width - n)) + s : s
    }

    static func zfill(_ s: String, _ width: Int) -> String {
        let sc = scalars(s)
        guard width > sc.count else { return s }
        let pad = string(repeatElement("0" as Unicode.Scalar, count: width - sc.count))
        if let f = sc.first, f == "+" || f == "-" { return string([f]) + pad + string(sc.dropFirst()) }
        return pad + s
    }
}
