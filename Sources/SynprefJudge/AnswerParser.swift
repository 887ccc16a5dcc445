import Foundation
import SynprefCore

/// Finds the JSON object in a model's answer: the whole content, else the inside of a
/// ```json code fence, else the first balanced `{...}` in prose. Models without
/// structured output wrap their JSON in all of these.
public enum AnswerParser {
    public static func object(in content: String) -> JSONObject? {
        let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if let o = parse(trimmed) { return o }
        if let fenced = fence(trimmed), let o = parse(fenced) { return o }
        var search = trimmed[...]
        while let start = search.firstIndex(of: "{") {
            if let end = balancedEnd(search[start...]), let o = parse(String(search[start...end])) { return o }
            search = search[search.index(after: start)...]
        }
        return nil
    }

    static func parse(_ text: String) -> JSONObject? {
        if let v = try? JSONParser.parse(text), case .object(let o) = v { return o }
        // Constrained decoders let models write raw newlines and tabs inside strings (the
        // JSON grammar forbids them; Python's json.loads(strict=False) reads them): escape
        // them and try again.
        guard let v = try? JSONParser.parse(escapingControlCharacters(text)), case .object(let o) = v else { return nil }
        return o
    }

    /// `text` with raw control characters inside string literals escaped.
    static func escapingControlCharacters(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var inString = false, escaped = false
        for scalar in text.unicodeScalars {
            if inString {
                if escaped { escaped = false } else if scalar == "\\" { escaped = true } else if scalar == "\"" { inString = false }
                if scalar.value < 0x20 {
                    switch scalar {
                    case "\n": out += "\\n"
                    case "\r": out += "\\r"
                    case "\t": out += "\\t"
                    default: out += String(format: "\\u%04x", scalar.value)
                    }
                    continue
                }
            } else if scalar == "\"" {
                inString = true
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    static func fence(_ text: String) -> String? {
        guard let open = text.range(of: "```") else { return nil }
        var rest = text[open.upperBound...]
        if let newline = rest.firstIndex(of: "\n") { rest = rest[rest.index(after: newline)...] }
        guard let close = rest.range(of: "```") else { return nil }
        return String(rest[..<close.lowerBound])
    }

    /// The index of the `}` closing the object that starts at `text.first`, skipping strings.
    static func balancedEnd(_ text: Substring) -> Substring.Index? {
        var depth = 0, inString = false, escaped = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "{" {
                depth += 1
            } else if c == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i = text.index(after: i)
        }
        return nil
    }
}
