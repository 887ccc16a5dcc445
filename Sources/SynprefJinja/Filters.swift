import Foundation

/// jinja2's built-in filters with transformers' `tojson`. Filters that return Python
/// generators in jinja2 (`map`, `select`, `reject`, `selectattr`, `rejectattr`, `unique`,
/// `batch`, `slice`, `items`, `reverse` on lists) return one-shot iterators here too, so
/// `{% if x|select(...) %}` is always true and `x|map(...)|length` fails, as in jinja2.
enum Filters {
    /// Every filter name jinja2 3.1 knows (unknown names are a syntax error, as jinja2
    /// reports them when compiling).
    static let known: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "filesizeformat", "first", "float", "forceescape", "format", "groupby", "indent", "int", "join", "last",
        "length", "list", "lower", "items", "map", "min", "max", "pprint", "random", "reject", "rejectattr",
        "replace", "reverse", "round", "safe", "select", "selectattr", "slice", "sort", "string", "striptags",
        "sum", "title", "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap",
        "xmlattr", "tojson",
    ]

    static func apply(_ name: String, _ value: Value, _ args: CallArgs, _ interp: Interpreter) throws -> Value {
        // Binds the filter's own parameters (after the value), like a Python call.
        let a = CallArgs(positional: [value] + args.positional, keyword: args.keyword)
        func p(_ params: [(String, Value?)]) throws -> [Value] {
            Array(try a.bind(name, [("value", nil)] + params).dropFirst())
        }
        switch name {
        case "length", "count":
            _ = try p([])
            return .int(try Ops.length(value))
        case "string":
            _ = try p([])
            if case .markup = value { return value }
            return .string(try PythonText.str(value))
        case "safe":
            _ = try p([])
            if case .markup = value { return value }
            return .markup(try PythonText.str(value))
        case "e", "escape", "forceescape":
            _ = try p([])
            if case .markup = value, name != "forceescape" { return value }
            return .markup(Escape.html(try PythonText.str(value)))
        case "upper", "lower", "capitalize", "title", "trim":
            let q = try p(name == "trim" ? [("chars", Value.none)] : [])
            let s = try PythonText.str(value)
            let r: String
            switch name {
            case "upper": r = PyString.upper(s)
            case "lower": r = PyString.lower(s)
            case "capitalize": r = PyString.capitalize(s)
            case "title": return .string(jinjaTitle(s))
            default: r = PyString.strip(s, try Methods.optionalString(q[0], "trim"))
            }
            if case .markup = value { return .markup(r) }
            return .string(r)
        case "center":
            let q = try p([("width", .int(80))])
            let width = try Methods.intArg(q[0], name)
            try PyError.checkSize(width)
            let r = PyString.center(try PythonText.str(value), width)
            if case .markup = value { return .markup(r) }
            return .string(r)
        case "replace":
            let q = try p([("old", nil), ("new", nil), ("count", Value.none)])
            var count = -1
            if case .none = q[2] {} else { count = try Methods.intArg(q[2], name) }
            return .string(
                PyString.replace(
                    try PythonText.str(value), try PythonText.str(q[0]), try PythonText.str(q[1]), count: count))
        case "default", "d":
            let q = try p([("default_value", .string("")), ("boolean", .bool(false))])
            if value.isUndefined || (q[1].truthy && !value.truthy) { return q[0] }
            return value
        case "first":
            _ = try p([])
            if case .iterator(let it) = value {
                return it.next() ?? .undefined(Undefined(message: "No first item, sequence was empty."))
            }
            return try Ops.iterate(value).first ?? .undefined(Undefined(message: "No first item, sequence was empty."))
        case "last":
            _ = try p([])
            switch value {
            case .iterator(let it):
                throw PyError.typeError("'\(it.typeName)' object is not reversible")
            case .none, .int, .float, .bool, .namespace, .callable:
                throw PyError.typeError("'\(value.typeName)' object is not reversible")
            default:
                return try Ops.iterate(value).last
                    ?? .undefined(Undefined(message: "No last item, sequence was empty."))
            }
        case "list":
            _ = try p([])
            return .list(try Ops.iterate(value))
        case "join":
            let q = try p([("d", .string("")), ("attribute", Value.none)])
            var items = try Ops.iterate(value)
            if case .none = q[1] {} else {
                let getter = try attributeGetter(q[1], interp)
                items = try items.map(getter)
            }
            let sep = try PythonText.str(q[0])
            return .string(try items.map { try PythonText.str($0) }.joined(separator: sep))
        case "items":
            _ = try p([])
            if value.isUndefined { return .iterator(PyIterator(typeName: "generator", items: [])) }
            guard case .dict(let d) = value else {
                throw PyError.typeError("Can only get item pairs from a mapping.")
            }
            return .iterator(PyIterator(typeName: "generator", items: d.items.map { .tuple([$0.0, $0.1]) }))
        case "dictsort":
            let q = try p([("case_sensitive", .bool(false)), ("by", .string("key")), ("reverse", .bool(false))])
            guard case .dict(let d) = value else {
                throw PyError.runtime("AttributeError: '\(value.typeName)' object has no attribute 'items'")
            }
            let pos: Int
            switch q[1].stringPayload {
            case "key": pos = 0
            case "value": pos = 1
            default: throw PyError.runtime("FilterArgumentError: You can only sort by either \"key\" or \"value\"")
            }
            let caseSensitive = q[0].truthy
            let pairs = d.items.map { [$0.0, $0.1] }
            let sorted = try sortValues(pairs, reverse: q[2].truthy) { pair in
                caseSensitive ? pair[pos] : ignoreCase(pair[pos])
            }
            return .list(sorted.map { .tuple($0) })
        case "sort":
            let q = try p([("reverse", .bool(false)), ("case_sensitive", .bool(false)), ("attribute", Value.none)])
            let items = try Ops.iterate(value)
            let getter = try multiAttributeGetter(q[2], interp, caseSensitive: q[1].truthy)
            return .list(try sortValues(items, reverse: q[0].truthy, key: getter))
        case "unique":
            let q = try p([("case_sensitive", .bool(false)), ("attribute", Value.none)])
            let getter = try attributeGetter(q[1], interp)
            var seen = Set<PyKey>()
            var out: [Value] = []
            for item in try Ops.iterate(value) {
                var k = try getter(item)
                if !q[0].truthy { k = ignoreCase(k) }
                if seen.insert(try Ops.hashKey(k)).inserted { out.append(item) }
            }
            return .iterator(PyIterator(typeName: "generator", items: out))
        case "min", "max":
            let q = try p([("case_sensitive", .bool(false)), ("attribute", Value.none)])
            let items = try Ops.iterate(value)
            guard var best = items.first else {
                return .undefined(Undefined(message: "No aggregated item, sequence was empty."))
            }
            let getter = try attributeGetter(q[1], interp)
            func key(_ v: Value) throws -> Value { q[0].truthy ? try getter(v) : ignoreCase(try getter(v)) }
            var bestKey = try key(best)
            for item in items.dropFirst() {
                let k = try key(item)
                let c = try Ops.compare(k, bestKey, name == "min" ? "<" : ">")
                if (name == "min" && c == -1) || (name == "max" && c == 1) {
                    best = item
                    bestKey = k
                }
            }
            return best
        case "sum":
            let q = try p([("attribute", Value.none), ("start", .int(0))])
            var items = try Ops.iterate(value)
            if case .none = q[0] {} else {
                let getter = try attributeGetter(q[0], interp)
                items = try items.map(getter)
            }
            var total = q[1]
            for item in items { total = try Ops.add(total, item) }
            return total
        case "reverse":
            _ = try p([])
            switch value {
            case .string(let s): return .string(PyString.string(s.unicodeScalars.reversed()))
            case .markup(let s): return .markup(PyString.string(s.unicodeScalars.reversed()))
            case .list(let items), .tuple(let items):
                let typeName = value.typeName == "tuple" ? "reversed" : "list_reverseiterator"
                return .iterator(PyIterator(typeName: typeName, items: items.reversed()))
            case .dict(let d): return .iterator(PyIterator(typeName: "dict_reversekeyiterator", items: d.keys.reversed()))
            case .range: return .iterator(PyIterator(typeName: "range_iterator", items: try Ops.iterate(value).reversed()))
            case .view(let k, let items):
                return .iterator(PyIterator(typeName: "dict_reverse\(k == .items ? "item" : (k == .keys ? "key" : "value"))iterator",
                    items: items.reversed()))
            default:
                // Not reversible: jinja2 falls back to list(value) reversed.
                return .list(try Ops.iterate(value).reversed())
            }
        case "map":
            return try mapFilter(value, args, interp)
        case "select", "reject", "selectattr", "rejectattr":
            return try selectFilter(name, value, args, interp)
        case "attr":
            let q = try p([("name", nil)])
            if case .undefined(let u) = value { throw Ops.undefinedError(u) }
            let attrName = try Methods.stringArg(q[0], "attr")
            switch Methods.attribute(value, attrName, interp) {
            case .value(let v): return v
            case .unsafe:
                return .undefined(Undefined(message: "access to attribute '\(attrName)' of '\(value.typeName)' object is unsafe.", isSecurity: true))
            case .unsupported(let what): throw PyError.unsupported(what)
            case .none: return .undefined(Undefined(message: "'\(value.objectTypeRepr)' has no attribute '\(attrName)'"))
            }
        case "batch":
            let q = try p([("linecount", nil), ("fill_with", Value.none)])
            let n = try Methods.intArg(q[0], name)
            try PyError.checkSize(n)
            guard n > 0 else {
                throw PyError.unsupported("batch() with a non-positive line count")
            }
            var out: [Value] = []
            var tmp: [Value] = []
            for item in try Ops.iterate(value) {
                if tmp.count == n {
                    out.append(.list(tmp))
                    tmp = []
                }
                tmp.append(item)
            }
            if !tmp.isEmpty {
                if case .none = q[1] {} else if tmp.count < n {
                    tmp += Array(repeating: q[1], count: n - tmp.count)
                }
                out.append(.list(tmp))
            }
            return .iterator(PyIterator(typeName: "generator", items: out))
        case "slice":
            let q = try p([("slices", nil), ("fill_with", Value.none)])
            let slices = try Methods.intArg(q[0], name)
            try PyError.checkSize(slices)
            guard slices > 0 else { throw PyError.runtime("ZeroDivisionError: integer division or modulo by zero") }
            let seq = try Ops.iterate(value)
            let perSlice = seq.count / slices
            let withExtra = seq.count % slices
            var offset = 0
            var out: [Value] = []
            for k in 0..<slices {
                let start = offset + k * perSlice
                if k < withExtra { offset += 1 }
                let end = offset + (k + 1) * perSlice
                var tmp = Array(seq[start..<end])
                if case .none = q[1] {} else if k >= withExtra { tmp.append(q[1]) }
                out.append(.list(tmp))
            }
            return .iterator(PyIterator(typeName: "generator", items: out))
        case "int":
            let q = try p([("default", .int(0)), ("base", .int(10))])
            return try toInt(value, default: q[0], base: try Methods.intArg(q[1], name))
        case "float":
            let q = try p([("default", .float(0))])
            return toFloat(value) ?? q[0]
        case "abs":
            _ = try p([])
            try Ops.checkDefined(value)
            switch Ops.number(value) {
            case .int(let i):
                if i == Int.min { throw Ops.overflow("abs") }
                return .int(abs(i))
            case .float(let d): return .float(abs(d))
            case nil: throw PyError.typeError("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            let q = try p([("precision", .int(0)), ("method", .string("common"))])
            return try round(value, precision: try Methods.intArg(q[0], name), method: q[1].stringPayload ?? "")
        case "indent":
            let q = try p([("width", .int(4)), ("first", .bool(false)), ("blank", .bool(false))])
            let indentation: String
            if let s = q[0].stringPayload {
                indentation = s
            } else {
                let width = try Methods.intArg(q[0], name)
                try PyError.checkSize(width)
                indentation = String(repeating: " ", count: max(0, width))
            }
            let r = indent(try PythonText.str(value), indentation, first: q[1].truthy, blank: q[2].truthy)
            if case .markup = value { return .markup(r) }
            return .string(r)
        case "truncate":
            let q = try p([("length", .int(255)), ("killwords", .bool(false)), ("end", .string("...")), ("leeway", Value.none)])
            let s = try PythonText.str(value)
            let length = try Methods.intArg(q[0], name)
            let end = try PythonText.str(q[2])
            var leeway = 5
            if case .none = q[3] {} else { leeway = try Methods.intArg(q[3], name) }
            let sc = Array(s.unicodeScalars)
            let endLen = end.unicodeScalars.count
            guard length >= endLen, leeway >= 0 else {
                throw PyError.runtime("AssertionError: expected length >= \(endLen), got \(length)")
            }
            let (limit, o) = length.addingReportingOverflow(leeway)
            if o || sc.count <= limit { return value.stringPayload != nil ? value : .string(s) }
            let head = PyString.string(sc[0..<(length - endLen)])
            if q[1].truthy { return .string(head + end) }
            let parts = try PyString.rsplit(head, " ", maxsplit: 1)
            return .string(parts[0] + end)
        case "wordcount":
            _ = try p([])
            var count = 0
            var inWord = false
            for c in try PythonText.str(value).unicodeScalars {
                let isWord = c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
                if isWord && !inWord { count += 1 }
                inWord = isWord
            }
            return .int(count)
        case "format":
            if !args.positional.isEmpty && !args.keyword.isEmpty {
                throw PyError.runtime("FilterArgumentError: can't handle positional and keyword arguments at the same time")
            }
            if case .markup = value { throw PyError.unsupported("the format filter on a Markup (|safe) string") }
            let fmtArgs: Value
            if !args.keyword.isEmpty {
                var d = PyDict()
                for (k, v) in args.keyword { d.set(.string(k), hash: .string(Array(k.utf8)), v) }
                fmtArgs = .dict(d)
            } else {
                fmtArgs = .tuple(args.positional)
            }
            return .string(try PyFormat.percent(try PythonText.str(value), fmtArgs))
        case "tojson":
            return try tojson(value, args)
        default:
            throw PyError.unsupported("the '\(name)' filter")
        }
    }

    /// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    static func tojson(_ value: Value, _ args: CallArgs) throws -> Value {
        let q = try args.bind(
            "tojson",
            [("ensure_ascii", .bool(false)), ("indent", Value.none), ("separators", Value.none), ("sort_keys", .bool(false))])
        var options = PythonJSON.Options()
        options.ensureASCII = q[0].truthy
        options.sortKeys = q[3].truthy
        switch q[1] {
        case .none: break
        case .string(let s): options.indent = s
        case .int, .bool:
            let width = Ops.index(q[1]) ?? 0
            try PyError.checkSize(width)
            options.indent = String(repeating: " ", count: max(0, width))
        default: throw PyError.typeError("can't multiply sequence by non-int of type '\(q[1].typeName)'")
        }
        switch q[2] {
        case .none: break
        case .list(let items), .tuple(let items):
            guard items.count == 2, let item = items[0].stringPayload, let key = items[1].stringPayload else {
                throw PyError.unsupported("tojson separators other than a pair of strings")
            }
            options.itemSeparator = item
            options.keySeparator = key
        default:
            throw PyError.unsupported("tojson separators other than a pair of strings")
        }
        if case .undefined = value {
            throw PyError.typeError("Object of type Undefined is not JSON serializable")
        }
        return .string(try PythonJSON.dumps(value, options: options))
    }

    /// jinja2's `title` filter: capitalize each word split at `[-\s({\[<]+`.
    static func jinjaTitle(_ s: String) -> String {
        func isBoundary(_ c: Unicode.Scalar) -> Bool {
            isPythonSpace(c) || c == "-" || c == "(" || c == "{" || c == "[" || c == "<"
        }
        var out = ""
        var atWordStart = true
        var word: [Unicode.Scalar] = []
        func flush() {
            guard let first = word.first else { return }
            out += PyString.upper(String(first)) + PyString.lower(PyString.string(word.dropFirst()))
            word = []
        }
        for c in s.unicodeScalars {
            if isBoundary(c) {
                flush()
                out.unicodeScalars.append(c)
                atWordStart = true
            } else {
                word.append(c)
                atWordStart = false
            }
        }
        _ = atWordStart
        flush()
        return out
    }

    /// jinja2 3.1's `indent`.
    static func indent(_ s: String, _ indentation: String, first: Bool, blank: Bool) -> String {
        let lines = PyString.splitlines(s + "\n")
        var rv: String
        if blank {
            rv = lines.joined(separator: "\n" + indentation)
        } else {
            rv = lines.first ?? ""
            let rest = lines.dropFirst()
            if !rest.isEmpty {
                rv += "\n" + rest.map { $0.isEmpty ? $0 : indentation + $0 }.joined(separator: "\n")
            }
        }
        if first { rv = indentation + rv }
        return rv
    }

    static func ignoreCase(_ v: Value) -> Value {
        if case .string(let s) = v { return .string(PyString.lower(s)) }
        if case .markup(let s) = v { return .markup(PyString.lower(s)) }
        return v
    }

    /// `sorted(items, key=key, reverse=reverse)`: stable, like Python (reverse keeps the
    /// original order of equal keys).
    static func sortValues<T>(_ items: [T], reverse: Bool, key: (T) throws -> Value) throws -> [T] {
        let keyed = try items.map { (try key($0), $0) }
        let sorted = try mergeSorted(keyed) { a, b in
            reverse ? try Ops.compare(b.0, a.0, "<") == -1 : try Ops.compare(a.0, b.0, "<") == -1
        }
        return sorted.map { $0.1 }
    }

    /// jinja2's `make_attrgetter`: `"a.b.0"` walks items with `environment.getitem`.
    static func attributeGetter(_ attribute: Value, _ interp: Interpreter, default dflt: Value? = nil) throws
        -> (Value) throws -> Value
    {
        let parts: [Value]
        switch attribute {
        case .none: return { $0 }
        case .string(let s):
            parts = s.split(separator: ".", omittingEmptySubsequences: false).map { part in
                let p = String(part)
                if !p.isEmpty, p.unicodeScalars.allSatisfy({ $0.properties.numericType == .decimal }), let i = Int(p) {
                    return .int(i)
                }
                return .string(p)
            }
        case .int, .bool: parts = [attribute]
        default: throw PyError.unsupported("a \(attribute.typeName) as an attribute name")
        }
        return { item in
            var v = item
            for part in parts {
                v = try interp.getitem(v, part)
                if let dflt, v.isUndefined { v = dflt }
            }
            return v
        }
    }

    /// jinja2's `make_multi_attrgetter` for `sort`: comma-separated attributes form a list key.
    static func multiAttributeGetter(_ attribute: Value, _ interp: Interpreter, caseSensitive: Bool) throws
        -> (Value) throws -> Value
    {
        let post: (Value) -> Value = { v in caseSensitive ? v : ignoreCase(v) }
        guard case .string(let s) = attribute else {
            let g = try attributeGetter(attribute, interp)
            if case .none = attribute { return { .list([post($0)]) } }
            return { .list([post(try g($0))]) }
        }
        let getters = try s.split(separator: ",", omittingEmptySubsequences: false).map {
            try attributeGetter(.string(String($0)), interp)
        }
        return { item in .list(try getters.map { post(try $0(item)) }) }
    }

    private static func mapFilter(_ value: Value, _ args: CallArgs, _ interp: Interpreter) throws -> Value {
        // jinja2 evaluates `if value:` first: an empty list maps to nothing.
        guard value.truthy else { return .iterator(PyIterator(typeName: "generator", items: [])) }
        let items = try Ops.iterate(value)
        var kwargs = args.keyword
        let transform: (Value) throws -> Value
        if args.positional.isEmpty, let i = kwargs.firstIndex(where: { $0.0 == "attribute" }) {
            let attribute = kwargs.remove(at: i).1
            var dflt: Value? = nil
            if let j = kwargs.firstIndex(where: { $0.0 == "default" }) { dflt = kwargs.remove(at: j).1 }
            if let extra = kwargs.first {
                throw PyError.runtime("FilterArgumentError: Unexpected keyword argument '\(extra.0)'")
            }
            if case .none = dflt ?? .none { dflt = nil }
            transform = try attributeGetter(attribute, interp, default: dflt)
        } else {
            guard let filterName = args.positional.first else {
                throw PyError.runtime("FilterArgumentError: map requires a filter argument")
            }
            guard let n = filterName.stringPayload, known.contains(n) else {
                throw PyError.runtime("TemplateRuntimeError: No filter named '\((try? PythonText.str(filterName)) ?? "?")'.")
            }
            let rest = CallArgs(positional: Array(args.positional.dropFirst()), keyword: kwargs)
            transform = { try apply(n, $0, rest, interp) }
        }
        return .iterator(PyIterator(typeName: "generator", items: try items.map(transform)))
    }

    private static func selectFilter(_ name: String, _ value: Value, _ args: CallArgs, _ interp: Interpreter) throws -> Value {
        guard value.truthy else { return .iterator(PyIterator(typeName: "generator", items: [])) }
        let items = try Ops.iterate(value)
        let lookupAttr = name.hasSuffix("attr")
        let reject = name.hasPrefix("reject")
        var positional = args.positional
        var transform: (Value) throws -> Value = { $0 }
        if lookupAttr {
            guard !positional.isEmpty else {
                throw PyError.runtime("FilterArgumentError: Missing parameter for attribute name")
            }
            transform = try attributeGetter(positional.removeFirst(), interp)
        }
        let test: (Value) throws -> Bool
        if let testName = positional.first {
            guard let n = testName.stringPayload, Tests.known.contains(n) else {
                throw PyError.runtime("TemplateRuntimeError: No test named '\((try? PythonText.str(testName)) ?? "?")'.")
            }
            let rest = CallArgs(positional: Array(positional.dropFirst()), keyword: args.keyword)
            test = { try Tests.apply(n, $0, rest, interp) }
        } else {
            test = { $0.truthy }
        }
        var out: [Value] = []
        for item in items where try test(try transform(item)) != reject { out.append(item) }
        return .iterator(PyIterator(typeName: "generator", items: out))
    }

    /// jinja2's `int` filter: `int(value)` (strings in `base`), else `int(float(value))`,
    /// else the default.
    static func toInt(_ value: Value, default dflt: Value, base: Int) throws -> Value {
        switch value {
        case .int, .bool: return .int(Ops.index(value)!)
        case .float(let d):
            guard d.isFinite else { return dflt }
            guard let i = Int(exactly: d.rounded(.towardZero)) else { throw Ops.overflow("int") }
            return .int(i)
        case .string(let s), .markup(let s):
            if let i = parsePythonInt(s, base: base) { return .int(i) }
            if let d = parsePythonFloat(s), d.isFinite {
                guard let i = Int(exactly: d.rounded(.towardZero)) else { throw Ops.overflow("int") }
                return .int(i)
            }
            return dflt
        default:
            return dflt
        }
    }

    static func toFloat(_ value: Value) -> Value? {
        switch value {
        case .int(let i): return .float(Double(i))
        case .bool(let b): return .float(b ? 1 : 0)
        case .float: return value
        case .string(let s), .markup(let s): return parsePythonFloat(s).map { .float($0) }
        default: return nil
        }
    }

    /// Python `int(s, base)`: surrounding whitespace, a sign, `_` between digits, and for
    /// base 0/16/8/2 the matching prefix.
    static func parsePythonInt(_ s: String, base: Int) -> Int? {
        var t = Substring(PyString.strip(s, nil))
        var negative = false
        if let f = t.first, f == "+" || f == "-" {
            negative = f == "-"
            t = t.dropFirst()
        }
        var radix = base
        let lower = t.lowercased()
        for (prefix, r) in [("0x", 16), ("0o", 8), ("0b", 2)] where lower.hasPrefix(prefix) && (base == r || base == 0) {
            radix = r
            t = t.dropFirst(2)
            if t.first == "_" { t = t.dropFirst() }
            break
        }
        if radix == 0 { radix = 10 }
        guard !t.isEmpty, t.first != "_", t.last != "_", !t.contains("__") else { return nil }
        let digits = t.replacingOccurrences(of: "_", with: "")
        guard digits.unicodeScalars.allSatisfy({ $0.isASCII }), let v = Int(digits, radix: radix) else { return nil }
        return negative ? -v : v
    }

    /// Python `float(s)`.
    static func parsePythonFloat(_ s: String) -> Double? {
        let t = PyString.strip(s, nil)
        let lower = t.lowercased()
        var body = Substring(lower)
        var sign = 1.0
        if let f = body.first, f == "+" || f == "-" {
            sign = f == "-" ? -1 : 1
            body = body.dropFirst()
        }
        if body == "inf" || body == "infinity" { return sign * .infinity }
        if body == "nan" { return .nan }
        // digits with single underscores between digits, optional fraction and exponent.
        var ok = false
        var cleaned = ""
        var prev: Character = " "
        for c in body {
            if c == "_" {
                guard prev.isASCII, prev.isNumber else { return nil }
            } else if c.isASCII, c.isNumber || c == "." || c == "e" || c == "+" || c == "-" {
                if c == "." || c == "e" || c == "+" || c == "-" { if prev == "_" { return nil } }
                if c.isNumber { ok = true }
                cleaned.append(c)
            } else {
                return nil
            }
            prev = c
        }
        guard ok, prev != "_", !cleaned.hasPrefix("e"), !cleaned.contains("x") else { return nil }
        guard let v = Double(cleaned) else { return nil }
        return sign * v
    }

    static func round(_ value: Value, precision: Int, method: String) throws -> Value {
        guard ["common", "ceil", "floor"].contains(method) else {
            throw PyError.runtime("FilterArgumentError: method must be common, ceil or floor")
        }
        try Ops.checkDefined(value)
        guard let n = Ops.number(value) else {
            throw PyError.typeError("type \(value.typeName) doesn't define __round__ method")
        }
        if method == "common" {
            switch n {
            case .int(let i):
                if precision >= 0 { return .int(i) }
                throw PyError.unsupported("round() of an integer to negative digits")
            case .float(let d):
                guard d.isFinite else { return .float(d) }
                if precision < 0 || precision > 300 {
                    throw PyError.unsupported("round() to \(precision) digits")
                }
                // Correctly rounded, half-to-even on the exact binary value: what C's
                // printf does and what Python's round() computes.
                let text = String(format: "%.\(precision)f", d)
                return .float(Double(text) ?? d)
            }
        }
        let scale = Foundation.pow(10.0, Double(precision))
        let scaled: Double
        switch n {
        case .int(let i):
            guard precision >= 0 else { throw PyError.unsupported("round() with negative precision") }
            scaled = Double(i) * scale
        case .float(let d): scaled = d * scale
        }
        let r = method == "ceil" ? Foundation.ceil(scaled) : Foundation.floor(scaled)
        // math.ceil returns an int, divided by 10**precision (an int): a float result.
        return .float(r / scale)
    }
}
