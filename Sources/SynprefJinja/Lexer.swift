/// One lexical token of a template.
struct Token {
    enum Kind: Equatable {
        case data(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        /// An operator or punctuation, e.g. `+`, `//`, `(`, `|`.
        case op(String)
        case eof
    }

    var kind: Kind
    var location: SourceLocation
}

/// Splits template text into tokens exactly as jinja2's lexer does with transformers'
/// settings: `trim_blocks` (the first newline after a block or comment tag is dropped),
/// `lstrip_blocks` (spaces and tabs before a block or comment tag on its own line are
/// dropped), `-`/`+` whitespace control, `{% raw %}`, newline normalization (`\r\n` and
/// `\r` become `\n`, one trailing newline is removed: `keep_trailing_newline=False`).
struct Lexer {
    private let src: [Unicode.Scalar]
    private var lineStarts: [Int] = [0]
    private var pos = 0
    private var tokens: [Token] = []
    /// jinja2's `line_starting`: the previous match ended with a newline (or we are at
    /// the start). Needed by `lstrip_blocks` for a tag at the start of a line.
    private var lineStarting = true

    init(source: String) {
        src = Lexer.normalizeNewlines(source)
        for (i, c) in src.enumerated() where c == "\n" { lineStarts.append(i + 1) }
    }

    /// `newline_re.split(source)[::2]`, dropping one trailing empty line, joined by `\n`.
    static func normalizeNewlines(_ source: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(source.unicodeScalars.count)
        var it = source.unicodeScalars.makeIterator()
        var pendingCR = false
        while let c = it.next() {
            if pendingCR {
                pendingCR = false
                if c == "\n" { continue }
            }
            if c == "\r" {
                out.append("\n")
                pendingCR = true
            } else {
                out.append(c)
            }
        }
        if out.last == "\n" { out.removeLast() }
        return out
    }

