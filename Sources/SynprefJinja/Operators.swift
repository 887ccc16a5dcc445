import Foundation

/// Python's operators on template values: `+ - * / // % **`, comparisons, `in`,
/// equality, hashing, iteration and `len`, with Python's types and error cases
/// (int stays int, `/` gives a float, floor division rounds down, `%` takes the
/// divisor's sign, `str + int` is a TypeError, Undefined fails when used).
enum Ops {
    static func undefinedError(_ u: Undefined) -> PyError {
        .runtime((u.isSecurity ? "SecurityError: " : "UndefinedError: ") + u.message)
    }

    /// Throws if `v` is Undefined (any arithmetic on it fails in jinja2).
    @inline(__always)
    static func checkDefined(_ v: Value) throws {
        if case .undefined(let u) = v { throw undefinedError(u) }
    }

    enum Number {
        case int(Int)
        case float(Double)

        var double: Double {
            switch self {
            case .int(let i): return Double(i)
            case .float(let d): return d
            }
        }
    }

    static func number(_ v: Value) -> Number? {
        switch v {
        case .int(let i): return .int(i)
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d): return .float(d)
        default: return nil
        }
    }

    static func overflow(_ op: String) -> PyError {
        .unsupported("integer overflow in '\(op)' (Python would switch to a big integer)")
    }

    private static func unsupportedOperands(_ op: String, _ a: Value, _ b: Value) -> PyError {
        .typeError("unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    // MARK: Arithmetic

    static func add(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        if let x = number(a), let y = number(b) {
            switch (x, y) {
            case (.int(let i), .int(let j)):
                let (r, o) = i.addingReportingOverflow(j)
                if o { throw overflow("+") }
                return .int(r)
            default: return .float(x.double + y.double)
            }
        }
        switch (a, b) {
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.markup(let x), .string(let y)): return .markup(x + Escape.html(y))
        case (.string(let x), .markup(let y)): return .markup(Escape.html(x) + y)
        case (.markup(let x), .markup(let y)): return .markup(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
        case (.string, _), (.markup, _):
            throw PyError.typeError("can only concatenate str (not \"\(b.typeName)\") to str")
        case (.list, _):
            throw PyError.typeError("can only concatenate list (not \"\(b.typeName)\") to list")
        case (.tuple, _):
            throw PyError.typeError("can only concatenate tuple (not \"\(b.typeName)\") to tuple")
        default: throw unsupportedOperands("+", a, b)
        }
    }

    static func sub(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        guard let x = number(a), let y = number(b) else { throw unsupportedOperands("-", a, b) }
        switch (x, y) {
        case (.int(let i), .int(let j)):
            let (r, o) = i.subtractingReportingOverflow(j)
            if o { throw overflow("-") }
            return .int(r)
        default: return .float(x.double - y.double)
        }
    }

    static func mul(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        if let x = number(a), let y = number(b) {
            switch (x, y) {
            case (.int(let i), .int(let j)):
                let (r, o) = i.multipliedReportingOverflow(by: j)
                if o { throw overflow("*") }
                return .int(r)
            default: return .float(x.double * y.double)
            }
        }
        func times(_ n: Value) -> Int? {
            switch n {
            case .int(let i): return max(0, i)
            case .bool(let b): return b ? 1 : 0
            default: return nil
            }
        }
        // Refuse absurd repetitions before building them.
        let sequenceLength: Int
        switch (a, b) {
        case (.string(let s), _), (_, .string(let s)), (.markup(let s), _), (_, .markup(let s)): sequenceLength = s.utf8.count
        case (.list(let l), _), (_, .list(let l)), (.tuple(let l), _), (_, .tuple(let l)): sequenceLength = l.count
        default: sequenceLength = 0
        }
        if let n = times(b) ?? times(a) {
            let (total, o) = sequenceLength.multipliedReportingOverflow(by: n)
            if o { throw PyError.runtime("MemoryError: repetition too large") }
            try PyError.checkSize(total)
        }
        switch (a, b) {
        case (.string(let s), _): if let n = times(b) { return .string(String(repeating: s, count: n)) }
        case (_, .string(let s)): if let n = times(a) { return .string(String(repeating: s, count: n)) }
        case (.markup(let s), _): if let n = times(b) { return .markup(String(repeating: s, count: n)) }
        case (_, .markup(let s)): if let n = times(a) { return .markup(String(repeating: s, count: n)) }
        case (.list(let l), _): if let n = times(b) { return .list(Array(repeatElement(l, count: n).joined())) }
        case (_, .list(let l)): if let n = times(a) { return .list(Array(repeatElement(l, count: n).joined())) }
        case (.tuple(let l), _): if let n = times(b) { return .tuple(Array(repeatElement(l, count: n).joined())) }
        case (_, .tuple(let l)): if let n = times(a) { return .tuple(Array(repeatElement(l, count: n).joined())) }
        default: break
        }
        if a.stringPayload != nil || b.stringPayload != nil {
            throw PyError.typeError("can't multiply sequence by non-int of type '\((a.stringPayload != nil ? b : a).typeName)'")
        }
        throw unsupportedOperands("*", a, b)
    }

    static func div(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        guard let x = number(a), let y = number(b) else { throw unsupportedOperands("/", a, b) }
        if y.double == 0 { throw PyError.runtime("ZeroDivisionError: division by zero") }
        if case .int(let i) = x, case .int(let j) = y, i.magnitude > (1 << 53) || j.magnitude > (1 << 53) {
            throw PyError.unsupported("true division of integers beyond 2**53 (Python rounds those exactly)")
        }
        return .float(x.double / y.double)
    }

    static func floorDiv(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        guard let x = number(a), let y = number(b) else { throw unsupportedOperands("//", a, b) }
        switch (x, y) {
        case (.int(let i), .int(let j)):
            if j == 0 { throw PyError.runtime("ZeroDivisionError: integer division or modulo by zero") }
            if i == Int.min && j == -1 { throw overflow("//") }
            var q = i / j
            if (i % j != 0) && ((i < 0) != (j < 0)) { q -= 1 }
            return .int(q)
        default:
            if y.double == 0 { throw PyError.runtime("ZeroDivisionError: float floor division by zero") }
            return .float(floatDivmod(x.double, y.double).0)
        }
    }

    static func mod(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        if case .string(let s) = a { return .string(try PyFormat.percent(s, b)) }
        if case .markup = a { throw PyError.unsupported("'%' formatting of a Markup (|safe) string") }
        guard let x = number(a), let y = number(b) else { throw unsupportedOperands("%", a, b) }
        switch (x, y) {
        case (.int(let i), .int(let j)):
            if j == 0 { throw PyError.runtime("ZeroDivisionError: integer division or modulo by zero") }
            if j == -1 { return .int(0) }
            var r = i % j
            if r != 0 && ((r < 0) != (j < 0)) { r += j }
            return .int(r)
        default:
            if y.double == 0 { throw PyError.runtime("ZeroDivisionError: float modulo") }
            return .float(floatDivmod(x.double, y.double).1)
        }
    }

    /// CPython's `float_divmod`.
    static func floatDivmod(_ vx: Double, _ wx: Double) -> (Double, Double) {
        var mod = fmod(vx, wx)
        var div = (vx - mod) / wx
        if mod != 0 {
            if (wx < 0) != (mod < 0) {
                mod += wx
                div -= 1.0
            }
        } else {
            mod = copysign(0.0, wx)
        }
        var floordiv: Double
        if div != 0 {
            floordiv = floor(div)
            if div - floordiv > 0.5 { floordiv += 1.0 }
        } else {
            floordiv = copysign(0.0, vx / wx)
        }
        return (floordiv, mod)
    }

    static func pow(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a)
        try checkDefined(b)
        guard let x = number(a), let y = number(b) else { throw unsupportedOperands("** or pow()", a, b) }
        switch (x, y) {
        case (.int(let base), .int(let e)) where e >= 0:
            var result = 1
            var bb = base
            var ee = e
            while ee > 0 {
                if ee & 1 == 1 {
                    let (r, o) = result.multipliedReportingOverflow(by: bb)
                    if o { throw overflow("**") }
                    result = r
                }
                ee >>= 1
                if ee > 0 {
                    let (r, o) = bb.multipliedReportingOverflow(by: bb)
                    if o { throw overflow("**") }
                    bb = r
                }
            }
            return .int(result)
        default:
            let bx = x.double
            let ey = y.double
            if bx == 0 && ey < 0 {
                throw PyError.runtime("ZeroDivisionError: 0.0 cannot be raised to a negative power")
            }
            if bx < 0 && ey != ey.rounded() && ey.isFinite {
                throw PyError.unsupported("a negative number raised to a fractional power (Python gives a complex number)")
            }
            return .float(Foundation.pow(bx, ey))
        }
    }

    static func neg(_ a: Value) throws -> Value {
        try checkDefined(a)
        switch number(a) {
        case .int(let i):
            if i == Int.min { throw overflow("-") }
            return .int(-i)
        case .float(let d): return .float(-d)
        case nil: throw PyError.typeError("bad operand type for unary -: '\(a.typeName)'")
        }
    }

    static func pos(_ a: Value) throws -> Value {
        try checkDefined(a)
        switch number(a) {
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case nil: throw PyError.typeError("bad operand type for unary +: '\(a.typeName)'")
        }
    }

    // MARK: Equality, ordering, hashing

    /// Python `==`.
    static func equals(_ a: Value, _ b: Value, depth: Int = 0) throws -> Bool {
        try PyError.checkDepth(depth)
        let equals = { (x: Value, y: Value) throws -> Bool in try Ops.equals(x, y, depth: depth + 1) }
        let hashKey = { (x: Value) throws -> PyKey in try Ops.hashKey(x, depth: depth + 1) }
        switch (a, b) {
        case (.undefined, .undefined): return true
        case (.undefined, _), (_, .undefined): return false
        case (.none, .none): return true
        case (.string(let x), .string(let y)), (.string(let x), .markup(let y)),
            (.markup(let x), .string(let y)), (.markup(let x), .markup(let y)):
            return scalarsEqual(x, y)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            guard x.count == y.count else { return false }
            for (p, q) in zip(x, y) where !(try equals(p, q)) { return false }
            return true
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.items {
                guard let w = y.get(try hashKey(k)), try equals(v, w) else { return false }
            }
            return true
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.range, .range):
            return try equals(.list(iterate(a)), .list(iterate(b)))
        case (.iterator(let x), .iterator(let y)): return x === y
        case (.loop(let x), .loop(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        case (.view, .view):
            throw PyError.unsupported("comparing dict views with ==")
        default:
            if let x = number(a), let y = number(b) { return numbersEqual(x, y) }
            return false
        }
    }

    static func numbersEqual(_ x: Number, _ y: Number) -> Bool {
        switch (x, y) {
        case (.int(let i), .int(let j)): return i == j
        case (.float(let d), .float(let e)): return d == e
        case (.int(let i), .float(let d)), (.float(let d), .int(let i)):
            // Exact comparison, as Python does.
            guard d.isFinite, d == d.rounded(.towardZero), abs(d) < 9.2e18 else { return false }
            return Int(d) == i
        }
    }

    /// Python's three-way comparison for `<`, `<=`, `>`, `>=`; nil when unordered (NaN).
    static func compare(_ a: Value, _ b: Value, _ op: String, depth: Int = 0) throws -> Int? {
        try PyError.checkDepth(depth)
        try checkDefined(a)
        try checkDefined(b)
        if let x = number(a), let y = number(b) { return compareNumbers(x, y) }
        switch (a, b) {
        case (.string(let x), .string(let y)), (.string(let x), .markup(let y)),
            (.markup(let x), .string(let y)), (.markup(let x), .markup(let y)):
            if scalarsEqual(x, y) { return 0 }
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars, by: { $0.value < $1.value }) ? -1 : 1
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !(try equals(p, q, depth: depth + 1)) {
                return try compare(p, q, op, depth: depth + 1)
            }
            return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
        default:
            throw PyError.typeError("'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// Exact numeric comparison (an int against a float compares their exact values).
    static func compareNumbers(_ x: Number, _ y: Number) -> Int? {
        func intFloat(_ i: Int, _ d: Double) -> Int? {
            if d.isNaN { return nil }
            let di = Double(i)
            if di < d { return -1 }
            if di > d { return 1 }
            guard let e = Int(exactly: d) else { return -1 }  // d == 2**63 > every Int
            return i < e ? -1 : (i == e ? 0 : 1)
        }
        switch (x, y) {
        case (.int(let i), .int(let j)): return i < j ? -1 : (i == j ? 0 : 1)
        case (.float(let d), .float(let e)):
            if d.isNaN || e.isNaN { return nil }
            return d < e ? -1 : (d == e ? 0 : 1)
        case (.int(let i), .float(let d)): return intFloat(i, d)
        case (.float(let d), .int(let i)): return intFloat(i, d).map { -$0 }
        }
    }

    /// Refuses a value nested deeper than `PyError.maxDepth` before it is stored: deeply
    /// nested Swift values would overflow the stack when printed or freed. Only values
    /// that can be carried into further nesting (assignments, macro arguments) are
    /// checked; the walk stops at the limit.
    static func checkNesting(_ v: Value) throws {
        func exceeds(_ v: Value, _ budget: Int) -> Bool {
            switch v {
            case .list(let items), .tuple(let items), .view(_, let items):
                if items.isEmpty { return false }
                if budget == 0 { return true }
                return items.contains { exceeds($0, budget - 1) }
            case .dict(let d):
                if d.count == 0 { return false }
                if budget == 0 { return true }
                return d.values.contains { exceeds($0, budget - 1) } || d.keys.contains { exceeds($0, budget - 1) }
            case .namespace(let ns):
                if budget == 0 { return true }
                return ns.attrs.values.contains { exceeds($0, budget - 1) }
            default:
                return false
            }
        }
        if exceeds(v, PyError.maxDepth) {
            throw PyError.runtime("RecursionError: value nested more than \(PyError.maxDepth) levels deep")
        }
    }

    static func hashKey(_ v: Value, depth: Int = 0) throws -> PyKey {
        try PyError.checkDepth(depth)
        switch v {
        case .none: return .none
        case .bool(let b): return .int(b ? 1 : 0)
        case .int(let i): return .int(i)
        case .float(let d):
            if d.isFinite, d == d.rounded(.towardZero), abs(d) < 9.2e18 { return .int(Int(d)) }
            return .float(d)
        case .string(let s), .markup(let s): return .string(Array(s.utf8))
        case .tuple(let items): return .tuple(try items.map { try hashKey($0, depth: depth + 1) })
        case .undefined: throw PyError.unsupported("using an undefined value as a dict key")
        default: throw PyError.typeError("unhashable type: '\(v.typeName)'")
        }
    }

    // MARK: Containers

    /// `item in container`.
    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .string(let s), .markup(let s):
            guard let sub = item.stringPayload else {
                if case .undefined(let u) = item { throw undefinedError(u) }
                throw PyError.typeError("'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return PyString.contains(s, sub)
        case .list(let items), .tuple(let items):
            for x in items where try equals(x, item) { return true }
            return false
        case .dict(let d):
            return d.get(try hashKey(item)) != nil
        case .view(.keys, let keys):
            let k = try hashKey(item)
            for x in keys where try hashKey(x) == k { return true }
            return false
        case .view(_, let items):
            for x in items where try equals(x, item) { return true }
            return false
        case .range(let a, let b, let s):
            guard let n = number(item) else { return false }
            guard case .int(let i) = n else {
                return try iterate(container).contains { (try? equals($0, item)) ?? false }
            }
            if s > 0 { return i >= a && i < b && (i - a) % s == 0 }  // i - a >= 0 and < b - a
            return i <= a && i > b && (a - i) % (-s) == 0
        case .undefined: return false
        case .iterator(let it):
            while let x = it.next() { if try equals(x, item) { return true } }
            return false
        default:
            throw PyError.typeError("argument of type '\(container.typeName)' is not iterable")
        }
    }

    /// `list(iter(value))`; consumes one-shot iterators.
    static func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .list(let items), .tuple(let items), .view(_, let items): return items
        case .string(let s), .markup(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .dict(let d): return d.keys
        case .range(let a, let b, let s):
            let n = rangeCount(a, b, s)
            return (0..<n).map { .int(a + $0 * s) }
        case .undefined: return []
        case .iterator(let it): return it.drain()
        case .loop: throw PyError.unsupported("iterating over a loop object")
        default: throw PyError.typeError("'\(v.typeName)' object is not iterable")
        }
    }

    /// `len(value)`.
    static func length(_ v: Value) throws -> Int {
        switch v {
        case .string(let s), .markup(let s): return PyString.length(s)
        case .list(let a), .tuple(let a), .view(_, let a): return a.count
        case .dict(let d): return d.count
        case .range(let a, let b, let s): return rangeCount(a, b, s)
        case .undefined: return 0
        case .loop(let l): return l.length
        default: throw PyError.typeError("object of type '\(v.typeName)' has no len()")
        }
    }

    /// An integer argument (`__index__`): ints and bools.
    static func index(_ v: Value) -> Int? {
        switch v {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// `slice(start, stop, step).indices(length)` as a list of positions.
    static func sliceIndices(count n: Int, start: Int?, stop: Int?, step: Int?) throws -> [Int] {
        let step = step ?? 1
        if step == 0 { throw PyError.valueError("slice step cannot be zero") }
        let lower = step < 0 ? -1 : 0
        let upper = step < 0 ? n - 1 : n
        func clamp(_ v: Int?, _ dflt: Int) -> Int {
            guard var v else { return dflt }
            if v < 0 {
                v += n
                if v < lower { v = lower }
            } else if v > upper {
                v = upper
            }
            return v
        }
        let a = clamp(start, step < 0 ? upper : lower)
        let b = clamp(stop, step < 0 ? lower : upper)
        var out: [Int] = []
        var i = a
        if step > 0 {
            while i < b {
                out.append(i)
                let (next, o) = i.addingReportingOverflow(step)
                if o { break }
                i = next
            }
        } else {
            while i > b {
                out.append(i)
                let (next, o) = i.addingReportingOverflow(step)
                if o { break }
                i = next
            }
        }
        return out
    }
}

/// `markupsafe.escape` for text.
enum Escape {
    static func html(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
