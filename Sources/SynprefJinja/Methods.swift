/// The result of looking up a Python attribute on a template value.
enum AttributeLookup {
    case value(Value)
    /// The attribute exists but the immutable sandbox refuses it (`list.append`,
    /// `dict.update`, dunder attributes): jinja2 returns an Undefined that raises
    /// SecurityError when used.
    case unsafe
    /// A real Python attribute that Synpref does not implement.
    case unsupported(String)
    /// Not a Python attribute of this type.
    case none
}

/// Python attributes and methods of template values (`s.split(...)`, `d.items()`,
/// `loop.index`, `ns.attr`, ...). The lists of attribute names are Python 3.11's, so a
/// method that exists in Python but is not implemented here is an error, never a silent
/// fall-through to item lookup.
enum Methods {
    static let strAttributes: Set<String> = [
        "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format",
        "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
        "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans",
        "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit",
        "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill",
    ]
    static let markupAttributes: Set<String> = strAttributes.union(["escape", "striptags", "unescape"])
    static let dictAttributes: Set<String> = [
        "clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values",
    ]
    static let dictUnsafe: Set<String> = ["clear", "pop", "popitem", "setdefault", "update"]
    static let listAttributes: Set<String> = [
        "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove", "reverse", "sort",
    ]
    static let listUnsafe: Set<String> = ["append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"]
    static let intAttributes: Set<String> = [
        "as_integer_ratio", "bit_count", "bit_length", "conjugate", "denominator", "from_bytes", "imag",
        "numerator", "real", "to_bytes",
    ]
    static let floatAttributes: Set<String> = ["as_integer_ratio", "conjugate", "fromhex", "hex", "imag", "is_integer", "real"]
    static let macroAttributes: Set<String> = ["name", "arguments", "defaults", "catch_kwargs", "catch_varargs", "caller"]

    static func attribute(_ obj: Value, _ name: String, _ interp: Interpreter) -> AttributeLookup {
        if name.hasPrefix("__") && name.hasSuffix("__") && name.count > 4 {
            if case .namespace = obj { return .none }
            return .unsafe
        }
        switch obj {
        case .string(let s):
            guard strAttributes.contains(name) else { return .none }
            return stringMethod(s, name, interp)
        case .markup:
            guard markupAttributes.contains(name) else { return .none }
            return .unsupported("the method '\(name)' of a Markup (|safe) string (Markup escapes its arguments)")
        case .dict(let d):
            guard dictAttributes.contains(name) else { return .none }
            if dictUnsafe.contains(name) { return .unsafe }
            return dictMethod(d, name)
        case .list(let items), .tuple(let items):
            let isTuple: Bool
            if case .tuple = obj { isTuple = true } else { isTuple = false }
            if isTuple {
                guard name == "count" || name == "index" else { return .none }
            } else {
                guard listAttributes.contains(name) else { return .none }
                if listUnsafe.contains(name) { return .unsafe }
            }
            return sequenceMethod(items, name, isTuple: isTuple)
        case .namespace(let ns):
            return ns.attrs.get(string: name).map { .value($0) } ?? .none
        case .loop(let l):
            return loopAttribute(l, name)
        case .int, .bool:
            return intAttributes.contains(name) ? .unsupported("the int attribute '\(name)'") : .none
        case .float:
            return floatAttributes.contains(name) ? .unsupported("the float attribute '\(name)'") : .none
        case .range(let a, let b, let s):
            switch name {
            case "start": return .value(.int(a))
            case "stop": return .value(.int(b))
            case "step": return .value(.int(s))
            case "count", "index": return sequenceMethod((try? Ops.iterate(obj)) ?? [], name, isTuple: true)
            default: return .none
            }
        case .view:
            return ["mapping", "isdisjoint"].contains(name) ? .unsupported("the dict view attribute '\(name)'") : .none
        case .iterator:
            return ["send", "throw", "close", "gi_code", "gi_frame", "gi_running", "gi_yieldfrom"].contains(name)
                ? .unsupported("the generator attribute '\(name)'") : .none
        case .callable(let c):
            return macroAttributes.contains(name) ? .unsupported("the attribute '\(name)' of '\(c.name)'") : .none
        case .none, .undefined:
            return .none
        }
    }

    private static func method(_ name: String, _ body: @escaping (CallArgs) throws -> Value) -> AttributeLookup {
        .value(.callable(Callable(name: name) { pos, kw, _ in try body(CallArgs(positional: pos, keyword: kw)) }))
    }

