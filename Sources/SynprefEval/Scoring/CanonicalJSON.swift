import SynprefCore

/// The one JSON spelling Synpref uses for conversations it hashes or writes for external
/// scorers: keys in a fixed order (`role`, `content`, then `reasoning_content` only when
/// present), no whitespace, and only the escapes JSON requires (`"`, `\`, and control
/// characters below U+0020 as `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`); everything else,
/// including `/` and non-ASCII, is written as raw UTF-8. Request ids are SHA-256 of this text,
/// so the same conversation gets the same id in every benchmark and every run.
public enum CanonicalJSON {
    /// `[{"role":"user","content":"..."},...]`
    public static func messages(_ messages: [ChatMessage]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(messages.reduce(64) { $0 + $1.content.utf8.count + 40 })
        out.append(UInt8(ascii: "["))
        for (i, m) in messages.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"role":"#.utf8)
            appendEscaped(m.role.rawValue, to: &out)
            out.append(contentsOf: #","content":"#.utf8)
            appendEscaped(m.content, to: &out)
            if let r = m.reasoningContent {
                out.append(contentsOf: #","reasoning_content":"#.utf8)
                appendEscaped(r, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal.
    public static func appendString(_ s: String, to out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        appendEscaped(s, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal (UTF-8 bytes): unescaped runs are copied whole.
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        var s = s
        out.append(0x22)
        s.withUTF8 { buf in
            var run = 0
            for i in 0..<buf.count {
                let b = buf[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C else { continue }
                if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<i])) }
                run = i + 1
                out.append(0x5C)
                switch b {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x0A: out.append(0x6E)
                case 0x0D: out.append(0x72)
                case 0x09: out.append(0x74)
                case 0x08: out.append(0x62)
                case 0x0C: out.append(0x66)
                default:
                    out.append(0x75); out.append(0x30); out.append(0x30)
                    out.append(hexDigit(b >> 4)); out.append(hexDigit(b & 15))
                }
            }
            if run < buf.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<buf.count])) }
        }
        out.append(0x22)
    }

    @inline(__always) private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }

    /// A JSON string literal for `s`.
    public static func string(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }
}
