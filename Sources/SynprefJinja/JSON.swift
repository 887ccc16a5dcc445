/// JSON read and written with Python's `json` module semantics, which is what
/// transformers sees: object key order is kept, `1` stays an int and `1.0` a float,
/// `NaN`/`Infinity` are accepted, duplicate keys keep the last value.
public struct JinjaJSONError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, e.g. "Expecting ',' delimiter".
    public var message: String
    /// 0-based byte offset into the input.
    public var offset: Int

    public var description: String { "\(message) (at byte \(offset + 1))" }
}

extension JinjaValue {
    /// Parses one JSON document (the whole input must be one value).
    public init(json bytes: some Collection<UInt8>) throws {
        var parser = PythonJSONParser(Array(bytes))
        self = try parser.parseDocument()
    }

    public init(json text: String) throws {
        try self.init(json: Array(text.utf8))
    }

    /// `json.dumps(value, ensure_ascii=False)`: Python's default separators `", "` and `": "`.
    public func jsonString() -> String {
        dumpsJSON(self)
    }
}

/// Values built from JSON are always serializable.
private func dumpsJSON(_ v: JinjaValue) -> String {
    (try? PythonJSON.dumps(Value(v), options: PythonJSON.Options())) ?? ""
}

struct PythonJSONParser {
    private let b: [UInt8]
    private var i = 0
    /// Arrays and objects nest at most this deep (Python's json gives up near 1000 with
    /// a RecursionError); deeper input is an error instead of a stack overflow.
    static let maxDepth = 500
    private var depth = 0

    init(_ bytes: [UInt8]) { b = bytes }

    private func err(_ m: String, _ at: Int? = nil) -> JinjaJSONError { JinjaJSONError(message: m, offset: at ?? i) }

    mutating func parseDocument() throws -> JinjaValue {
        skipSpace()
        let v = try parseValue()
        skipSpace()
        if i != b.count { throw err("Extra data") }
        return v
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    }

    private func matches(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        return s.withUTF8Buffer { buf in
            for k in 0..<n where b[i + k] != buf[k] { return false }
            return true
        }
    }

    private mutating func parseValue() throws -> JinjaValue {
        guard i < b.count else { throw err("Expecting value") }
        switch b[i] {
        case 0x7B: return try parseObject()
        case 0x5B: return try parseArray()
        case 0x22: return .string(try parseString())
        case 0x74:
            if matches("true") { i += 4; return .bool(true) }
        case 0x66:
            if matches("false") { i += 5; return .bool(false) }
        case 0x6E:
            if matches("null") { i += 4; return .null }
        case 0x4E:
            if matches("NaN") { i += 3; return .double(.nan) }
        case 0x49:
            if matches("Infinity") { i += 8; return .double(.infinity) }
        case 0x2D:
            if matches("-Infinity") { i += 9; return .double(-.infinity) }
            return try parseNumber()
        case 0x30...0x39:
            return try parseNumber()
        default: break
        }
        throw err("Expecting value")
    }

    private mutating func parseNumber() throws -> JinjaValue {
        let start = i
        if b[i] == 0x2D { i += 1 }
        func digits() -> Int {
            let s = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - s
        }
        guard i < b.count, b[i] >= 0x30, b[i] <= 0x39 else { throw err("Expecting value", start) }
        if b[i] == 0x30 { i += 1 } else { _ = digits() }
        var isFloat = false
        if i + 1 < b.count, b[i] == 0x2E, b[i + 1] >= 0x30, b[i + 1] <= 0x39 {
            i += 1
            _ = digits()
            isFloat = true
        }
        if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
            let save = i
            i += 1
            if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
            if digits() == 0 { i = save } else { isFloat = true }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if isFloat {
            guard let d = Double(text) else { throw err("Invalid number", start) }
            return .double(d)
        }
        guard let v = Int(text) else {
            throw err("integer \(text) does not fit in 64 bits", start)
        }
        return .int(v)
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= b.count else { throw err("Invalid \\uXXXX escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = b[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw err("Invalid \\uXXXX escape")
            }
            v = v * 16 + d
        }
        i += 4
        return v
    }