    /// A required string argument.
    static func stringArg(_ v: Value, _ fn: String) throws -> String {
        if let s = v.stringPayload { return s }
        if case .undefined(let u) = v { throw Ops.undefinedError(u) }
        throw PyError.typeError("\(fn)() argument must be str, not \(v.typeName)")
    }

    /// An optional `chars`/`sep` argument (None means default).
    static func optionalString(_ v: Value, _ fn: String) throws -> String? {
        if case .none = v { return nil }
        return try stringArg(v, fn)
    }

    static func intArg(_ v: Value, _ fn: String) throws -> Int {
        if let i = Ops.index(v) { return i }
        if case .undefined(let u) = v { throw Ops.undefinedError(u) }
        throw PyError.typeError("'\(v.typeName)' object cannot be interpreted as an integer")
    }

    /// Python's `ADJUST_INDICES` for `find`/`count`/`startswith` ranges: the scalar slice
    /// `[start:end]`, or nil when `start` is past the end.
    private static func scalarRange(_ n: Int, _ start: Value, _ end: Value) throws -> (Int, Int)? {
        func adj(_ v: Value, _ dflt: Int) throws -> Int {
            if case .none = v { return dflt }
            var i = try intArg(v, "slice")
            if i > n { i = n } else if i < 0 {
                i += n
                if i < 0 { i = 0 }
            }
            return i
        }
        let a = try adj(start, 0)
        let b = try adj(end, n)
        if a > n { return nil }
        return (a, max(a, b))
    }

