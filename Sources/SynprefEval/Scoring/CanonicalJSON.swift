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
        JSONWriter.appendString(s, to: &out)
    }

    /// Appends `s` as a JSON string literal (UTF-8 bytes), escaped as `JSONWriter` does
    /// (Python's `json.dumps(ensure_ascii=False)`).
    static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        JSONWriter.appendString(s, to: &out)
    }

    /// A JSON string literal for `s`.
    public static func string(_ s: String) -> String {
        var out = ""
        appendString(s, to: &out)
        return out
    }
}
