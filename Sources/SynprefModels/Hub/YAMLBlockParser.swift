import Foundation

/// A YAML value as `DatasetCard` needs it.
indirect enum YAMLNode: Sendable {
    case null
    case scalar(String)
    case sequence([(node: YAMLNode, line: Int)])
    /// Keys in order, each with its value and the line the key is on.
    case mapping([(String, YAMLNode, Int)])
}

/// Parses the block-style YAML subset of dataset cards: nested block mappings and
/// sequences by indentation (`- key: value` items included), plain, quoted and flow-list
/// scalars, comments. Anything else (anchors, tags, block scalars, flow mappings) is an
/// error naming the line.
struct YAMLBlockParser {
    struct Line {
        var indent: Int
        var text: Substring
        var number: Int
    }

    private var lines: [Line]
    private var position = 0

    init(lines: [Substring], firstLineNumber: Int) {
        var out: [Line] = []
        for (i, raw) in lines.enumerated() {
            let text = YAMLBlockParser.strippingComment(raw)
            let content = text.drop(while: { $0 == " " })
            if content.isEmpty { continue }
            out.append(Line(indent: text.count - content.count, text: content, number: firstLineNumber + i))
        }
        self.lines = out
    }

    mutating func parseDocument() throws(DatasetCardError) -> YAMLNode {
        guard position < lines.count else { return .null }
        let node = try parseNode(indent: lines[position].indent)
        if position < lines.count {
            throw DatasetCardError(line: lines[position].number, reason: "unexpected indentation")
        }
        return node
    }

    private mutating func parseNode(indent: Int) throws(DatasetCardError) -> YAMLNode {
        let line = lines[position]
        if line.text == "-" || line.text.hasPrefix("- ") { return try parseSequence(indent: line.indent) }
        if YAMLBlockParser.splitKey(line.text) != nil { return try parseMapping(indent: line.indent) }
        position += 1
        return try YAMLBlockParser.scalar(line.text, line: line.number)
    }

    private mutating func parseSequence(indent: Int) throws(DatasetCardError) -> YAMLNode {
        var items: [(node: YAMLNode, line: Int)] = []
        while position < lines.count, lines[position].indent == indent,
            lines[position].text == "-" || lines[position].text.hasPrefix("- ")
        {
            let line = lines[position]
            let rest = line.text.dropFirst().drop(while: { $0 == " " })
            if rest.isEmpty {
                position += 1
                if position < lines.count, lines[position].indent > indent {
                    items.append((try parseNode(indent: lines[position].indent), line.number))
                } else {
                    items.append((.null, line.number))
                }
            } else {
                // "- key: value": the item's content starts at the column after "- ".
                lines[position] = Line(indent: indent + (line.text.count - rest.count), text: rest, number: line.number)
                items.append((try parseNode(indent: lines[position].indent), line.number))
            }
        }
        return .sequence(items)
    }

    private mutating func parseMapping(indent: Int) throws(DatasetCardError) -> YAMLNode {
        var fields: [(String, YAMLNode, Int)] = []
        while position < lines.count, lines[position].indent == indent {
            let line = lines[position]
            guard let (key, rest) = YAMLBlockParser.splitKey(line.text) else {
                throw DatasetCardError(line: line.number, reason: "expected `key: value`")
            }
            position += 1
            let value: YAMLNode
            if !rest.isEmpty {
                value = try YAMLBlockParser.scalar(rest, line: line.number)
            } else if position < lines.count, lines[position].indent > indent {
                value = try parseNode(indent: lines[position].indent)
            } else if position < lines.count, lines[position].indent == indent,
                lines[position].text == "-" || lines[position].text.hasPrefix("- ")
            {
                // A sequence may sit at its key's indentation.
                value = try parseSequence(indent: indent)
            } else {
                value = .null
            }
            fields.append((try YAMLBlockParser.unquote(key, line: line.number), value, line.number))
        }
        return .mapping(fields)
    }

    /// `key: rest` (rest possibly empty), with the key plain or quoted; nil when the line
    /// is not a mapping entry.
    static func splitKey(_ text: Substring) -> (Substring, Substring)? {
        var quote: Character?
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if (c == "\"" || c == "'") && i == text.startIndex {
                quote = c
            } else if c == ":" {
                let next = text.index(after: i)
                if next == text.endIndex || text[next] == " " {
                    let rest = text[next...].drop(while: { $0 == " " })
                    return (text[..<i], rest)
                }
            } else if c == "[" || c == "{" {
                if i == text.startIndex { return nil }
            }
            i = text.index(after: i)
        }
        return nil
    }

    static func scalar(_ text: Substring, line: Int) throws(DatasetCardError) -> YAMLNode {
        let t = text.trimmingTrailingSpaces
        if t.hasPrefix("[") {
            guard t.hasSuffix("]") else { throw DatasetCardError(line: line, reason: "unterminated flow list") }
            let inner = t.dropFirst().dropLast()
            var items: [(node: YAMLNode, line: Int)] = []
            for part in splitFlow(inner) {
                let p = part.drop(while: { $0 == " " }).trimmingTrailingSpaces
                if p.isEmpty { continue }
                items.append((.scalar(try unquote(p, line: line)), line))
            }
            return .sequence(items)
        }
        if t.hasPrefix("{") || t.hasPrefix("&") || t.hasPrefix("*") || t.hasPrefix("!") || t.hasPrefix("|") || t.hasPrefix(">") {
            throw DatasetCardError(line: line, reason: "unsupported YAML (\(t.prefix(1))) in configs")
        }
        if t == "~" || t == "null" { return .null }
        return .scalar(try unquote(t, line: line))
    }

    static func splitFlow(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var quote: Character?
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "," {
                parts.append(text[start..<i])
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        parts.append(text[start...])
        return parts
    }

    static func unquote(_ text: Substring, line: Int) throws(DatasetCardError) -> String {
        if text.hasPrefix("'") {
            guard text.count >= 2, text.hasSuffix("'") else { throw DatasetCardError(line: line, reason: "unterminated quoted string") }
            return String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        }
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { throw DatasetCardError(line: line, reason: "unterminated quoted string") }
            var out = ""
            var escaped = false
            for c in text.dropFirst().dropLast() {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(c)
                    }
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else {
                    out.append(c)
                }
            }
            return out
        }
        return String(text)
    }

    /// The line without a trailing `# comment` (a `#` at the start or after a space, outside quotes).
    static func strippingComment(_ line: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        var i = line.startIndex
        while i < line.endIndex {
            let c = line[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                if previous == " " || previous == "[" || previous == "," || previous == ":" { quote = c }
            } else if c == "#" && (previous == " " || previous == "\t") {
                return line[..<i].trimmingTrailingSpaces
            }
            previous = c
            i = line.index(after: i)
        }
        return line.trimmingTrailingSpaces
    }
}
