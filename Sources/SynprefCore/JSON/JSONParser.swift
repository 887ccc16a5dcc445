#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Why our own: Foundation's `JSONSerialization`/`JSONDecoder` are several times slower
/// than Python's `orjson` on Linux, and preference-data import parses gigabytes.
///
/// Strictness: exactly one value surrounded by optional whitespace (space, tab, LF, CR);
/// no comments, trailing commas, single quotes, `NaN`/`Infinity`, leading `+`, leading
/// zeros or byte order mark; strings must be valid UTF-8 with control characters escaped;
/// `\u` escapes must form valid Unicode scalars (surrogates only as proper pairs); numbers
/// must fit a finite `Double`. A repeated object key keeps its first position and takes the
/// last value, as Python's `json` and `orjson` do.
/// Every rejection is a `JSONError` with the byte offset, line and column.
public enum JSONParser {
    /// The default nesting limit; deeper documents are rejected instead of exhausting the stack.
    public static let defaultMaxDepth = 512

    /// Departures from the strict defaults, for readers that must match another JSON
    /// implementation: tokenizer.json as the tokenizers crate (serde_json) reads it, and
    /// JSON as Python's `json` module (what transformers and chat templates see) reads it.
    public struct Options: Sendable, Hashable {
        /// Keep every member of an object whose key repeats, in document order (lookups
        /// find the last), as serde_json hands a repeated map key to its visitor. Objects
        /// parsed this way are not indexed by key: lookups in them are linear (iterate
        /// large ones). Default: a repeated key keeps its first position and takes the last
        /// value.
        public var keepDuplicateKeys = false
        /// A lone UTF-16 surrogate escape becomes U+FFFD instead of an error.
        public var replaceLoneSurrogates = false
        /// Python's `NaN`, `Infinity` and `-Infinity` literals, and numbers beyond a finite
        /// `Double` read as infinities (as Python's `float` does), are accepted.
        public var allowNonFiniteNumbers = false
        /// An integer literal beyond `Int`'s range is an error (`numberOutOfRange`) instead of
        /// the nearest `Double`, for readers whose integers are exact (Python's `int`).
        public var rejectInexactIntegers = false
        public var maxDepth = JSONParser.defaultMaxDepth

        public init() {}

        public static let strict = Options()

