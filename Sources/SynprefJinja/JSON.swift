import SynprefCore

/// JSON read and written with Python's `json` module semantics, which is what
/// transformers sees: object key order is kept, `1` stays an int and `1.0` a float,
/// `NaN`/`Infinity` are accepted, duplicate keys keep the first position and the last value.
/// Reading goes through SynprefCore's parser with the options that give Python's behaviour;
/// errors carry Python's wording and the byte offset.
public struct JinjaJSONError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, e.g. "Expecting ',' delimiter".
    public var message: String
    /// 0-based byte offset into the input.
    public var offset: Int

    public var description: String { "\(message) (at byte \(offset + 1))" }

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// Python's wording for a Core parser error.
    init(_ e: JSONError) {
        offset = e.offset
        func expecting(_ what: String) -> String {
            if what.hasPrefix("',' or") { return "Expecting ',' delimiter" }
            if what == "':'" { return "Expecting ':' delimiter" }
            if what == "a string key" { return "Expecting property name enclosed in double quotes" }
            if what.contains("close the string") { return "Unterminated string starting at" }
            return "Expecting value"
        }
        switch e.reason {
        case .unexpectedEnd(let what), .unexpectedByte(_, let what): message = expecting(what)
        case .invalidUTF8: message = "Invalid UTF-8"
        case .controlCharacterInString: message = "Invalid control character at"
        case .invalidEscape: message = "Invalid \\escape"
        case .invalidUnicodeEscape: message = "Invalid \\uXXXX escape"
        case .loneSurrogate(let u): message = "Unpaired surrogate \\u\(String(u, radix: 16)) (not representable)"
        case .invalidNumber: message = "Expecting value"
        case .numberOutOfRange: message = "Number out of range"
        case .tooDeep: message = "Nesting too deep"
        case .trailingContent: message = "Extra data"
        case .empty: message = "Expecting value"
        }
    }
}

extension JinjaValue {
    /// Arrays and objects nest at most this deep (Python's json gives up near 1000 with a
    /// RecursionError); deeper input is an error instead of a stack overflow.
    static let maxJSONDepth = 500

    /// Parses one JSON document (the whole input must be one value). An integer beyond 64
    /// bits is an error (Python's would be exact); `init(config:)` reads config files, where
    /// such integers are read as the nearest double instead.
    public init(json bytes: some Collection<UInt8>) throws {
        var options = JSONParser.Options.python
        options.rejectInexactIntegers = true
        self = try JinjaValue.parse(bytes, options)
    }

    /// A config file's JSON (tokenizer_config.json, special_tokens_map.json), with
    /// `JSONParser.Options.python`.
    public init(config bytes: some Collection<UInt8>) throws {
        self = try JinjaValue.parse(bytes, .python)
    }

    private static func parse(_ bytes: some Collection<UInt8>, _ options: JSONParser.Options) throws -> JinjaValue {
        var options = options
        options.maxDepth = maxJSONDepth
        do {
            return JinjaValue(try JSONParser.parse(Array(bytes), options: options))
        } catch let e as JSONError {
            throw JinjaJSONError(e)
        }
    }

    public init(json text: String) throws {
        try self.init(json: Array(text.utf8))
    }

    /// The same value in the template's vocabulary.
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .array(a.map(JinjaValue.init))
        case .object(let o): self = .object(JinjaObject(o.map { ($0.key, JinjaValue($0.value)) }))
        }
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