    private mutating func parseString() throws -> String {
        let open = i
        i += 1
        var out: [UInt8] = []
        var runStart = i
        while true {
            guard i < b.count else { throw err("Unterminated string starting at", open) }
            let c = b[i]
            if c == 0x22 {
                out.append(contentsOf: b[runStart..<i])
                i += 1
                break
            }
            if c < 0x20 { throw err("Invalid control character at") }
            if c != 0x5C {
                i += 1
                continue
            }
            out.append(contentsOf: b[runStart..<i])
            i += 1
            guard i < b.count else { throw err("Unterminated string starting at", open) }
            let e = b[i]
            i += 1
            switch e {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x2F: out.append(0x2F)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var v = try hex4()
                if v >= 0xD800 && v < 0xDC00 {
                    if i + 1 < b.count, b[i] == 0x5C, b[i + 1] == 0x75 {
                        i += 2
                        let lo = try hex4()
                        guard lo >= 0xDC00 && lo < 0xE000 else {
                            throw err("lone surrogate \\u\(hex(v, width: 4)) (not representable)", i - 12)
                        }
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        throw err("lone surrogate \\u\(hex(v, width: 4)) (not representable)", i - 6)
                    }
                } else if v >= 0xDC00 && v < 0xE000 {
                    throw err("lone surrogate \\u\(hex(v, width: 4)) (not representable)", i - 6)
                }
                out.append(contentsOf: String(Unicode.Scalar(v)!).utf8)
            default:
                throw err("Invalid \\escape", i - 2)
            }
            runStart = i
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw err("string is not valid UTF-8", open)
        }
        return s
    }

    private mutating func parseArray() throws -> JinjaValue {
        depth += 1
        defer { depth -= 1 }
        if depth > PythonJSONParser.maxDepth { throw err("nested deeper than \(PythonJSONParser.maxDepth) levels") }
        i += 1
        var items: [JinjaValue] = []
        skipSpace()
        if i < b.count, b[i] == 0x5D {
            i += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            guard i < b.count else { throw err("Expecting ',' delimiter") }
            if b[i] == 0x2C {
                i += 1
                continue
            }
            if b[i] == 0x5D {
                i += 1
                return .array(items)
            }
            throw err("Expecting ',' delimiter")
        }
    }

    private mutating func parseObject() throws -> JinjaValue {
        depth += 1
        defer { depth -= 1 }
        if depth > PythonJSONParser.maxDepth { throw err("nested deeper than \(PythonJSONParser.maxDepth) levels") }
        i += 1
        var obj = JinjaObject()
        skipSpace()
        if i < b.count, b[i] == 0x7D {
            i += 1
            return .object(obj)
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == 0x22 else {
                throw err("Expecting property name enclosed in double quotes")
            }
            let key = try parseString()
            skipSpace()
            guard i < b.count, b[i] == 0x3A else { throw err("Expecting ':' delimiter") }
            i += 1
            skipSpace()
            obj[key] = try parseValue()
            skipSpace()
            guard i < b.count else { throw err("Expecting ',' delimiter") }
            if b[i] == 0x2C {
                i += 1
                continue
            }
            if b[i] == 0x7D {
                i += 1
                return .object(obj)
            }
            throw err("Expecting ',' delimiter")
        }
    }
}

/// `json.dumps` as transformers' `tojson` filter calls it.
enum PythonJSON {
    struct Options {
        var ensureASCII = false
        /// nil: one line; otherwise the per-level indent string.
        var indent: String? = nil
        var itemSeparator: String? = nil
        var keySeparator = ": "
        var sortKeys = false
    }

    static func dumps(_ v: Value, options: Options) throws -> String {
        var out = ""
        let itemSep = options.itemSeparator ?? (options.indent == nil ? ", " : ",")
        try encode(v, level: 0, options: options, itemSep: itemSep, into: &out)
        return out
    }

    private static func encode(_ v: Value, level: Int, options: Options, itemSep: String, into out: inout String)
        throws
    {
        try PyError.checkDepth(level)
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += floatJSON(d)
        case .string(let s), .markup(let s): quote(s, ensureASCII: options.ensureASCII, into: &out)
        case .list(let items), .tuple(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            let (open, sep, close) = layout(level: level, options: options, itemSep: itemSep)
            out += open
            for (k, item) in items.enumerated() {
                if k > 0 { out += sep }
                try encode(item, level: level + 1, options: options, itemSep: itemSep, into: &out)
            }
            out += close + "]"
        case .dict(let d):
            if d.count == 0 {
                out += "{}"
                return
            }
            var pairs: [(String, Value)] = []
            pairs.reserveCapacity(d.count)
            for (k, val) in d.items {
                let key: String
                switch k {
                case .string(let s), .markup(let s): key = s
                case .float(let f): key = floatJSON(f)
                case .bool(let b): key = b ? "true" : "false"
                case .none: key = "null"
                case .int(let i): key = String(i)
                default: throw PyError.typeError("keys must be str, int, float, bool or None, not \(k.typeName)")
                }
                pairs.append((key, val))
            }
            if options.sortKeys {
                // Python sorts the original keys; string keys sort by code point.
                let keys = d.keys
                for k in keys {
                    switch k {
                    case .string, .markup: continue
                    default:
                        if keys.contains(where: { $0.stringPayload != nil }) {
                            throw PyError.typeError("'<' not supported between instances of 'str' and '\(k.typeName)'")
                        }
                        throw PyError.unsupported("tojson(sort_keys=true) with non-string keys")
                    }
                }
                pairs = mergeSorted(pairs) { a, b in a.0.unicodeScalars.lexicographicallyPrecedes(b.0.unicodeScalars) }
            }
            out += "{"
            let (open, sep, close) = layout(level: level, options: options, itemSep: itemSep)
            out += open
            for (k, (key, val)) in pairs.enumerated() {
                if k > 0 { out += sep }
                quote(key, ensureASCII: options.ensureASCII, into: &out)
                out += options.keySeparator
                try encode(val, level: level + 1, options: options, itemSep: itemSep, into: &out)
            }
            out += close + "}"
        default:
            throw PyError.typeError("Object of type \(v.typeName) is not JSON serializable")
        }
    }

