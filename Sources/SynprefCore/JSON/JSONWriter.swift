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
        out.append("\"")
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            out.append(s)
            out.append("\"")
            return
        }
        let utf8 = s.utf8
        var runStart = utf8.startIndex
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let b = utf8[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C {
                utf8.formIndex(after: &i)
                continue
            }
            if runStart != i { out.append(contentsOf: s[runStart..<i]) }
            switch b {
            case 0x22: out.append("\\\"")
            case 0x5C: out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0x08: out.append("\\b")
            case 0x0C: out.append("\\f")
            default:
                let hex = Array("0123456789abcdef")
                out.append("\\u00")
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            }
            utf8.formIndex(after: &i)
            runStart = i
        }
        if runStart != utf8.endIndex { out.append(contentsOf: s[runStart...]) }
        out.append("\"")
    }
}

extension JSONValue {
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