    private static func stringMethod(_ s: String, _ name: String, _ interp: Interpreter) -> AttributeLookup {
        switch name {
        case "upper": return method(name) { a in _ = try a.bind(name, []); return .string(PyString.upper(s)) }
        case "lower": return method(name) { a in _ = try a.bind(name, []); return .string(PyString.lower(s)) }
        case "title": return method(name) { a in _ = try a.bind(name, []); return .string(PyString.title(s)) }
        case "capitalize":
            return method(name) { a in _ = try a.bind(name, []); return .string(PyString.capitalize(s)) }
        case "swapcase":
            return method(name) { a in _ = try a.bind(name, []); return .string(PyString.swapcase(s)) }
        case "strip", "lstrip", "rstrip":
            return method(name) { a in
                let p = try a.bind(name, [("chars", Value.none)])
                let chars = try optionalString(p[0], name)
                return .string(PyString.strip(s, chars, left: name != "rstrip", right: name != "lstrip"))
            }
        case "split", "rsplit":
            return method(name) { a in
                let p = try a.bind(name, [("sep", Value.none), ("maxsplit", .int(-1))])
                let sep = try optionalString(p[0], name)
                let maxsplit = try intArg(p[1], name)
                let parts =
                    name == "split" ? try PyString.split(s, sep, maxsplit: maxsplit)
                    : try PyString.rsplit(s, sep, maxsplit: maxsplit)
                return .list(parts.map { .string($0) })
            }
        case "splitlines":
            return method(name) { a in
                let p = try a.bind(name, [("keepends", .bool(false))])
                return .list(PyString.splitlines(s, keepends: p[0].truthy).map { .string($0) })
            }
        case "startswith", "endswith":
            return method(name) { a in
                let p = try a.bind(name, [("prefix", nil), ("start", Value.none), ("end", Value.none)])
                let sc = Array(s.unicodeScalars)
                guard let (lo, hi) = try scalarRange(sc.count, p[1], p[2]) else { return .bool(false) }
                let sub = (lo == 0 && hi == sc.count) ? s : PyString.string(sc[lo..<hi])
                let candidates: [Value]
                switch p[0] {
                case .tuple(let items): candidates = items
                case .string, .markup: candidates = [p[0]]
                default:
                    throw PyError.typeError(
                        "\(name) first arg must be str or a tuple of str, not \(p[0].typeName)")
                }
                for c in candidates {
                    let t = try stringArg(c, name)
                    if name == "startswith" ? PyString.startsWith(sub, t) : PyString.endsWith(sub, t) {
                        return .bool(true)
                    }
                }
                return .bool(false)
            }
        case "find", "rfind", "index", "rindex", "count":
            return method(name) { a in
                let p = try a.bind(name, [("sub", nil), ("start", Value.none), ("end", Value.none)])
                let needle = try stringArg(p[0], name)
                let sc = Array(s.unicodeScalars)
                guard let (lo, hi) = try scalarRange(sc.count, p[1], p[2]) else {
                    if name == "count" { return .int(0) }
                    if name == "index" || name == "rindex" { throw PyError.valueError("substring not found") }
                    return .int(-1)
                }
                let sub = PyString.string(sc[lo..<hi])
                if name == "count" { return .int(PyString.count(sub, needle)) }
                let hay = Array(sub.utf8)
                let n = Array(needle.utf8)
                let found = (name == "find" || name == "index") ? PyString.find(hay, n) : PyString.rfind(hay, n)
                guard let byte = found else {
                    if name == "index" || name == "rindex" { throw PyError.valueError("substring not found") }
                    return .int(-1)
                }
                return .int(lo + PyString.codePointCount(hay[0..<byte]))
            }
        case "replace":
            return method(name) { a in
                let p = try a.bind(name, [("old", nil), ("new", nil), ("count", .int(-1))])
                return .string(
                    PyString.replace(
                        s, try stringArg(p[0], name), try stringArg(p[1], name), count: try intArg(p[2], name)))
            }
        case "join":
            return method(name) { a in
                let p = try a.bind(name, [("iterable", nil)])
                let items = try Ops.iterate(p[0])
                var parts: [String] = []
                for (i, item) in items.enumerated() {
                    guard let t = item.stringPayload else {
                        throw PyError.typeError("sequence item \(i): expected str instance, \(item.typeName) found")
                    }
                    parts.append(t)
                }
                return .string(parts.joined(separator: s))
            }
        case "format":
            return method(name) { a in .string(try PyFormat.format(s, args: a.positional, kwargs: a.keyword)) }
        case "center", "ljust", "rjust":
            return method(name) { a in
                let p = try a.bind(name, [("width", nil), ("fillchar", .string(" "))])
                let w = try intArg(p[0], name)
                try PyError.checkSize(w)
                let fill = try stringArg(p[1], name)
                guard fill.unicodeScalars.count == 1, let f = fill.unicodeScalars.first else {
                    throw PyError.typeError("The fill character must be exactly one character long")
                }
                switch name {
                case "center": return .string(PyString.center(s, w, fill: f))
                case "ljust": return .string(PyString.ljust(s, w, fill: f))
                default: return .string(PyString.rjust(s, w, fill: f))
                }
            }
        case "zfill":
            return method(name) { a in
                let p = try a.bind(name, [("width", nil)])
                let w = try intArg(p[0], name)
                try PyError.checkSize(w)
                return .string(PyString.zfill(s, w))
            }
        case "removeprefix", "removesuffix":
            return method(name) { a in
                let p = try a.bind(name, [("affix", nil)])
                let t = try stringArg(p[0], name)
                let bytes = Array(s.utf8)
                let n = t.utf8.count
                if name == "removeprefix", PyString.startsWith(s, t) {
                    return .string(PyString.string(bytes[n...]))
                }
                if name == "removesuffix", n > 0, PyString.endsWith(s, t) {
                    return .string(PyString.string(bytes[..<(bytes.count - n)]))
                }
                return .string(s)
            }
        case "partition", "rpartition":
            return method(name) { a in
                let p = try a.bind(name, [("sep", nil)])
                let sep = try stringArg(p[0], name)
                if sep.isEmpty { throw PyError.valueError("empty separator") }
                let hay = Array(s.utf8)
                let n = Array(sep.utf8)
                let found = name == "partition" ? PyString.find(hay, n) : PyString.rfind(hay, n)
                guard let j = found else {
                    return name == "partition"
                        ? .tuple([.string(s), .string(""), .string("")])
                        : .tuple([.string(""), .string(""), .string(s)])
                }
                return .tuple([
                    .string(PyString.string(hay[..<j])), .string(sep), .string(PyString.string(hay[(j + n.count)...])),
                ])
            }
        case "isalpha", "isdigit", "isdecimal", "isnumeric", "isalnum", "isspace", "islower", "isupper":
            return method(name) { a in
                _ = try a.bind(name, [])
                let sc = s.unicodeScalars
                func isAlpha(_ c: Unicode.Scalar) -> Bool {
                    switch c.properties.generalCategory {
                    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
                    default: return false
                    }
                }
                func isDecimal(_ c: Unicode.Scalar) -> Bool { c.properties.numericType == .decimal }
                func isDigit(_ c: Unicode.Scalar) -> Bool {
                    c.properties.numericType == .decimal || c.properties.numericType == .digit
                }
                func isNumeric(_ c: Unicode.Scalar) -> Bool { c.properties.numericType != nil }
                switch name {
                case "islower": return .bool(PyString.isLower(s))
                case "isupper": return .bool(PyString.isUpper(s))
                default: break
                }
                guard !sc.isEmpty else { return .bool(false) }
                let test: (Unicode.Scalar) -> Bool
                switch name {
                case "isalpha": test = isAlpha
                case "isdigit": test = isDigit
                case "isdecimal": test = isDecimal
                case "isnumeric": test = isNumeric
                case "isspace": test = isPythonSpace
                default: test = { isAlpha($0) || isNumeric($0) }
                }
                return .bool(sc.allSatisfy(test))
            }
        default:
            return .unsupported("the str method '\(name)'")
        }
    }

