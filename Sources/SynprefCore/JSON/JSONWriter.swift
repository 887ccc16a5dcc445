/// Compact JSON output, byte-for-byte what Python writes with
/// `json.dumps(value, ensure_ascii=False, separators=(",", ":"))`.
///
/// Strings escape `"` and `\`, write `\n \r \t \b \f` as two-character escapes and other
/// control characters as `\u00xx` (lower-case hex); everything else, including non-ASCII
/// and U+2028/U+2029, is written as UTF-8. Doubles use Swift's shortest round-trip form,
/// which matches Python's `repr` (`1.0`, `1e-05`, `1e+16`). Non-finite doubles, which JSON
/// cannot express, are written as `null`. Object members keep their order.
/// Canonical hashes (e.g. preference-pair content hashes) rely on this being stable.
public enum JSONWriter {
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): appendInteger(i, to: &out)
        case .double(let d): appendDouble(d, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for i in 0..<o.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(o.keys[i], to: &out)
                out.append(UInt8(ascii: ":"))
                append(o.values[i], to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    public static func appendInteger(_ i: Int, to out: inout [UInt8]) {
        out.append(contentsOf: String(i).utf8)
    }

    public static func appendDouble(_ d: Double, to out: inout [UInt8]) {
        guard d.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        out.append(contentsOf: d.description.utf8)
    }

    /// Appends `s` as a quoted, escaped JSON string.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var copy = s
        copy.withUTF8 { buf in
            var runStart = 0
            var i = 0
            let n = buf.count
            while i < n {
                let b = buf[i]
                if b >= 0x20 && b != 0x22 && b != 0x5C {
                    i += 1
                    continue
                }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<i])) }
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                }
                i += 1
                runStart = i
            }
            if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[runStart..<n])) }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONWriter {
    /// Appends `s` as a quoted, escaped JSON string to a `String` (same escaping as the
    /// byte version). Unescaped runs are appended as substrings of `s`, so no UTF-8 is
    /// re-validated: this is the fast way to build JSON text from strings.
    public static func appendString(_ s: String, to out: inout String) {
        // Find the bytes that need escaping (8 at a time); usually there are none or few.
        var copy = s
        let specials: [Int] = copy.withUTF8 { buf in
            var found: [Int] = []
            guard let base = buf.baseAddress else { return found }
            var i = 0
            let n = buf.count
            while i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                var m = JSONParseState.specialMask(w)
                if m == 0 {
                    i += 8
                    continue
                }
                // specialMask may flag bytes after a true hit; check each flagged byte.
                while m != 0 {
                    let k = m.trailingZeroBitCount >> 3
                    let b = base[i + k]
                    if b < 0x20 || b == 0x22 || b == 0x5C { found.append(i + k) }
                    m &= m &- 1
                }
                i += 8
            }
            while i < n {
                let b = base[i]
                if b < 0x20 || b == 0x22 || b == 0x5C { found.append(i) }
                i += 1
            }
            return found
        }
        out.append("\"")
        if specials.isEmpty {
            out.append(s)
            out.append("\"")
            return
        }
        let utf8 = s.utf8
        var runStart = utf8.startIndex
        var offset = 0
        for k in specials {
            let at = utf8.index(runStart, offsetBy: k - offset)
            if runStart != at { out.append(contentsOf: s[runStart..<at]) }
            switch utf8[at] {
            case 0x22: out.append("\\\"")
            case 0x5C: out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0x08: out.append("\\b")
            case 0x0C: out.append("\\f")
            default:
                let b = utf8[at]
                let hex = Array("0123456789abcdef")
                out.append("\\u00")
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            }
            runStart = utf8.index(after: at)
            offset = k + 1
        }
        if runStart != utf8.endIndex { out.append(contentsOf: s[runStart...]) }
        out.append("\"")
    }
}

extension JSONWriter {
    /// Indented JSON, as Python's `json.dumps(value, ensure_ascii=False, indent=n)` writes it
    /// (members on their own lines, `": "` after keys, empty containers as `[]` / `{}`);
    /// strings and numbers are spelled as in the compact form.
    public static func appendIndented(_ value: JSONValue, indent: Int, level: Int = 0, to out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
        }
        switch value {
        case .array(let a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                appendIndented(e, indent: indent, level: level + 1, to: &out)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            for i in 0..<o.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                appendString(o.keys[i], to: &out)
                out.append(contentsOf: ": ".utf8)
                appendIndented(o.values[i], indent: indent, level: level + 1, to: &out)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            append(value, to: &out)
        }
    }

    /// The compact spelling of one double (`null` when not finite).
    public static func double(_ d: Double) -> String {
        var out: [UInt8] = []
        appendDouble(d, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension JSONValue {
    /// A number, or `null` when absent or not finite (JSON has no NaN).
    public static func optionalNumber(_ d: Double?) -> JSONValue {
        guard let d, d.isFinite else { return .null }
        return .double(d)
    }

    /// Indented JSON text (`indent` spaces per level; see `JSONWriter.appendIndented`);
    /// `indent` 0 gives the compact form.
    public func serialized(indent: Int) -> String {
        guard indent > 0 else { return serialized() }
        var out: [UInt8] = []
        JSONWriter.appendIndented(self, indent: indent, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact UTF-8 JSON bytes (see `JSONWriter`).
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.append(self, to: &out)
        return out
    }

    /// Compact JSON text (see `JSONWriter`).
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }
}
