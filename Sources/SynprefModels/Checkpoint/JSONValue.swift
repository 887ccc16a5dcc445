/// A parsed JSON document. Checkpoint headers, `model.safetensors.index.json` and
/// `config.json` are read through this instead of Foundation so that every malformed input
/// (duplicate keys, integers too large, deep nesting, invalid UTF-8) is a precise error and
/// booleans are never confused with numbers.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the kind of value, for error messages ("a string", "an object").
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let n): return n.integer != nil ? "an integer" : "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The value when it is an integer literal that fits in `Int`.
    var intValue: Int? { if case .number(let n) = self { return n.integer } else { return nil } }
    /// Any number (integer or not) as a `Double`.
    var doubleValue: Double? { if case .number(let n) = self { return n.double } else { return nil } }
    var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// A JSON number, keeping the literal so integers are exact and never rounded through
/// `Double`.
struct JSONNumber: Sendable, Equatable {
    /// The literal as written, e.g. `1e-06` or `151936`.
    let literal: String
    /// The exact value when the literal has no fraction or exponent and fits in `Int`.
    let integer: Int?
    /// The value as a `Double` (may be rounded, or infinite for huge literals).
    let double: Double
    /// True when the literal has no fraction or exponent part (Python parses it as `int`).
    let isIntegerLiteral: Bool
}

/// A JSON object: keys in document order (duplicates are rejected while parsing).
struct JSONObject: Sendable, Equatable {
    private(set) var keys: [String] = []
    private(set) var values: [String: JSONValue] = [:]

    subscript(key: String) -> JSONValue? { values[key] }

    var count: Int { keys.count }

    /// Appends `value` under `key`; returns false when the key is already present.
    mutating func insert(_ key: String, _ value: JSONValue) -> Bool {
        if values[key] != nil { return false }
        keys.append(key)
        values[key] = value
        return true
    }
}

/// Why a JSON document could not be parsed, with the byte offset and line/column.
struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    var offset: Int
    var line: Int
    var column: Int

    var description: String { "\(message) at line \(line), column \(column) (byte \(offset))" }
}

/// A strict RFC 8259 parser over raw bytes (UTF-8). Optionally accepts the non-standard
/// `NaN`, `Infinity` and `-Infinity` tokens that Python's `json` module writes.
struct JSONParser {
    /// Nesting deeper than this is rejected (no recursion can exhaust the stack).
    static let maxDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private let allowNonFinite: Bool
    private var position = 0
    private var depth = 0

    private init(bytes: UnsafeRawBufferPointer, allowNonFinite: Bool) {
        self.bytes = bytes
        self.allowNonFinite = allowNonFinite
    }

    /// Parses one JSON value that fills `bytes` (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer, allowNonFinite: Bool = false) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, allowNonFinite: allowNonFinite)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position != bytes.count {
            throw parser.error("unexpected data after the JSON value")
        }
        return value
    }

    /// Parses a whole byte array (e.g. a file's contents).
    static func parse(_ data: [UInt8], allowNonFinite: Bool = false) throws(JSONParseError) -> JSONValue {
        do {
            return try data.withUnsafeBytes { buffer in
                try JSONParser.parse(buffer, allowNonFinite: allowNonFinite)
            }
        } catch let error as JSONParseError {
            throw error
        } catch {
            // `withUnsafeBytes` rethrows only what the closure throws.
            throw JSONParseError(message: "\(error)", offset: 0, line: 1, column: 1)
        }
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N") where allowNonFinite:
            try expectLiteral("NaN")
            return .number(JSONNumber(literal: "NaN", integer: nil, double: .nan, isIntegerLiteral: false))
        case UInt8(ascii: "I") where allowNonFinite:
            try expectLiteral("Infinity")
            return .number(JSONNumber(literal: "Infinity", integer: nil, double: .infinity, isIntegerLiteral: false))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw error("unexpected character \(describe(byte)), expected a value")
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key in object") }
            let keyStart = position
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            if !object.insert(key, value) {
                throw error("duplicate key \"\(key)\" in object", at: keyStart)
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(object)
            case nil: throw error("unexpected end of input inside an object")
            case let other?: throw error("unexpected character \(describe(other)), expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        position += 1  // [
        var array: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue())
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(array)
            case nil: throw error("unexpected end of input inside an array")
            case let other?: throw error("unexpected character \(describe(other)), expected ',' or ']'")
            }
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maxDepth {
            throw error("nesting deeper than \(JSONParser.maxDepth) levels")
        }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw error("string is not valid UTF-8", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw error("unescaped control character \(describe(byte)) in string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONParseError) {
        guard let byte = peek() else { throw error("unterminated escape sequence") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try parseHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
                    throw error("unpaired UTF-16 surrogate in \\u escape")
                }
                position += 2
                let low = UInt32(try parseHex4())
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("unpaired UTF-16 surrogate in \\u escape")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("unpaired UTF-16 surrogate in \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw error("invalid Unicode scalar in \\u escape")
            }
            UTF8.encode(unicode) { utf8.append($0) }
        default:
            throw error("invalid escape sequence \\\(describe(byte))")
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = peek() else { throw error("unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit \(describe(byte)) in \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        var isInteger = true
        if peek() == UInt8(ascii: "-") {
            position += 1
            if allowNonFinite, peek() == UInt8(ascii: "I") {
                try expectLiteral("Infinity")
                return JSONNumber(literal: "-Infinity", integer: nil, double: -.infinity, isIntegerLiteral: false)
            }
        }
        // int = zero / ( digit1-9 *DIGIT )
        guard let first = peek(), isDigit(first) else { throw error("expected a digit in number") }
        position += 1
        if first != UInt8(ascii: "0") {
            while let b = peek(), isDigit(b) { position += 1 }
        } else if let b = peek(), isDigit(b) {
            throw error("leading zeros are not allowed in numbers")
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let b = peek(), isDigit(b) else { throw error("expected a digit after '.' in number") }
            while let b = peek(), isDigit(b) { position += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let b = peek(), isDigit(b) else { throw error("expected a digit in number exponent") }
            while let b = peek(), isDigit(b) { position += 1 }
        }
        let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        let integer = isInteger ? Int(literal) : nil
        // Double(String) parses every literal this grammar accepts; huge ones become ±inf.
        let double = Double(literal) ?? .nan
        return JSONNumber(literal: literal, integer: integer, double: double, isIntegerLiteral: isInteger)
    }

    // MARK: - Helpers

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let index = position + ahead
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            position += 1
        }
    }

    private mutating func expectLiteral(_ literal: String) throws(JSONParseError) {
        for expected in literal.utf8 {
            guard peek() == expected else { throw error("invalid literal, expected \(literal)") }
            position += 1
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "0x" + String(byte, radix: 16, uppercase: true)
    }

    private func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        let offset = min(offset ?? position, bytes.count)
        var line = 1
        var column = 1
        for index in 0..<offset {
            if bytes[index] == 0x0A {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return JSONParseError(message: message, offset: offset, line: line, column: column)
    }
}