    private static func layout(level: Int, options: Options, itemSep: String) -> (String, String, String) {
        guard let indent = options.indent else { return ("", itemSep, "") }
        let inner = "\n" + String(repeating: indent, count: level + 1)
        let outer = "\n" + String(repeating: indent, count: level)
        return (inner, itemSep + inner, outer)
    }

    static func floatJSON(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return PythonText.floatRepr(d)
    }

    /// A JSON string literal. Works on UTF-8 bytes and copies runs that need no escape
    /// in one piece (this is the hot path of writing rendered conversations).
    static func quote(_ s: String, ensureASCII: Bool, into out: inout String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 2)
        bytes.append(0x22)
        var s = s
        s.withUTF8 { buf in
            var runStart = 0
            var i = 0
            func escape(_ text: String) {
                bytes.append(contentsOf: buf[runStart..<i])
                bytes.append(contentsOf: text.utf8)
            }
            while i < buf.count {
                let b = buf[i]
                if b >= 0x20 && b != 0x22 && b != 0x5C && (b < 0x7F || !ensureASCII) {
                    i += 1
                    continue
                }
                switch b {
                case 0x22: escape("\\\"")
                case 0x5C: escape("\\\\")
                case 0x0A: escape("\\n")
                case 0x0D: escape("\\r")
                case 0x09: escape("\\t")
                case 0x08: escape("\\b")
                case 0x0C: escape("\\f")
                default:
                    if b < 0x20 || b == 0x7F {
                        escape("\\u" + hex(UInt32(b), width: 4))
                    } else {
                        // ensure_ascii: a multi-byte character becomes \uXXXX (a surrogate
                        // pair above the BMP).
                        let n = b >= 0xF0 ? 4 : (b >= 0xE0 ? 3 : 2)
                        var v = UInt32(b) & (n == 4 ? 0x07 : (n == 3 ? 0x0F : 0x1F))
                        for k in 1..<n { v = (v << 6) | (UInt32(buf[i + k]) & 0x3F) }
                        if v > 0xFFFF {
                            let u = v - 0x10000
                            escape("\\u" + hex(0xD800 + (u >> 10), width: 4) + "\\u" + hex(0xDC00 + (u & 0x3FF), width: 4))
                        } else {
                            escape("\\u" + hex(v, width: 4))
                        }
                        i += n
                        runStart = i
                        continue
                    }
                }
                i += 1
                runStart = i
            }
            bytes.append(contentsOf: buf[runStart..<buf.count])
        }
        bytes.append(0x22)
        out += String(decoding: bytes, as: UTF8.self)
    }
}

extension Value {
    /// Template data from the public JSON-like value.
    init(_ v: JinjaValue) {
        switch v {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map(Value.init))
        case .object(let o):
            var d = PyDict()
            for (k, val) in zip(o.keys, o.values) {
                d.set(.string(k), hash: .string(Array(k.utf8)), Value(val))
            }
            self = .dict(d)
        }
    }
}

/// A stable merge sort whose comparator may throw (Python's `sorted` is stable and
/// propagates comparison errors).
func mergeSorted<T>(_ items: [T], by less: (T, T) throws -> Bool) rethrows -> [T] {
    guard items.count > 1 else { return items }
    var a = items
    var buffer = items
    var width = 1
    let n = a.count
    while width < n {
        var start = 0
        while start < n {
            let mid = min(start + width, n)
            let end = min(start + 2 * width, n)
            var i = start
            var j = mid
            var k = start
            while i < mid && j < end {
                // Take from the right only if strictly less: keeps equal elements in order.
                if try less(a[j], a[i]) {
                    buffer[k] = a[j]
                    j += 1
                } else {
                    buffer[k] = a[i]
                    i += 1
                }
                k += 1
            }
            while i < mid {
                buffer[k] = a[i]
                i += 1
                k += 1
            }
            while j < end {
                buffer[k] = a[j]
                j += 1
                k += 1
            }
            start += 2 * width
        }
        swap(&a, &buffer)
        width *= 2
    }
    return a
}
