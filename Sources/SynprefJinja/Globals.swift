#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The global functions a chat template sees: jinja2's defaults (`range`, `dict`,
/// `namespace`, ...) with transformers' replacements and additions (`raise_exception`,
/// `strftime_now`, a namespace that rejects `_`-prefixed names).
enum Globals {
    /// The sandbox's `MAX_RANGE`.
    static let maxRange = 100_000

    static func make() -> [String: Value] {
        func fn(_ name: String, _ body: @escaping (CallArgs) throws -> Value) -> Value {
            .callable(Callable(name: name) { pos, kw, _ in try body(CallArgs(positional: pos, keyword: kw)) })
        }
        return [
            "range": fn("range", range),
            "dict": fn("dict") { a in .dict(try makeDict(a)) },
            "namespace": fn("namespace") { a in
                let d = try makeDict(a)
                for k in d.keys {
                    if case .string(let s) = k { try checkNamespaceName(s) }
                }
                return .namespace(Namespace(d))
            },
            "raise_exception": fn("raise_exception") { a in
                let p = try a.bind("raise_exception", [("message", nil)])
                throw PyError(kind: .raised, message: try PythonText.str(p[0]))
            },
            "strftime_now": fn("strftime_now") { a in
                let p = try a.bind("strftime_now", [("format", nil)])
                return .string(try strftimeNow(try Methods.stringArg(p[0], "strftime_now")))
            },
            "lipsum": fn("lipsum") { _ in throw PyError.unsupported("the lipsum() global") },
            "cycler": fn("cycler") { _ in throw PyError.unsupported("the cycler() global") },
            "joiner": fn("joiner") { _ in throw PyError.unsupported("the joiner() global") },
        ]
    }

    /// transformers' `TemplateNamespace._check_name`.
    static func checkNamespaceName(_ name: String) throws {
        if name.hasPrefix("_") {
            throw PyError.runtime(
                "SecurityError: Chat templates cannot store underscore-prefixed attributes on a namespace, but got '\(name)'. Please rename the attribute."
            )
        }
    }

    private static func range(_ a: CallArgs) throws -> Value {
        guard a.keyword.isEmpty else { throw PyError.typeError("range() takes no keyword arguments") }
        let ints = try a.positional.map { v -> Int in
            guard let i = Ops.index(v) else {
                if case .undefined(let u) = v { throw Ops.undefinedError(u) }
                throw PyError.typeError("'\(v.typeName)' object cannot be interpreted as an integer")
            }
            return i
        }
        let (start, stop, step): (Int, Int, Int)
        switch ints.count {
        case 1: (start, stop, step) = (0, ints[0], 1)
        case 2: (start, stop, step) = (ints[0], ints[1], 1)
        case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
        default: throw PyError.typeError("range expected at most 3 arguments, got \(ints.count)")
        }
        if step == 0 { throw PyError.valueError("range() arg 3 must not be zero") }
        if rangeCount(start, stop, step) > maxRange {
            throw PyError.runtime(
                "OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(maxRange)).")
        }
        return .range(start: start, stop: stop, step: step)
    }

    /// `dict(*args, **kwargs)`: a mapping or iterable of pairs, then keywords.
    static func makeDict(_ a: CallArgs) throws -> PyDict {
        guard a.positional.count <= 1 else {
            throw PyError.typeError("dict expected at most 1 argument, got \(a.positional.count)")
        }
        var d = PyDict()
        if let src = a.positional.first {
            if case .dict(let other) = src {
                d = other
            } else if case .namespace = src {
                throw PyError.typeError("'Namespace' object is not iterable")
            } else {
                for (i, pair) in try Ops.iterate(src).enumerated() {
                    let kv = try Ops.iterate(pair)
                    guard kv.count == 2 else {
                        throw PyError.valueError(
                            "dictionary update sequence element #\(i) has length \(kv.count); 2 is required")
                    }
                    d.set(kv[0], hash: try Ops.hashKey(kv[0]), kv[1])
                }
            }
        }
        for (k, v) in a.keyword { d.set(.string(k), hash: .string(Array(k.utf8)), v) }
        return d
    }

    /// `datetime.now().strftime(format)`: local time; `%f` is microseconds and `%z`/`%Z`
    /// are empty (a naive datetime), as in Python; the rest goes to C `strftime`.
    static func strftimeNow(_ format: String) throws -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var fmt = ""
        var it = format.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "%" else {
                fmt.unicodeScalars.append(c)
                continue
            }
            guard let d = it.next() else {
                fmt += "%"
                break
            }
            switch d {
            case "f":
                let us = Int(ts.tv_nsec) / 1000
                let s = String(us)
                fmt += String(repeating: "0", count: 6 - s.count) + s
            case "z", "Z": break
            default:
                fmt.unicodeScalars.append("%")
                fmt.unicodeScalars.append(d)
            }
        }
        if fmt.isEmpty { return "" }
        var size = 256
        while size <= 1 << 20 {
            var buf = [CChar](repeating: 0, count: size)
            let n = strftime(&buf, size, fmt, &tmv)
            if n > 0 { return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            size *= 4
        }
        return ""
    }
}
