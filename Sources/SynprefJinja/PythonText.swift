/// An error raised while evaluating; the interpreter attaches the template position.
struct PyError: Error {
    enum Kind { case runtime, unsupported, raised }
    var kind: Kind
    var message: String

    static func runtime(_ m: String) -> PyError { PyError(kind: .runtime, message: m) }
    static func unsupported(_ m: String) -> PyError { PyError(kind: .unsupported, message: m) }
    static func typeError(_ m: String) -> PyError { PyError(kind: .runtime, message: "TypeError: " + m) }

    /// Values nest at most this deep when printed, compared, hashed or serialized
    /// (Python raises RecursionError near 1000); deeper is an error, not a stack overflow.
    static let maxDepth = 500

    static func checkDepth(_ depth: Int) throws {
        if depth > maxDepth { throw PyError.runtime("RecursionError: value nested more than \(maxDepth) levels deep") }
    }

    /// Refuses results that could not sensibly be rendered (`'a' * 10**15`, a width of
    /// 10**12): Python would raise MemoryError or hang; a crash here is not acceptable.
    static let maxSize = 1 << 26

    static func checkSize(_ n: Int) throws {
        if n > maxSize { throw PyError.runtime("MemoryError: result of \(n) elements or characters is too large") }
    }
    static func valueError(_ m: String) -> PyError { PyError(kind: .runtime, message: "ValueError: " + m) }
}

/// Python's `str()` and `repr()` of template values: what `{{ x }}` prints.
enum PythonText {
    /// `str(value)`; Undefined prints as "".
    static func str(_ v: Value) throws -> String {
        switch v {
        case .string(let s), .markup(let s): return s
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return floatRepr(d)
        default: return try repr(v)
        }
    }

    static func repr(_ v: Value, depth: Int = 0) throws -> String {
        try PyError.checkDepth(depth)
        let repr = { (x: Value) throws -> String in try PythonText.repr(x, depth: depth + 1) }
        switch v {
        case .string(let s): return stringRepr(s)
        case .markup(let s): return "Markup(" + stringRepr(s) + ")"
        case .undefined: return "Undefined"
        case .none, .bool, .int, .float: return try str(v)
        case .list(let items):
            return "[" + (try items.map(repr).joined(separator: ", ")) + "]"
        case .tuple(let items):
            if items.count == 1 { return "(" + (try repr(items[0])) + ",)" }
            return "(" + (try items.map(repr).joined(separator: ", ")) + ")"
        case .dict(let d): return try dictRepr(d, depth: depth)
        case .namespace(let ns): return "<Namespace " + (try dictRepr(ns.attrs, depth: depth)) + ">"
        case .view(let kind, let items):
            return kind.rawValue + "([" + (try items.map(repr).joined(separator: ", ")) + "])"
        case .range(let a, let b, let s):
            return s == 1 ? "range(\(a), \(b))" : "range(\(a), \(b), \(s))"
        case .loop(let l): return "<LoopContext \(l.index0 + 1)/\(l.length)>"
        case .iterator(let it):
            throw PyError.unsupported("printing a '\(it.typeName)' object (jinja2 would print its memory address; add '|list')")
        case .callable(let c):
            throw PyError.unsupported("printing the function '\(c.name)' (jinja2 would print its memory address)")
        }
    }

    static func dictRepr(_ d: PyDict, depth: Int = 0) throws -> String {
        var parts: [String] = []
        parts.reserveCapacity(d.count)
        for (k, v) in d.items { parts.append((try repr(k, depth: depth + 1)) + ": " + (try repr(v, depth: depth + 1))) }
        return "{" + parts.joined(separator: ", ") + "}"
    }

    /// Python's `repr(str)`: single quotes unless the text has `'` and no `"`; escapes
    /// backslashes, the quote, `\t \n \r`, and characters Python considers unprintable.
    static func stringRepr(_ s: String) -> String {
        var hasSingle = false
        var hasDouble = false
        for c in s.utf8 {
            if c == 0x27 { hasSingle = true } else if c == 0x22 { hasDouble = true }
        }
        let quote: Unicode.Scalar = (hasSingle && !hasDouble) ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case quote, "\\":
                out.append("\\")
                out.append(c)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out.append(contentsOf: ("\\x" + hex(c.value, width: 2)).unicodeScalars)
                } else if c.value < 0x7F || isPrintable(c) {
                    out.append(c)
                } else if c.value < 0x100 {
                    out.append(contentsOf: ("\\x" + hex(c.value, width: 2)).unicodeScalars)
                } else if c.value < 0x10000 {
                    out.append(contentsOf: ("\\u" + hex(c.value, width: 4)).unicodeScalars)
                } else {
                    out.append(contentsOf: ("\\U" + hex(c.value, width: 8)).unicodeScalars)
                }
            }
        }
        out.append(quote)
        return String(out)
    }

    /// Python's `str.isprintable()` for one character: not in Cc, Cf, Cs, Co, Cn, Zl, Zp,
    /// Zs (except the ASCII space).
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c == " " { return true }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
            .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation
    /// when the decimal exponent is in [-4, 16), else `d.ddde+XX`; always shows a
    /// fractional part in fixed notation (`1.0`).
    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, decpt) = shortestDigits(d)
        var out = negative ? "-" : ""
        let n = digits.count
        if decpt > -4 && decpt <= 16 {
            if decpt <= 0 {
                out += "0." + String(repeating: "0", count: -decpt) + digits
            } else if decpt >= n {
                out += digits + String(repeating: "0", count: decpt - n) + ".0"
            } else {
                let i = digits.index(digits.startIndex, offsetBy: decpt)
                out += digits[..<i] + "." + digits[i...]
            }
        } else {
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            out += first + (rest.isEmpty ? "" : "." + rest)
            let e = decpt - 1
            out += (e < 0 ? "e-" : "e+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
        }
        return out
    }

    /// Shortest round-trip decimal digits of a finite non-zero double and the position
    /// of the decimal point (value = 0.DIGITS × 10^decpt). Swift's `description` already
    /// produces the shortest round-trip digits; only its layout differs from Python's.
    static func shortestDigits(_ d: Double) -> (Bool, String, Int) {
        var s = Substring(d.description)
        let negative = s.hasPrefix("-")
        if negative { s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = s[..<e]
        }
        var intPart = Substring(s)
        var frac: Substring = ""
        if let dot = s.firstIndex(of: ".") {
            intPart = s[..<dot]
            frac = s[s.index(after: dot)...]
        }
        var digits = String(intPart) + String(frac)
        var decpt = intPart.count + exponent
        // Strip leading zeros (0.00123) and trailing zeros (100.0).
        while digits.hasPrefix("0") {
            digits.removeFirst()
            decpt -= 1
        }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (negative, digits, decpt)
    }
}