        /// Python's `json.loads` as far as `JSONValue` can follow it (what transformers reads
        /// config files with): `NaN`/`Infinity` accepted; a repeated key keeps its first
        /// position and the last value (the default). Integers beyond `Int` become the nearest
        /// `Double` (Python keeps them exact; transformers writes `model_max_length` as
        /// 1000000000000000019884624838656 to mean "no limit").
        public static let python: Options = {
            var o = Options()
            o.allowNonFiniteNumbers = true
            return o
        }()
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        var options = Options()
        options.maxDepth = maxDepth
        return try parse(bytes, options: options)
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, options: Options) throws(JSONError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONError(reason: .empty, offset: 0, line: 1, column: 1)
        }
        var state = JSONParseState(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, options: options)
        return try state.parseDocument()
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        var options = Options()
        options.maxDepth = maxDepth
        return try parse(bytes, options: options)
    }

    public static func parse(_ bytes: [UInt8], options: Options) throws(JSONError) -> JSONValue {
        let result: Result<JSONValue, JSONError> = bytes.withUnsafeBytes { raw in
            do throws(JSONError) {
                return .success(try parse(raw, options: options))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSONValue {
        var options = Options()
        options.maxDepth = maxDepth
        return try parse(text, options: options)
    }

    public static func parse(_ text: String, options: Options) throws(JSONError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, JSONError> = copy.withUTF8 { buf in
            do throws(JSONError) {
                return .success(try parse(UnsafeRawBufferPointer(buf), options: options))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// The recursive-descent state: a cursor over borrowed bytes plus a reusable scratch
/// buffer for strings with escapes.
struct JSONParseState {
    let base: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    let options: JSONParser.Options
    var pos = 0
    var scratch: [UInt8] = []

    init(base: UnsafePointer<UInt8>, count: Int, options: JSONParser.Options) {
        self.base = base
        self.count = count
        self.maxDepth = options.maxDepth
        self.options = options
    }

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        var options = JSONParser.Options()
        options.maxDepth = maxDepth
        self.init(base: base, count: count, options: options)
    }

    // MARK: errors

    func error(_ reason: JSONError.Reason, at offset: Int) -> JSONError {
        var line = 1
        var lineStart = 0
        var i = 0
        let end = Swift.min(offset, count)
        while i < end {
            if base[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        return JSONError(reason: reason, offset: offset, line: line, column: offset - lineStart + 1)
    }

    func unexpected(expected: String) -> JSONError {
        if pos >= count { return error(.unexpectedEnd(expected: expected), at: pos) }
        return error(.unexpectedByte(base[pos], expected: expected), at: pos)
    }

    // MARK: structure

    @inline(__always) mutating func skipWhitespace() {
        while pos < count {
            let b = base[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 {
                pos += 1
            } else {
                return
            }
        }
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        if pos >= count { throw error(.empty, at: pos) }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if pos < count { throw error(.trailingContent(base[pos]), at: pos) }
        return value
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard pos < count else { throw unexpected(expected: "a value") }
        switch base[pos] {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if options.allowNonFiniteNumbers, base[pos] == UInt8(ascii: "-"), pos + 1 < count, base[pos + 1] == UInt8(ascii: "I") {
                pos += 1
                try expectLiteral("Infinity")
                return .double(-.infinity)
            }
            return try parseNumber()
        case UInt8(ascii: "N") where options.allowNonFiniteNumbers:
            try expectLiteral("NaN")
            return .double(.nan)
        case UInt8(ascii: "I") where options.allowNonFiniteNumbers:
            try expectLiteral("Infinity")
            return .double(.infinity)
        default:
            throw unexpected(expected: "a value (object, array, string, number, true, false or null)")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for i in 0..<n {
            guard pos + i < count else { throw error(.unexpectedEnd(expected: "'\(word)'"), at: pos + i) }
            guard base[pos + i] == w[i] else {
                throw error(.unexpectedByte(base[pos + i], expected: "'\(word)'"), at: pos + i)
            }
        }
        pos += n
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maxDepth { throw error(.tooDeep(limit: maxDepth), at: pos) }
        pos += 1  // [
        skipWhitespace()
        var elements: [JSONValue] = []
        if pos < count && base[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard pos < count else { throw unexpected(expected: "',' or ']'") }
            let b = base[pos]
            if b == UInt8(ascii: ",") {
                pos += 1
            } else if b == UInt8(ascii: "]") {
                pos += 1
                return .array(elements)
            } else {
                throw unexpected(expected: "',' or ']'")
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maxDepth { throw error(.tooDeep(limit: maxDepth), at: pos) }
        pos += 1  // {
        skipWhitespace()
        var keys: [String] = []
        var values: [JSONValue] = []
        var index: [ExactText: Int]? = nil
        if pos < count && base[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(JSONObject(keys: keys, values: values, index: nil))
        }
        while true {
            skipWhitespace()
            guard pos < count, base[pos] == UInt8(ascii: "\"") else { throw unexpected(expected: "a string key") }
            let key = try parseString()
            skipWhitespace()
            guard pos < count, base[pos] == UInt8(ascii: ":") else { throw unexpected(expected: "':'") }
            pos += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if options.keepDuplicateKeys {
                keys.append(key)
                values.append(value)
            } else if keys.count < JSONObject.indexThreshold {
                // A repeated key keeps its first position and takes the last value (as Python does).
                if let j = keys.firstIndex(where: { ExactText.same($0, key) }) {
                    values[j] = value
                } else {
                    keys.append(key)
                    values.append(value)
                }
            } else {
                if index == nil {
                    var idx = [ExactText: Int](minimumCapacity: 64)
                    for (j, k) in keys.enumerated() { idx[ExactText(k)] = j }
                    index = idx
                }
                if let j = index?[ExactText(key)] {
                    values[j] = value
                } else {
                    index?[ExactText(key)] = keys.count
                    keys.append(key)
                    values.append(value)
                }
            }
            skipWhitespace()
            guard pos < count else { throw unexpected(expected: "',' or '}'") }
            let b = base[pos]
            if b == UInt8(ascii: ",") {
                pos += 1
            } else if b == UInt8(ascii: "}") {
                pos += 1
                if options.keepDuplicateKeys { return .object(JSONObject(repeatingKeys: keys, values: values)) }
                return .object(JSONObject(keys: keys, values: values, index: index))
            } else {
                throw unexpected(expected: "',' or '}'")
            }
        }
    }

    // MARK: strings

    /// Parses a string starting at the opening quote.
    ///
    /// Fast path: scan 8 bytes at a time for a quote, backslash or control byte; if the
    /// string has no escapes it is created straight from the input bytes.
    mutating func parseString() throws(JSONError) -> String {
        pos += 1  // opening quote
        let start = pos
        var nonASCII = false
        let i = nextSpecial(from: pos, nonASCII: &nonASCII)
        guard i < count else { throw error(.unexpectedEnd(expected: "'\"' to close the string"), at: count) }
        let b = base[i]
        if b == UInt8(ascii: "\"") {
            pos = i + 1
            return try makeString(start: start, end: i, checkUTF8: nonASCII)
        } else if b == UInt8(ascii: "\\") {
            return try parseEscapedString(start: start, firstEscape: i)
        } else {
            throw error(.controlCharacterInString(b), at: i)
        }
    }

    /// The index of the first '"', '\\' or control byte at or after `i` (or `count`); sets
    /// `nonASCII` if a byte >= 0x80 was passed over.
    @inline(__always) func nextSpecial(from start: Int, nonASCII: inout Bool) -> Int {
        var i = start
        var high: UInt64 = 0
        while i + 8 <= count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let special = JSONParseState.specialMask(w)
            if special != 0 {
                // Only the bytes before the first special one (little-endian: low byte first).
                let skip = special.trailingZeroBitCount >> 3
                if skip > 0 { high |= w & (UInt64.max >> UInt64(64 - skip * 8)) & 0x8080_8080_8080_8080 }
                if high != 0 { nonASCII = true }
                return i + skip
            }
            high |= w & 0x8080_8080_8080_8080
            i += 8
        }
        if high != 0 { nonASCII = true }
        while i < count {
            let b = base[i]
            if b == 0x22 || b == 0x5C || b < 0x20 { return i }
            if b >= 0x80 { nonASCII = true }
            i += 1
        }
        return count
    }

    /// Bytes of `w` that are '"', '\\' or below 0x20, as the high bit of each such byte.
    /// (Borrows may set bits above a true hit; callers only use the lowest set bit.)
    @inline(__always) static func specialMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let bs = w ^ (ones &* 0x5C)
        let hasQuote = (q &- ones) & ~q
        let hasBackslash = (bs &- ones) & ~bs
        let hasControl = (w &- (ones &* 0x20)) & ~w
        return (hasQuote | hasBackslash | hasControl) & highs
    }

    func makeString(start: Int, end: Int, checkUTF8: Bool) throws(JSONError) -> String {
        let span = UnsafeBufferPointer(start: base + start, count: end - start)
        if !checkUTF8 { return String(decoding: span, as: UTF8.self) }
        if let s = JSONParseState.validString(span) { return s }
        throw error(.invalidUTF8, at: start + (JSONParseState.firstInvalidUTF8(span) ?? 0))
    }

    /// The string if `span` is well-formed UTF-8, else nil. `String(decoding:)` replaces
    /// ill-formed sequences with U+FFFD, so the bytes survive unchanged exactly when they
    /// were valid; this avoids the generic (and slower) `String(validating:)`.
    static func validString(_ span: UnsafeBufferPointer<UInt8>) -> String? {
        var s = String(decoding: span, as: UTF8.self)
        let same = s.withUTF8 { out in
            out.count == span.count && (span.count == 0 || memcmp(out.baseAddress!, span.baseAddress!, span.count) == 0)
        }
        return same ? s : nil
    }

    /// The slow path once a backslash is seen: decode into `scratch`, copying the runs
    /// between escapes in bulk.
    mutating func parseEscapedString(start: Int, firstEscape: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: base + start, count: firstEscape - start))
        var i = firstEscape
        var nonASCII = false
        while true {
            guard i < count else { break }
            let b = base[i]
            if b == UInt8(ascii: "\"") {
                pos = i + 1
                if let s = scratch.withUnsafeBufferPointer({ JSONParseState.validString($0) }) { return s }
                let span = UnsafeBufferPointer(start: base + start, count: i - start)
                throw error(.invalidUTF8, at: start + (JSONParseState.firstInvalidUTF8(span) ?? 0))
            } else if b == UInt8(ascii: "\\") {
                guard i + 1 < count else { throw error(.unexpectedEnd(expected: "an escape character"), at: count) }
                let e = base[i + 1]
                switch e {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    i = try decodeUnicodeEscape(at: i)
                    continue
                default:
                    throw error(.invalidEscape(e), at: i + 1)
                }
                i += 2
            } else if b < 0x20 {
                throw error(.controlCharacterInString(b), at: i)
            } else {
                let next = nextSpecial(from: i, nonASCII: &nonASCII)
                scratch.append(contentsOf: UnsafeBufferPointer(start: base + i, count: next - i))
                i = next
            }
        }
        throw error(.unexpectedEnd(expected: "'\"' to close the string"), at: count)
    }

    func hex4(at i: Int) -> UInt16? {
        guard i + 4 <= count else { return nil }
        var v: UInt16 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    /// Decodes `\uXXXX` (and its low-surrogate partner) at `i` (the backslash); returns the
    /// index after the escape(s).
    mutating func decodeUnicodeEscape(at i: Int) throws(JSONError) -> Int {
        guard let u = hex4(at: i + 2) else { throw error(.invalidUnicodeEscape, at: i) }
        var scalar: UInt32
        var next = i + 6
        if u >= 0xD800 && u <= 0xDBFF {
            if next + 1 < count, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u"),
               let low = hex4(at: next + 2), low >= 0xDC00 && low <= 0xDFFF {
                scalar = 0x10000 + ((UInt32(u) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                next += 6
            } else if options.replaceLoneSurrogates {
                scalar = 0xFFFD
            } else {
                throw error(.loneSurrogate(u), at: i)
            }
        } else if u >= 0xDC00 && u <= 0xDFFF {
            guard options.replaceLoneSurrogates else { throw error(.loneSurrogate(u), at: i) }
            scalar = 0xFFFD
        } else {
            scalar = UInt32(u)
        }
        JSONParseState.appendUTF8(scalar, to: &scratch)
        return next
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// The offset of the first byte that starts an ill-formed UTF-8 sequence (Unicode
    /// Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF), or nil.
    static func firstInvalidUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = s.count
        while i < n {
            let b0 = s[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            var need = 0
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            guard i + need < n else { return i }
            let b1 = s[i + 1]
            if b1 < lo || b1 > hi { return i }
            for k in 2...max(2, need) where k <= need {
                if s[i + k] & 0xC0 != 0x80 { return i }
            }
            i += need + 1
        }
        return nil
    }

    // MARK: numbers

    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = pos
        var i = pos
        var negative = false
        if base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        func digit(_ j: Int) -> Bool { j < count && base[j] >= 0x30 && base[j] <= 0x39 }
        guard digit(i) else { throw numberError(start: start, end: i + (i < count ? 1 : 0)) }
        var mantissa: UInt64 = 0
        var digits = 0  // significant digits accumulated in mantissa
        var dropped = 0  // integer digits that did not fit (scale by 10 each)
        var sawNonZero = false  // leading fraction zeros ("0.001") are not significant
        if base[i] == UInt8(ascii: "0") {
            i += 1
            if digit(i) { throw numberError(start: start, end: i + 1) }  // leading zero
        } else {
            while digit(i) {
                let d = UInt64(base[i] - 0x30)
                if digits < 19 {
                    mantissa = mantissa * 10 + d
                    digits += 1  // the integer part starts with a non-zero digit
                } else {
                    dropped += 1
                }
                i += 1
            }
        }
        var isInteger = true
        var exponent = dropped
        if i < count && base[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard digit(i) else { throw numberError(start: start, end: i + (i < count ? 1 : 0)) }
            while digit(i) {
                let d = UInt64(base[i] - 0x30)
                if digits < 19 {
                    mantissa = mantissa * 10 + d
                    if d != 0 || digits > 0 { sawNonZero = true }
                    if sawNonZero { digits += 1 }
                    exponent -= 1
                } else {
                    // Further fraction digits only matter for correct rounding: slow path.
                    dropped += 1
                }
                i += 1
            }
        }
        if i < count && (base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            var expNegative = false
            if i < count && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) {
                expNegative = base[i] == UInt8(ascii: "-")
                i += 1
            }
            guard digit(i) else { throw numberError(start: start, end: i + (i < count ? 1 : 0)) }
            var e = 0
            while digit(i) {
                if e < 100_000 { e = e * 10 + Int(base[i] - 0x30) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        pos = i
        if isInteger && dropped == 0 {
            if negative {
                if mantissa <= UInt64(Int.max) { return .integer(-Int(mantissa)) }
                if mantissa == UInt64(Int.max) + 1 { return .integer(Int.min) }
            } else if mantissa <= UInt64(Int.max) {
                return .integer(Int(mantissa))
            }
        }
        if isInteger && options.rejectInexactIntegers {
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
            throw error(.numberOutOfRange(text), at: start)
        }
        // Clinger's fast path: exact when the mantissa and the power of ten are both exact doubles.
        if dropped == 0, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var d = Double(mantissa)
            if exponent < 0 { d /= JSONParseState.powersOfTen[-exponent] } else { d *= JSONParseState.powersOfTen[exponent] }
            return .double(negative ? -d : d)
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
        guard let d = Double(text) else { throw error(.invalidNumber(text), at: start) }
        guard d.isFinite || options.allowNonFiniteNumbers else { throw error(.numberOutOfRange(text), at: start) }
        return .double(d)
    }

    func numberError(start: Int, end: Int) -> JSONError {
        let e = Swift.min(end, count)
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: Swift.max(0, e - start)), as: UTF8.self)
        return error(.invalidNumber(text), at: start)
    }

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}
