import SynprefEval

/// Conversation text rendered as a safe Markdown subset: fenced code blocks (```), inline
/// `code`, **bold**, *italic*, `#` headings, `-`/`*`/`1.` list items, paragraphs and line
/// breaks. Every character of the text is HTML-escaped first; the only markup on the page is
/// what this renderer writes itself. Links are shown as their text and target, never as
/// anchors, so no `javascript:` or other URL from the data becomes clickable.
enum SafeMarkdown {
    static func render(_ text: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var list: [String] = []
        var code: [String]?
        func flushParagraph() {
            if !paragraph.isEmpty { out += "<p>" + paragraph.map(inline).joined(separator: "<br>") + "</p>" }
            paragraph = []
        }
        func flushList() {
            if !list.isEmpty { out += "<ul>" + list.map { "<li>" + inline($0) + "</li>" }.joined() + "</ul>" }
            list = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var block = code {
                if trimmed.hasPrefix("```") {
                    out += "<pre><code>" + HTMLReport.escape(block.joined(separator: "\n")) + "</code></pre>"
                    code = nil
                } else {
                    block.append(line)
                    code = block
                }
                continue
            }
            if trimmed.hasPrefix("```") {
                flushParagraph()
                flushList()
                code = []
            } else if trimmed.isEmpty {
                flushParagraph()
                flushList()
            } else if let item = listItem(trimmed) {
                flushParagraph()
                list.append(item)
            } else if trimmed.hasPrefix("#") {
                flushParagraph()
                flushList()
                out += "<p class=\"md-heading\"><strong>" + inline(String(trimmed.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)) + "</strong></p>"
            } else {
                flushList()
                paragraph.append(line)
            }
        }
        if let block = code { out += "<pre><code>" + HTMLReport.escape(block.joined(separator: "\n")) + "</code></pre>" }
        flushParagraph()
        flushList()
        return out
    }

    private static func listItem(_ line: String) -> String? {
        for marker in ["- ", "* ", "+ "] where line.hasPrefix(marker) { return String(line.dropFirst(2)) }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, digits.count <= 3, line.dropFirst(digits.count).hasPrefix(". ") { return String(line.dropFirst(digits.count + 2)) }
        return nil
    }

    /// Inline code, bold and italic over escaped text. Code spans are cut out first so their
    /// content is shown as written.
    static func inline(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "`") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "`") else { break }
            out += emphasis(HTMLReport.escape(String(rest[..<open])))
            out += "<code>" + HTMLReport.escape(String(rest[after..<close])) + "</code>"
            rest = rest[rest.index(after: close)...]
        }
        return out + emphasis(HTMLReport.escape(String(rest)))
    }

    /// `**x**` → <strong>, `*x*` → <em>, on text that is already escaped (the markers are
    /// plain characters, so no escaped entity is split).
    private static func emphasis(_ escaped: String) -> String {
        wrap(wrap(escaped, marker: "**", tag: "strong"), marker: "*", tag: "em")
    }

    private static func wrap(_ s: String, marker: String, tag: String) -> String {
        let parts = s.components(separatedBy: marker)
        guard parts.count >= 3 else { return s }
        var out = parts[0]
        var i = 1
        while i < parts.count {
            if i + 1 < parts.count, !parts[i].isEmpty, parts[i].first != " ", parts[i].last != " " {
                out += "<\(tag)>" + parts[i] + "</\(tag)>" + parts[i + 1]
                i += 2
            } else {
                out += marker + parts[i]
                i += 1
            }
        }
        return out
    }
}
