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
        var out = "["
        for (i, m) in messages.enumerated() {
            if i > 0 { out += "," }
            out += "{\"role\":"
            appendString(m.role.rawValue, to: &out)
            out += ",\"content\":"
            appendString(m.content, to: &out)
            if let r = m.reasoningContent {
                out += ",\"reasoning_content\":"
                appendString(r, to: &out)
            }
            out += "}"
        }
        out += "]"
        return out
    }

    /// Appends `s` as a JSON string literal.
    public static func appendString(_ s: String, to out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { needsEscape = true; break }
        if !needsEscape {
            out += s
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 16)
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case 0x22: bytes += [0x5C, 0x22]
            case 0x5C: bytes += [0x5C, 0x5C]
            case 0x0A: bytes += [0x5C, 0x6E]
            case 0x0D: bytes += [0x5C, 0x72]
            case 0x09: bytes += [0x5C, 0x74]
            case 0x08: bytes += [0x5C, 0x62]
            case 0x0C: bytes += [0x5C, 0x66]
            case 0..<0x20:
                bytes += [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: bytes.append(b)
            }
        }
        out += String(decoding: bytes, as: UTF8.self)
        out += "\""
    }

    /// A JSON string literal for `s`.
    public static func string(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }
}
