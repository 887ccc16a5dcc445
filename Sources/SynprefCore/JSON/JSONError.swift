/// Why a JSON text was rejected, and exactly where.
///
/// `offset` is the 0-based byte offset into the parsed bytes; `line` and `column` are
/// 1-based (column counts bytes, so a multi-byte character counts as several columns).
public struct JSONError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The input ended while a value, string, array or object was incomplete.
        case unexpectedEnd(expected: String)
        /// A byte that cannot start or continue what was expected here.
        case unexpectedByte(UInt8, expected: String)
        /// Bytes that are not well-formed UTF-8 (including encoded surrogates and overlongs).
        case invalidUTF8
        /// An unescaped control character (U+0000–U+001F) inside a string.
        case controlCharacterInString(UInt8)
        /// A backslash followed by something other than `"\/bfnrtu`.
        case invalidEscape(UInt8)
        /// `\u` not followed by four hexadecimal digits.
        case invalidUnicodeEscape
        /// A `\uD800`–`\uDFFF` escape that is not half of a valid surrogate pair.
        case loneSurrogate(UInt16)
        /// A number whose syntax RFC 8259 does not allow (e.g. `01`, `1.`, `+1`, `.5`).
        case invalidNumber(String)
        /// A number too large for a finite `Double` (e.g. `1e999`).
        case numberOutOfRange(String)
        /// Arrays and objects nested deeper than the parser's limit.
        case tooDeep(limit: Int)
        /// Something other than whitespace after the complete value.
        case trailingContent(UInt8)
        /// No value at all (empty or whitespace-only input).
        case empty
    }

    public var reason: Reason
    public var offset: Int
    public var line: Int
    public var column: Int

    public init(reason: Reason, offset: Int, line: Int, column: Int) {
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// A readable name of a byte for messages: printable ASCII in quotes, else hex.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return String(format0x: byte)
    }

    public var reasonDescription: String {
        switch reason {
        case .unexpectedEnd(let expected): return "unexpected end of input; expected \(expected)"
        case .unexpectedByte(let b, let expected): return "unexpected \(JSONError.describe(b)); expected \(expected)"
        case .invalidUTF8: return "invalid UTF-8 byte sequence"
        case .controlCharacterInString(let b): return "unescaped control character \(String(format0x: b)) in string (write it as \\u00XX)"
        case .invalidEscape(let b): return "invalid escape \\\(JSONError.describe(b)) in string"
        case .invalidUnicodeEscape: return "\\u must be followed by four hexadecimal digits"
        case .loneSurrogate(let u): return "lone UTF-16 surrogate \\u\(String(u, radix: 16, uppercase: true)) (not valid Unicode)"
        case .invalidNumber(let text): return "invalid number '\(text)'"
        case .numberOutOfRange(let text): return "number '\(text)' is out of the range of a double"
        case .tooDeep(let limit): return "arrays/objects nested deeper than \(limit) levels"
        case .trailingContent(let b): return "unexpected \(JSONError.describe(b)) after the end of the JSON value"
        case .empty: return "no JSON value (empty input)"
        }
    }

    public var description: String {
        "line \(line), column \(column) (byte \(offset)): \(reasonDescription)"
    }
}

extension String {
    init(format0x byte: UInt8) {
        let digits = Array("0123456789ABCDEF")
        self = "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }
}