    static func tokenize(_ source: String) throws -> [Token] {
        var lexer = Lexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    func location(_ p: Int) -> SourceLocation {
        // Binary search for the last line start <= p.
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= p { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(line: lo + 1, column: p - lineStarts[lo] + 1)
    }

    private func at(_ p: Int) -> Unicode.Scalar? { p < src.count ? src[p] : nil }

    private func matches(_ s: String, at p: Int) -> Bool {
        var i = p
        for c in s.unicodeScalars {
            guard i < src.count, src[i] == c else { return false }
            i += 1
        }
        return true
    }

    private func fail(_ message: String, at p: Int) -> JinjaError {
        .syntax(message, at: location(p))
    }

    // MARK: - Root state

    private enum TagKind { case variable, block, comment, raw }

    private mutating func run() throws {
        while pos < src.count {
            guard let (tagStart, kind, signEnd) = findNextTag(from: pos) else {
                emitData(from: pos, to: src.count)
                pos = src.count
                break
            }
            let sign: Unicode.Scalar? = signEnd > tagStart + 2 ? src[tagStart + 2] : nil
            let textEnd = stripText(from: pos, to: tagStart, sign: sign, stripsLeft: kind != .variable)
            emitData(from: pos, to: textEnd)
            switch kind {
            case .comment:
                try lexComment(from: signEnd, start: tagStart)
            case .raw:
                try lexRaw(tagStart: tagStart)
            case .variable:
                tokens.append(Token(kind: .variableBegin, location: location(tagStart)))
                pos = signEnd
                lineStarting = false
                try lexInsideTag(isBlock: false, start: tagStart)
            case .block:
                tokens.append(Token(kind: .blockBegin, location: location(tagStart)))
                pos = signEnd
                lineStarting = false
                try lexInsideTag(isBlock: true, start: tagStart)
            }
        }
        tokens.append(Token(kind: .eof, location: location(src.count)))
    }

    /// The earliest `{{`, `{%` or `{#` at or after `p`, its kind (a `{%` that opens
    /// `{% raw %}` is `.raw`) and the index after its optional `-`/`+` sign.
    private func findNextTag(from p: Int) -> (Int, TagKind, Int)? {
        var i = p
        while i + 1 < src.count {
            if src[i] == "{" {
                let kind: TagKind?
                switch src[i + 1] {
                case "{": kind = .variable
                case "%": kind = isRawBegin(at: i) != nil ? .raw : .block
                case "#": kind = .comment
                default: kind = nil
                }
                if let kind {
                    var e = i + 2
                    if let c = at(e), c == "-" || c == "+" { e += 1 }
                    return (i, kind, e)
                }
            }
            i += 1
        }
        return nil
    }

    /// Matches `{%[-+]?\s*raw\s*(-%}\s*|%})` at `p`; returns the end index.
    private func isRawBegin(at p: Int) -> Int? {
        var i = p + 2
        if let c = at(i), c == "-" || c == "+" { i += 1 }
        while let c = at(i), isPythonSpace(c) { i += 1 }
        guard matches("raw", at: i) else { return nil }
        i += 3
        while let c = at(i), isPythonSpace(c) { i += 1 }
        if matches("-%}", at: i) {
            i += 3
            while let c = at(i), isPythonSpace(c) { i += 1 }
            return i
        }
        if matches("%}", at: i) { return i + 2 }
        return nil
    }

    /// Applies `-` (strip all trailing whitespace) or `lstrip_blocks` to the text before a
    /// tag; returns the new end of the text.
    private func stripText(from start: Int, to end: Int, sign: Unicode.Scalar?, stripsLeft: Bool) -> Int {
        if sign == "-" {
            var e = end
            while e > start, isPythonSpace(src[e - 1]) { e -= 1 }
            return e
        }
        guard sign != "+", stripsLeft else { return end }
        // The start of the text after its last newline.
        var lPos = end
        while lPos > start, src[lPos - 1] != "\n" { lPos -= 1 }
        guard lPos > start || lineStarting else { return end }
        guard lPos < end else { return end }
        for i in lPos..<end where !isPythonSpace(src[i]) { return end }
        return lPos
    }

    private mutating func emitData(from start: Int, to end: Int) {
        guard end > start else { return }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: src[start..<end])
        tokens.append(Token(kind: .data(String(s)), location: location(start)))
    }

    /// `(.*?)((?:\+#}|\-#}\s*|#}\n?))`
    private mutating func lexComment(from p: Int, start: Int) throws {
        var i = p
        while i < src.count {
            if matches("+#}", at: i) {
                pos = i + 3
                lineStarting = false
                return
            }
            if matches("-#}", at: i) {
                i += 3
                var last: Unicode.Scalar = "}"
                while let c = at(i), isPythonSpace(c) {
                    last = c
                    i += 1
                }
                pos = i
                lineStarting = last == "\n"
                return
            }
            if matches("#}", at: i) {
                i += 2
                lineStarting = false
                if at(i) == "\n" {
                    i += 1
                    lineStarting = true
                }
                pos = i
                return
            }
            i += 1
        }
        throw fail("Missing end of comment tag", at: start)
    }

    /// `{% raw %}...{% endraw %}`: the content is data; the text before `{% endraw %}`
    /// gets the same `-`/lstrip treatment as text before any block tag.
    private mutating func lexRaw(tagStart: Int) throws {
        guard let contentStart = isRawBegin(at: tagStart) else {
            throw fail("malformed raw tag", at: tagStart)
        }
        lineStarting = contentStart > 0 && src[contentStart - 1] == "\n"
        var i = contentStart
        while i + 1 < src.count {
            if src[i] == "{" && src[i + 1] == "%" {
                var j = i + 2
                var sign: Unicode.Scalar? = nil
                if let c = at(j), c == "-" || c == "+" {
                    sign = c
                    j += 1
                }
                while let c = at(j), isPythonSpace(c) { j += 1 }
                if matches("endraw", at: j) {
                    j += 6
                    while let c = at(j), isPythonSpace(c) { j += 1 }
                    var end: Int? = nil
                    var endsWithNewline = false
                    if matches("+%}", at: j) {
                        end = j + 3
                    } else if matches("-%}", at: j) {
                        var k = j + 3
                        while let c = at(k), isPythonSpace(c) {
                            endsWithNewline = c == "\n"
                            k += 1
                        }
                        end = k
                    } else if matches("%}", at: j) {
                        var k = j + 2
                        if at(k) == "\n" {
                            k += 1
                            endsWithNewline = true
                        }
                        end = k
                    }
                    if let end {
                        let textEnd = stripText(from: contentStart, to: i, sign: sign, stripsLeft: true)
                        emitData(from: contentStart, to: textEnd)
                        pos = end
                        lineStarting = endsWithNewline
                        return
                    }
                }
            }
            i += 1
        }
        throw fail("Missing end of raw directive", at: tagStart)
    }

    // MARK: - Inside {{ }} and {% %}

    private mutating func lexInsideTag(isBlock: Bool, start: Int) throws {
        var balancing: [Unicode.Scalar] = []
        while true {
            guard pos < src.count else {
                // jinja2's lexer stops silently; the parser reports the missing end tag.
                return
            }
            if balancing.isEmpty, let end = matchTagEnd(isBlock: isBlock, at: pos) {
                tokens.append(Token(kind: isBlock ? .blockEnd : .variableEnd, location: location(pos)))
                lineStarting = end > pos && src[end - 1] == "\n"
                pos = end
                return
            }
            let c = src[pos]
            if isPythonSpace(c) {
                pos += 1
                continue
            }
            let loc = location(pos)
            if let (kind, end) = try matchNumber(at: pos) {
                tokens.append(Token(kind: kind, location: loc))
                pos = end
                continue
            }
            if isNameStart(c) {
                var e = pos + 1
                while let d = at(e), isNameContinue(d) { e += 1 }
                var s = String.UnicodeScalarView()
                s.append(contentsOf: src[pos..<e])
                tokens.append(Token(kind: .name(String(s)), location: loc))
                pos = e
                continue
            }
            if c == "'" || c == "\"" {
                if let (value, end) = try matchString(at: pos) {
                    tokens.append(Token(kind: .string(value), location: loc))
                    pos = end
                    continue
                }
            }
            if let op = matchOperator(at: pos) {
                switch op {
                case "{": balancing.append("}")
                case "(": balancing.append(")")
                case "[": balancing.append("]")
                case "}", ")", "]":
                    guard let expected = balancing.popLast() else {
                        throw fail("unexpected '\(op)'", at: pos)
                    }
                    if String(expected) != op {
                        throw fail("unexpected '\(op)', expected '\(expected)'", at: pos)
                    }
                default: break
                }
                tokens.append(Token(kind: .op(op), location: loc))
                pos += op.unicodeScalars.count
                continue
            }
            throw fail("unexpected char '\(Character(c))'", at: pos)
        }
    }

    /// Block: `\+%}|\-%}\s*|%}\n?`; variable: `\-}}\s*|}}`.
    private func matchTagEnd(isBlock: Bool, at p: Int) -> Int? {
        if isBlock {
            if matches("+%}", at: p) { return p + 3 }
            if matches("-%}", at: p) {
                var i = p + 3
                while let c = at(i), isPythonSpace(c) { i += 1 }
                return i
            }
            if matches("%}", at: p) { return at(p + 2) == "\n" ? p + 3 : p + 2 }
            return nil
        }
        if matches("-}}", at: p) {
            var i = p + 3
            while let c = at(i), isPythonSpace(c) { i += 1 }
            return i
        }
        if matches("}}", at: p) { return p + 2 }
        return nil
    }

    private static let operators: [String] = [
        "**", "//", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";",
    ]

    private func matchOperator(at p: Int) -> String? {
        for op in Lexer.operators where matches(op, at: p) { return op }
        return nil
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }

    /// jinja2's `float_re` then `integer_re` (floats win, as in its rule order).
    private func matchNumber(at p: Int) throws -> (Token.Kind, Int)? {
        guard let c = at(p), Lexer.isDigit(c) else { return nil }
        if let (value, end) = matchFloat(at: p) { return (.float(value), end) }
        return try matchInteger(at: p)
    }

    /// `(\d+_)*\d+` : digits with single underscores between them. Returns the end.
    private func digitRun(at p: Int, isDigit: (Unicode.Scalar) -> Bool = Lexer.isDigit) -> Int? {
        guard let c = at(p), isDigit(c) else { return nil }
        var i = p + 1
        while true {
            if let d = at(i), isDigit(d) {
                i += 1
            } else if at(i) == "_", let d = at(i + 1), isDigit(d) {
                i += 2
            } else {
                return i
            }
        }
    }

    private func matchFloat(at p: Int) -> (Double, Int)? {
        if p > 0 && src[p - 1] == "." { return nil }
        guard let intEnd = digitRun(at: p) else { return nil }
        var i = intEnd
        var hasFraction = false
        if at(i) == ".", let fracEnd = digitRun(at: i + 1) {
            i = fracEnd
            hasFraction = true
        }
        if let e = at(i), e == "e" || e == "E" {
            var j = i + 1
            if let s = at(j), s == "+" || s == "-" { j += 1 }
            if let expEnd = digitRun(at: j) {
                i = expEnd
                return parseFloat(from: p, to: i)
            }
        }
        return hasFraction ? parseFloat(from: p, to: i) : nil
    }

    private func parseFloat(from p: Int, to e: Int) -> (Double, Int)? {
        var s = ""
        for c in src[p..<e] where c != "_" { s.unicodeScalars.append(c) }
        guard let v = Double(s) else { return nil }
        return (v, e)
    }

    private func matchInteger(at p: Int) throws -> (Token.Kind, Int)? {
        func prefixed(_ radix: Int, _ isDigit: (Unicode.Scalar) -> Bool) throws -> (Token.Kind, Int)? {
            // 0b(_?[01])+ etc.
            var i = p + 2
            var digits = ""
            while true {
                if let d = at(i), isDigit(d) {
                    digits.unicodeScalars.append(d)
                    i += 1
                } else if at(i) == "_", let d = at(i + 1), isDigit(d) {
                    digits.unicodeScalars.append(d)
                    i += 2
                } else {
                    break
                }
            }
            guard !digits.isEmpty else { return nil }
            guard let v = Int(digits, radix: radix) else {
                throw fail("integer literal too large for 64 bits", at: p)
            }
            return (.integer(v), i)
        }
        if src[p] == "0", let x = at(p + 1) {
            switch x {
            case "b", "B": if let r = try prefixed(2, { $0 == "0" || $0 == "1" }) { return r }
            case "o", "O": if let r = try prefixed(8, { $0.value >= 48 && $0.value <= 55 }) { return r }
            case "x", "X":
                if let r = try prefixed(16, { $0.properties.isASCIIHexDigit }) { return r }
            default: break
            }
        }
        if src[p] == "0" {
            // 0(_?0)*
            var i = p + 1
            while true {
                if at(i) == "0" { i += 1 } else if at(i) == "_", at(i + 1) == "0" { i += 2 } else { break }
            }
            return (.integer(0), i)
        }
        guard let end = digitRun(at: p) else { return nil }
        var s = ""
        for c in src[p..<end] where c != "_" { s.unicodeScalars.append(c) }
        guard let v = Int(s) else { throw fail("integer literal too large for 64 bits", at: p) }
        return (.integer(v), end)
    }

    /// A quoted string with Python escapes, as jinja2 decodes it
    /// (`.encode("ascii", "backslashreplace").decode("unicode-escape")`).
    private func matchString(at p: Int) throws -> (String, Int)? {
        let quote = src[p]
        var i = p + 1
        while i < src.count {
            let c = src[i]
            if c == "\\" {
                i += 2
                continue
            }
            if c == quote {
                let decoded = try Lexer.decodeEscapes(Array(src[(p + 1)..<i]), location: location(p))
                return (decoded, i + 1)
            }
            i += 1
        }
        return nil
    }

    static func decodeEscapes(_ body: [Unicode.Scalar], location: SourceLocation) throws -> String {
        // Step 1: backslashreplace non-ASCII characters.
        var ascii: [UInt8] = []
        ascii.reserveCapacity(body.count)
        for c in body {
            if c.value < 128 {
                ascii.append(UInt8(c.value))
            } else {
                let esc: String
                if c.value < 0x100 {
                    esc = "\\x" + hex(c.value, width: 2)
                } else if c.value < 0x10000 {
                    esc = "\\u" + hex(c.value, width: 4)
                } else {
                    esc = "\\U" + hex(c.value, width: 8)
                }
                ascii.append(contentsOf: esc.utf8)
            }
        }
        // Step 2: Python's unicode-escape codec.
        var out = String.UnicodeScalarView()
        var i = 0
        func hexValue(_ n: Int, _ what: String) throws -> UInt32 {
            guard i + n <= ascii.count else {
                throw JinjaError.syntax("(unicode error) truncated \(what) escape", at: location)
            }
            var v: UInt32 = 0
            for k in 0..<n {
                guard let d = hexDigit(ascii[i + k]) else {
                    throw JinjaError.syntax("(unicode error) truncated \(what) escape", at: location)
                }
                v = v * 16 + d
            }
            i += n
            return v
        }
        while i < ascii.count {
            let b = ascii[i]
            i += 1
            guard b == 0x5C else {
                out.append(Unicode.Scalar(b))
                continue
            }
            guard i < ascii.count else {
                throw JinjaError.syntax("(unicode error) \\ at end of string", at: location)
            }
            let e = ascii[i]
            i += 1
            switch e {
            case 0x0A: break  // backslash-newline: line continuation
            case 0x5C: out.append("\\")
            case 0x27: out.append("'")
            case 0x22: out.append("\"")
            case 0x61: out.append("\u{07}")
            case 0x62: out.append("\u{08}")
            case 0x66: out.append("\u{0C}")
            case 0x6E: out.append("\n")
            case 0x72: out.append("\r")
            case 0x74: out.append("\t")
            case 0x76: out.append("\u{0B}")
            case 0x30...0x37:
                var v = UInt32(e - 0x30)
                var n = 1
                while n < 3, i < ascii.count, ascii[i] >= 0x30, ascii[i] <= 0x37 {
                    v = v * 8 + UInt32(ascii[i] - 0x30)
                    i += 1
                    n += 1
                }
                out.append(Unicode.Scalar(v)!)
            case 0x78:
                out.append(Unicode.Scalar(try hexValue(2, "\\xXX"))!)
            case 0x75, 0x55:
                let v = try hexValue(e == 0x75 ? 4 : 8, e == 0x75 ? "\\uXXXX" : "\\UXXXXXXXX")
                guard let s = Unicode.Scalar(v) else {
                    throw JinjaError.unsupported(
                        "string escape \\u\(hex(v, width: 4)) is a lone surrogate or out of range", at: location)
                }
                out.append(s)
            case 0x4E:
                throw JinjaError.unsupported("\\N{...} named escapes in string literals", at: location)
            default:
                out.append("\\")
                out.append(Unicode.Scalar(e))
            }
        }
        return String(out)
    }

    private func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.value < 128 ? c.properties.isAlphabetic : c.properties.isXIDStart)
    }

    private func isNameContinue(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.value < 128 ? (c.properties.isAlphabetic || Lexer.isDigit(c)) : c.properties.isXIDContinue)
    }
}

func hex(_ v: UInt32, width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

private func hexDigit(_ b: UInt8) -> UInt32? {
    switch b {
    case 0x30...0x39: return UInt32(b - 0x30)
    case 0x61...0x66: return UInt32(b - 0x61 + 10)
    case 0x41...0x46: return UInt32(b - 0x41 + 10)
    default: return nil
    }
}

/// Python's `str.isspace()` / regex `\s` for one character.
@inline(__always)
func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
    switch c.value {
    case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
        return true
    default:
        return false
    }
}