    private static func dictMethod(_ d: PyDict, _ name: String) -> AttributeLookup {
        switch name {
        case "get":
            return method(name) { a in
                let p = try a.bind(name, [("key", nil), ("default", Value.none)])
                return d.get(try Ops.hashKey(p[0])) ?? p[1]
            }
        case "items":
            return method(name) { a in
                _ = try a.bind(name, [])
                return .view(.items, d.items.map { .tuple([$0.0, $0.1]) })
            }
        case "keys":
            return method(name) { a in _ = try a.bind(name, []); return .view(.keys, d.keys) }
        case "values":
            return method(name) { a in _ = try a.bind(name, []); return .view(.values, d.values) }
        case "copy":
            return method(name) { a in _ = try a.bind(name, []); return .dict(d) }
        default:
            return .unsupported("the dict method '\(name)'")
        }
    }

    private static func sequenceMethod(_ items: [Value], _ name: String, isTuple: Bool) -> AttributeLookup {
        switch name {
        case "count":
            return method(name) { a in
                let p = try a.bind(name, [("value", nil)])
                return .int(try items.filter { try Ops.equals($0, p[0]) }.count)
            }
        case "index":
            return method(name) { a in
                let p = try a.bind(name, [("value", nil), ("start", .int(0)), ("stop", .int(Int.max))])
                var lo = try intArg(p[1], name)
                var hi = try intArg(p[2], name)
                if lo < 0 { lo = max(0, lo + items.count) }
                if hi < 0 { hi = max(0, hi + items.count) }
                hi = min(hi, items.count)
                if lo < hi {
                    for i in lo..<hi where try Ops.equals(items[i], p[0]) { return .int(i) }
                }
                throw PyError.valueError(isTuple ? "tuple.index(x): x not in tuple" : "list.index(x): x not in list")
            }
        case "copy":
            return method(name) { a in _ = try a.bind(name, []); return .list(items) }
        default:
            return .unsupported("the list method '\(name)'")
        }
    }

    private static func loopAttribute(_ l: LoopState, _ name: String) -> AttributeLookup {
        let i = l.index0
        let n = l.length
        switch name {
        case "index": return .value(.int(i + 1))
        case "index0": return .value(.int(i))
        case "revindex": return .value(.int(n - i))
        case "revindex0": return .value(.int(n - i - 1))
        case "first": return .value(.bool(i == 0))
        case "last": return .value(.bool(i == n - 1))
        case "length": return .value(.int(n))
        case "depth": return .value(.int(1))
        case "depth0": return .value(.int(0))
        case "previtem":
            return .value(i > 0 ? l.items[i - 1] : .undefined(Undefined(message: "there is no previous item")))
        case "nextitem":
            return .value(i + 1 < n ? l.items[i + 1] : .undefined(Undefined(message: "there is no next item")))
        case "cycle":
            return method(name) { a in
                guard a.keyword.isEmpty else { throw PyError.typeError("cycle() takes no keyword arguments") }
                guard !a.positional.isEmpty else { throw PyError.typeError("no items for cycling given") }
                return a.positional[i % a.positional.count]
            }
        case "changed":
            return method(name) { a in
                guard a.keyword.isEmpty else { throw PyError.typeError("changed() takes no keyword arguments") }
                let now = a.positional
                if let last = l.lastChanged, try Ops.equals(.tuple(last), .tuple(now)) { return .bool(false) }
                l.lastChanged = now
                return .bool(true)
            }
        default:
            return .none
        }
    }
}
