#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pull-style reading of one JSON text, without building a `JSONValue` tree.
///
/// For hot paths that know the shape they expect (e.g. preference records): walk objects
/// and arrays, read strings and numbers straight into Swift values, and fall back to
/// `JSONParser` (or report an error) when the document is not what was expected. The same
/// strictness and error positions as `JSONParser` apply to everything read.
///
///     try JSONCursor.read(bytes) { c throws(JSONError) in
///         try c.beginObject()
///         while let key = try c.nextKey() {
///             if key == "name" { name = try c.readString() } else { try c.skipValue() }
///         }
///         try c.end()
///     }
public struct JSONCursor: ~Copyable {
    var state: JSONParseState
    // Whether the container being read has produced a member yet (per nesting level).
    private var started: [Bool] = []

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        state = JSONParseState(base: base, count: count, maxDepth: maxDepth)
    }

    /// Runs `body` with a cursor over `bytes`.
    public static func read<T>(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth,
                               _ body: (inout JSONCursor) throws(JSONError) -> T) throws(JSONError) -> T {
        let result: Result<T, JSONError> = bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, buf.count > 0 else {
                return .failure(JSONError(reason: .empty, offset: 0, line: 1, column: 1))
            }
            var cursor = JSONCursor(base: base, count: buf.count, maxDepth: maxDepth)
            do throws(JSONError) {
                return .success(try body(&cursor))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The kinds of value the cursor can be at.
    public enum Kind: Sendable, Equatable {
        case object, array, string, number, bool, null
    }

    /// The kind of the next value (after whitespace), without consuming it.
    public mutating func peek() throws(JSONError) -> Kind {
        state.skipWhitespace()
        guard state.pos < state.count else { throw state.unexpected(expected: "a value") }
        switch state.base[state.pos] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw state.unexpected(expected: "a value (object, array, string, number, true, false or null)")
        }
    }

    /// Consumes `{`.
    public mutating func beginObject() throws(JSONError) {
        try open(UInt8(ascii: "{"), "'{'")
    }

    /// The next member's key (the cursor is then at its value, which the caller must read
    /// or skip), or nil after consuming the closing `}`.
    public mutating func nextKey() throws(JSONError) -> String? {
        guard try nextMember(close: UInt8(ascii: "}"), "'}'") else { return nil }
        guard state.pos < state.count, state.base[state.pos] == UInt8(ascii: "\"") else {
            throw state.unexpected(expected: "a string key")
        }
        let key = try state.parseString()
        state.skipWhitespace()
        guard state.pos < state.count, state.base[state.pos] == UInt8(ascii: ":") else { throw state.unexpected(expected: "':'") }
        state.pos += 1
        return key
    }

    /// Consumes `[`.
    public mutating func beginArray() throws(JSONError) {
        try open(UInt8(ascii: "["), "'['")
    }

    /// True when the cursor is at the next element; false after consuming the closing `]`.
    public mutating func nextElement() throws(JSONError) -> Bool {
        try nextMember(close: UInt8(ascii: "]"), "']'")
    }

    public mutating func readString() throws(JSONError) -> String {
        state.skipWhitespace()
        guard state.pos < state.count, state.base[state.pos] == UInt8(ascii: "\"") else { throw state.unexpected(expected: "a string") }
        return try state.parseString()
    }

    /// A number as a `Double` (integers convert exactly when they can).
    public mutating func readNumber() throws(JSONError) -> Double {
        state.skipWhitespace()
        guard state.pos < state.count, state.base[state.pos] == UInt8(ascii: "-") || (state.base[state.pos] >= 0x30 && state.base[state.pos] <= 0x39) else {
            throw state.unexpected(expected: "a number")
        }
        let v = try state.parseNumber()
        return v.doubleValue ?? 0
    }

    /// Consumes `null` and returns true, or returns false if the next value is not null.
    public mutating func readNull() throws(JSONError) -> Bool {
        guard try peek() == .null else { return false }
        try state.expectLiteral("null")
        return true
    }

    /// Reads the next value of any kind as a tree.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        state.skipWhitespace()
        return try state.parseValue(depth: started.count)
    }

    /// Consumes the next value, whatever it is.
    public mutating func skipValue() throws(JSONError) {
        _ = try readValue()
    }

    /// Checks that only whitespace follows the document.
    public mutating func end() throws(JSONError) {
        state.skipWhitespace()
        if state.pos < state.count { throw state.error(.trailingContent(state.base[state.pos]), at: state.pos) }
    }

    /// The byte offset of the cursor.
    public var offset: Int { state.pos }

    /// Skips whitespace; the offset where the next value starts.
    public mutating func valueStart() -> Int {
        state.skipWhitespace()
        return state.pos
    }

    /// When the bytes at the next value repeat `range` of the same document, which holds one
    /// complete value the caller read earlier (from `valueStart()` to the offset after it),
    /// consumes them and returns true: equal bytes parse to an equal value ending at the
    /// same length, so they need not be parsed (or their strings validated) again.
    /// Otherwise consumes nothing and returns false.
    public mutating func skipRepeat(of range: Range<Int>) -> Bool {
        state.skipWhitespace()
        let n = range.count
        guard n > 0, range.lowerBound >= 0, range.upperBound <= state.count, state.pos + n <= state.count,
              memcmp(state.base + state.pos, state.base + range.lowerBound, n) == 0
        else { return false }
        state.pos += n
        return true
    }

    private mutating func open(_ byte: UInt8, _ what: String) throws(JSONError) {
        state.skipWhitespace()
        guard state.pos < state.count, state.base[state.pos] == byte else { throw state.unexpected(expected: what) }
        if started.count >= state.maxDepth { throw state.error(.tooDeep(limit: state.maxDepth), at: state.pos) }
        state.pos += 1
        started.append(false)
    }

    private mutating func nextMember(close: UInt8, _ what: String) throws(JSONError) -> Bool {
        state.skipWhitespace()
        guard state.pos < state.count, let first = started.last else { throw state.unexpected(expected: what) }
        let b = state.base[state.pos]
        if b == close {
            state.pos += 1
            started.removeLast()
            return false
        }
        if first {
            guard b == UInt8(ascii: ",") else { throw state.unexpected(expected: "',' or \(what)") }
            state.pos += 1
            state.skipWhitespace()
        } else {
            started[started.count - 1] = true
        }
        return true
    }
}
