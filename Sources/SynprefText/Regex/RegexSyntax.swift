/// The parsed form of an Oniguruma (Ruby syntax) pattern, restricted to what tokenizer
/// patterns use. Anything else is rejected by `RegexParser` with `RegexError`.
indirect enum RegexNode: Sendable {
    case empty
    case set(CharacterClass)
    case concat([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?, greedy: Bool, possessive: Bool)
    case lookahead(RegexNode, negative: Bool)
    case atomic(RegexNode)
    case assertion(RegexAssertion)
}

enum RegexAssertion: Sendable {
    case lineStart          // ^ (Ruby: start of any line)
    case lineEnd            // $ (Ruby: end of any line)
    case stringStart        // \A
    case stringEnd          // \z
    case stringEndNewline   // \Z
    case wordBoundary       // \b
    case notWordBoundary    // \B
}

/// A pattern the engine cannot run exactly as Oniguruma would.
public struct RegexError: Error, CustomStringConvertible, Equatable {
    public var pattern: String
    public var offset: Int
    public var message: String

    public var description: String {
        "regex \(pattern.debugDescription), at character \(offset): \(message)"
    }
}

/// Parses Oniguruma Ruby-syntax patterns (the syntax the `tokenizers` crate compiles with).
struct RegexParser {
    private let pattern: String
    private let s: [UInt32]
    private var i = 0
    private var caseInsensitive = false
    private var dotAll = false

    static func parse(_ pattern: String) throws(RegexError) -> RegexNode {
        var p = RegexParser(pattern: pattern)
        let node = try p.parseAlternation()
        if p.i < p.s.count { throw p.error("unmatched ')'") }
        return node
    }

    private init(pattern: String) {
        self.pattern = pattern
        self.s = pattern.unicodeScalars.map(\.value)
    }

    private func error(_ message: String) -> RegexError {
        RegexError(pattern: pattern, offset: i, message: message)
    }

    private var atEnd: Bool { i >= s.count }
    private func peek(_ k: Int = 0) -> UInt32? { i + k < s.count ? s[i + k] : nil }

    private mutating func parseAlternation() throws(RegexError) -> RegexNode {
        var branches: [RegexNode] = [try parseConcat()]
        while peek() == ch("|") {
            i += 1
            branches.append(try parseConcat())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcat() throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        // Literal runs are tracked to reject case-insensitive multi-character folds.
        var literalRun: [UInt32] = []
        while let c = peek(), c != ch("|"), c != ch(")") {
            if c == ch("(") && peek(1) == ch("?") && (peek(2) == ch("i") || peek(2) == ch("m") || peek(2) == ch("-")) {
                // A bare flag group `(?i)` changes the flags for the rest of this group.
                if let flags = try parseBareFlags() {
                    caseInsensitive = flags.i
                    dotAll = flags.m
                    continue
                }
            }
            let startLiteral = literalScalar()
            var atom = try parseAtom()
            atom = try parseQuantifiers(atom)
            if caseInsensitive, let lit = startLiteral, case .set = atom {
                literalRun.append(lit)
                try checkMultiCharFold(literalRun)
            } else {
                literalRun.removeAll()
            }
            items.append(atom)
        }
        if items.isEmpty { return .empty }
        return items.count == 1 ? items[0] : .concat(items)
    }

    /// The scalar a plain (unescaped) literal at the cursor stands for, if it is one.
    private func literalScalar() -> UInt32? {
        guard let c = peek() else { return nil }
        let meta = "\\.|()[]^$*+?{".unicodeScalars.map(\.value)
        if meta.contains(c) { return nil }
        return c
    }

    private func checkMultiCharFold(_ run: [UInt32]) throws(RegexError) {
        guard run.count >= 2 else { return }
        let a = lowerASCII(run[run.count - 2]), b = lowerASCII(run[run.count - 1])
        let pairs: Set<String> = ["ss", "st", "ff", "fi", "fl"]
        let pair = String(decoding: [UInt8(truncatingIfNeeded: a), UInt8(truncatingIfNeeded: b)], as: UTF8.self)
        if a < 128 && b < 128 && pairs.contains(pair) {
            throw error("case-insensitive \"\(pair)\" would also match a multi-character case fold (e.g. ß, ﬆ); not supported")
        }
    }

    private func lowerASCII(_ c: UInt32) -> UInt32 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }

    private mutating func parseBareFlags() throws(RegexError) -> (i: Bool, m: Bool)? {
        // At "(?"; scan flags up to ')' (bare) or ':' (scoped, handled by parseGroup).
        var j = i + 2
        var on = true
        var fi = caseInsensitive, fm = dotAll
        while j < s.count {
            let c = s[j]
            if c == ch(")") {
                i = j + 1
                return (fi, fm)
            }
            if c == ch(":") { return nil }
            if c == ch("-") { on = false } else if c == ch("i") { fi = on } else if c == ch("m") { fm = on } else {
                i = j
                throw error("unsupported inline flag '\(Character(Unicode.Scalar(c) ?? "?"))'")
            }
            j += 1
        }
        throw error("unterminated group")
    }

    private mutating func parseQuantifiers(_ atom: RegexNode) throws(RegexError) -> RegexNode {
        var node = atom
        while let c = peek() {
            var min = 0
            var max: Int? = nil
            if c == ch("*") {
                i += 1
            } else if c == ch("+") {
                min = 1
                i += 1
            } else if c == ch("?") {
                max = 1
                i += 1
            } else if c == ch("{"), let interval = parseInterval() {
                (min, max) = interval
                // Ruby syntax: `{n,m}+` repeats the repetition, it is not possessive.
                var greedy = true
                if peek() == ch("?") {
                    greedy = false
                    i += 1
                }
                node = try repetition(node, min: min, max: max, greedy: greedy, possessive: false)
                continue
            } else {
                break
            }
            var greedy = true
            var possessive = false
            if peek() == ch("?") {
                greedy = false
                i += 1
            } else if peek() == ch("+") {
                possessive = true
                i += 1
            }
            node = try repetition(node, min: min, max: max, greedy: greedy, possessive: possessive)
        }
        return node
    }

    private func repetition(_ node: RegexNode, min: Int, max: Int?, greedy: Bool, possessive: Bool) throws(RegexError) -> RegexNode {
        switch node {
        case .assertion, .lookahead:
            throw error("quantifier after an assertion or lookahead is not supported")
        default:
            break
        }
        if let max, max < min { throw error("invalid repetition {\(min),\(max)}") }
        if min > 100_000 || (max ?? 0) > 100_000 { throw error("repetition count too large") }
        return .repetition(node, min: min, max: max, greedy: greedy, possessive: possessive)
    }

    /// `{n}`, `{n,}`, `{n,m}`, `{,m}`; nil (and cursor unchanged) when `{` is a literal.
    private mutating func parseInterval() -> (Int, Int?)? {
        var j = i + 1
        func number() -> Int? {
            var v: Int? = nil
            while j < s.count, s[j] >= 0x30, s[j] <= 0x39 {
                v = (v ?? 0) * 10 + Int(s[j] - 0x30)
                if v! > 1_000_000 { return v }
                j += 1
            }
            return v
        }
        let lo = number()
        var hi: Int?
        if j < s.count && s[j] == ch(",") {
            j += 1
            hi = number()
            guard lo != nil || hi != nil else { return nil }
            guard j < s.count, s[j] == ch("}") else { return nil }
            i = j + 1
            return (lo ?? 0, hi)
        }
        guard let lo, j < s.count, s[j] == ch("}") else { return nil }
        i = j + 1
        return (lo, lo)
    }

    private mutating func parseAtom() throws(RegexError) -> RegexNode {
        guard let c = peek() else { throw error("unexpected end of pattern") }
        switch c {
        case ch("("):
            return try parseGroup()
        case ch("["):
            i += 1
            let cls = try parseClass()
            if caseInsensitive { throw error("character classes inside (?i) are not supported") }
            return .set(cls)
        case ch("."):
            i += 1
            return .set(dotAll ? CharacterClass(ranges: ScalarSet(ranges: [0...0x10FFFF])) : CharacterClass(ranges: ScalarSet(ranges: [0x0A...0x0A]), negated: true))
        case ch("^"):
            i += 1
            return .assertion(.lineStart)
        case ch("$"):
            i += 1
            return .assertion(.lineEnd)
        case ch("\\"):
            return try parseEscapeAtom()
        case ch("*"), ch("+"), ch("?"):
            throw error("quantifier without anything to repeat")
        case ch("{"):
            if parseInterval() != nil { throw error("quantifier without anything to repeat") }
            i += 1
            return literal(c)
        default:
            i += 1
            return literal(c)
        }
    }

    private func literal(_ c: UInt32) -> RegexNode {
        .set(caseInsensitive ? foldClass(c) : CharacterClass.scalar(c))
    }

    /// Case-insensitive literal: both ASCII cases plus Oniguruma's extra folds (ſ, K).
    private func foldClass(_ c: UInt32) -> CharacterClass {
        let lower = lowerASCII(c)
        guard lower >= 0x61 && lower <= 0x7A else { return CharacterClass.scalar(c) }
        var members: [ClosedRange<UInt32>] = [lower...lower, (lower - 32)...(lower - 32)]
        for extra in UnicodeData.shared.asciiFoldExtras[lower] ?? [] { members.append(extra...extra) }
        return CharacterClass(ranges: ScalarSet(ranges: members))
    }

    private mutating func parseGroup() throws(RegexError) -> RegexNode {
        let open = i
        i += 1
        var kind = 0 // 0 group, 1 lookahead, 2 negative lookahead, 3 atomic
        let savedFlags = (caseInsensitive, dotAll)
        if peek() == ch("?") {
            i += 1
            guard let c = peek() else { throw error("unterminated group") }
            switch c {
            case ch(":"): i += 1
            case ch("="): kind = 1; i += 1
            case ch("!"): kind = 2; i += 1
            case ch(">"): kind = 3; i += 1
            case ch("#"):
                while let d = peek(), d != ch(")") { i += 1 }
                if atEnd { throw error("unterminated comment group") }
                i += 1
                return .empty
            case ch("<"):
                if peek(1) == ch("=") || peek(1) == ch("!") { throw error("lookbehind is not supported") }
                // Named group: (?<name>...)
                while let d = peek(), d != ch(">") { i += 1 }
                if atEnd { throw error("unterminated group name") }
                i += 1
            case ch("i"), ch("m"), ch("-"):
                var on = true
                while let d = peek(), d != ch(":") {
                    if d == ch("-") { on = false } else if d == ch("i") { caseInsensitive = on } else if d == ch("m") { dotAll = on } else {
                        throw error("unsupported inline flag '\(Character(Unicode.Scalar(d) ?? "?"))'")
                    }
                    i += 1
                }
                if atEnd { throw error("unterminated group") }
                i += 1
            default:
                throw error("unsupported group syntax '(?\(Character(Unicode.Scalar(c) ?? "?"))'")
            }
        }
        let body = try parseAlternation()
        (caseInsensitive, dotAll) = savedFlags
        guard peek() == ch(")") else {
            i = open
            throw error("unterminated group")
        }
        i += 1
        switch kind {
        case 1: return .lookahead(body, negative: false)
        case 2: return .lookahead(body, negative: true)
        case 3: return .atomic(body)
        default: return body
        }
    }

    private mutating func parseEscapeAtom() throws(RegexError) -> RegexNode {
        i += 1
        guard let c = peek() else { throw error("pattern ends with a backslash") }
        switch c {
        case ch("A"): i += 1; return .assertion(.stringStart)
        case ch("z"): i += 1; return .assertion(.stringEnd)
        case ch("Z"): i += 1; return .assertion(.stringEndNewline)
        case ch("b"): i += 1; return .assertion(.wordBoundary)
        case ch("B"): i += 1; return .assertion(.notWordBoundary)
        default:
            break
        }
        let item = try parseEscape(inClass: false)
        switch item {
        case .scalar(let v): return literal(v)
        case .cls(let cls):
            if caseInsensitive { throw error("classes such as \\p{..} inside (?i) are not supported") }
            return .set(cls)
        }
    }

    private enum EscapeItem {
        case scalar(UInt32)
        case cls(CharacterClass)
    }

    /// Parses the escape after a backslash (cursor on the escaped character).
    private mutating func parseEscape(inClass: Bool) throws(RegexError) -> EscapeItem {
        guard let c = peek() else { throw error("pattern ends with a backslash") }
        i += 1
        let data = UnicodeData.shared
        switch c {
        case ch("t"): return .scalar(0x09)
        case ch("n"): return .scalar(0x0A)
        case ch("r"): return .scalar(0x0D)
        case ch("f"): return .scalar(0x0C)
        case ch("v"): return .scalar(0x0B)
        case ch("a"): return .scalar(0x07)
        case ch("e"): return .scalar(0x1B)
        case ch("b") where inClass: return .scalar(0x08)
        case ch("s"): return .cls(CharacterClass(ranges: data.whitespace))
        case ch("S"): return .cls(CharacterClass(ranges: data.whitespace, negated: true))
        case ch("d"): return .cls(CharacterClass(categories: GeneralCategory.Nd.bit))
        case ch("D"): return .cls(CharacterClass(categories: GeneralCategory.Nd.bit, negated: true))
        case ch("w"): return .cls(CharacterClass(ranges: data.onigWord))
        case ch("W"): return .cls(CharacterClass(ranges: data.onigWord, negated: true))
        case ch("h"): return .cls(CharacterClass(ranges: ScalarSet(ranges: [0x30...0x39, 0x41...0x46, 0x61...0x66])))
        case ch("H"): return .cls(CharacterClass(ranges: ScalarSet(ranges: [0x30...0x39, 0x41...0x46, 0x61...0x66]), negated: true))
        case ch("p"), ch("P"):
            return .cls(try parseProperty(negated: c == ch("P")))
        case ch("x"):
            if peek() == ch("{") {
                i += 1
                var v: UInt32 = 0
                var digits = 0
                while let d = peek(), d != ch("}") {
                    guard let h = hexValue(d), digits < 8 else { throw error("invalid \\x{...} escape") }
                    v = v << 4 | h
                    digits += 1
                    i += 1
                }
                guard peek() == ch("}"), digits > 0 else { throw error("invalid \\x{...} escape") }
                i += 1
                guard v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { throw error("\\x{...} is not a Unicode scalar") }
                return .scalar(v)
            }
            var v: UInt32 = 0
            var digits = 0
            while digits < 2, let d = peek(), let h = hexValue(d) {
                v = v << 4 | h
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw error("invalid \\x escape") }
            if v >= 0x80 { throw error("\\x\(String(v, radix: 16)) denotes a raw byte in Oniguruma; use \\x{...} or the character itself") }
            return .scalar(v)
        case ch("u"):
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = peek(), let h = hexValue(d) else { throw error("invalid \\u escape (four hex digits expected)") }
                v = v << 4 | h
                i += 1
            }
            guard !(0xD800...0xDFFF).contains(v) else { throw error("\\u escape is a surrogate") }
            return .scalar(v)
        case ch("0"):
            // Octal \0oo.
            var v: UInt32 = 0
            var digits = 0
            while digits < 2, let d = peek(), d >= 0x30, d <= 0x37 {
                v = v << 3 | (d - 0x30)
                digits += 1
                i += 1
            }
            return .scalar(v)
        default:
            let isLetterOrDigit = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            if isLetterOrDigit {
                i -= 1
                throw error("unsupported escape \\\(Character(Unicode.Scalar(c) ?? "?"))")
            }
            return .scalar(c)
        }
    }

    private func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// `\p{L}`, `\p{^L}`, `\P{Lu}`, `\pL`: general categories only.
    private mutating func parseProperty(negated: Bool) throws(RegexError) -> CharacterClass {
        var name: [UInt32] = []
        var neg = negated
        if peek() == ch("{") {
            i += 1
            if peek() == ch("^") {
                neg.toggle()
                i += 1
            }
            while let d = peek(), d != ch("}") {
                name.append(d)
                i += 1
            }
            guard peek() == ch("}") else { throw error("unterminated \\p{...}") }
            i += 1
        } else if let d = peek() {
            name.append(d)
            i += 1
        }
        let text = String(String.UnicodeScalarView(name.compactMap(Unicode.Scalar.init)))
        guard let mask = RegexParser.categoryMask(text) else {
            throw error("unsupported Unicode property \\p{\(text)} (only general categories are supported)")
        }
        return CharacterClass(categories: mask, negated: neg)
    }

    /// Category mask for a general-category property name, as Oniguruma spells them
    /// (case, spaces, hyphens and underscores ignored).
    static func categoryMask(_ name: String) -> UInt32? {
        let key = String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
        func mask(_ cats: [GeneralCategory]) -> UInt32 { cats.reduce(0) { $0 | $1.bit } }
        let groups: [String: [GeneralCategory]] = [
            "l": [.Lu, .Ll, .Lt, .Lm, .Lo], "letter": [.Lu, .Ll, .Lt, .Lm, .Lo],
            "lc": [.Lu, .Ll, .Lt], "casedletter": [.Lu, .Ll, .Lt],
            "m": [.Mn, .Mc, .Me], "mark": [.Mn, .Mc, .Me], "combiningmark": [.Mn, .Mc, .Me],
            "n": [.Nd, .Nl, .No], "number": [.Nd, .Nl, .No],
            "p": [.Pc, .Pd, .Ps, .Pe, .Pi, .Pf, .Po], "punctuation": [.Pc, .Pd, .Ps, .Pe, .Pi, .Pf, .Po],
            "punct": [.Pc, .Pd, .Ps, .Pe, .Pi, .Pf, .Po],
            "s": [.Sm, .Sc, .Sk, .So], "symbol": [.Sm, .Sc, .Sk, .So],
            "z": [.Zs, .Zl, .Zp], "separator": [.Zs, .Zl, .Zp],
            "c": [.Cc, .Cf, .Cs, .Co, .Cn], "other": [.Cc, .Cf, .Cs, .Co, .Cn],
            "any": GeneralCategory.allCases,
        ]
        if let g = groups[key] { return mask(g) }
        let long: [String: GeneralCategory] = [
            "uppercaseletter": .Lu, "lowercaseletter": .Ll, "titlecaseletter": .Lt, "modifierletter": .Lm,
            "otherletter": .Lo, "nonspacingmark": .Mn, "spacingmark": .Mc, "enclosingmark": .Me,
            "decimalnumber": .Nd, "digit": .Nd, "letternumber": .Nl, "othernumber": .No,
            "connectorpunctuation": .Pc, "dashpunctuation": .Pd, "openpunctuation": .Ps,
            "closepunctuation": .Pe, "initialpunctuation": .Pi, "finalpunctuation": .Pf,
            "otherpunctuation": .Po, "mathsymbol": .Sm, "currencysymbol": .Sc, "modifiersymbol": .Sk,
            "othersymbol": .So, "spaceseparator": .Zs, "lineseparator": .Zl, "paragraphseparator": .Zp,
            "control": .Cc, "cntrl": .Cc, "format": .Cf, "surrogate": .Cs, "privateuse": .Co, "unassigned": .Cn,
        ]
        if let c = long[key] { return c.bit }
        for c in GeneralCategory.allCases where "\(c)".lowercased() == key { return c.bit }
        return nil
    }

    /// Parses a bracket class; the cursor is just after `[`.
    private mutating func parseClass() throws(RegexError) -> CharacterClass {
        let start = i - 1
        var negated = false
        if peek() == ch("^") {
            negated = true
            i += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var categories: UInt32 = 0
        var first = true
        while true {
            guard let c = peek() else {
                i = start
                throw error("unterminated character class")
            }
            if c == ch("]") {
                if first { throw error("empty character class or ']' first in a class (escape it as \\])") }
                i += 1
                break
            }
            first = false
            if c == ch("[") {
                if peek(1) == ch(":") { throw error("POSIX bracket classes such as [:alpha:] are not supported") }
                i += 1
                let inner = try parseClass().flattened()
                ranges.append(contentsOf: inner.ranges.ranges)
                categories |= inner.categories
                continue
            }
            if c == ch("&") && peek(1) == ch("&") { throw error("class intersection (&&) is not supported") }
            // A single item: scalar or class escape.
            let low: UInt32
            if c == ch("\\") {
                i += 1
                switch try parseEscape(inClass: true) {
                case .scalar(let v): low = v
                case .cls(let cls):
                    let flat = cls.flattened()
                    ranges.append(contentsOf: flat.ranges.ranges)
                    categories |= flat.categories
                    continue
                }
            } else {
                low = c
                i += 1
            }
            // Range a-b (a '-' before ']' is literal).
            if peek() == ch("-"), let next = peek(1), next != ch("]") {
                i += 1
                let high: UInt32
                if next == ch("\\") {
                    i += 1
                    guard case .scalar(let v) = try parseEscape(inClass: true) else {
                        throw error("a class escape cannot end a range")
                    }
                    high = v
                } else if next == ch("[") {
                    throw error("a class cannot end a range")
                } else {
                    high = next
                    i += 1
                }
                guard low <= high else { throw error("invalid range in character class") }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        return CharacterClass(ranges: ScalarSet(ranges: ranges), categories: categories, negated: negated)
    }

    @inline(__always) private func ch(_ c: Unicode.Scalar) -> UInt32 { c.value }
}
