/// jinja2's built-in tests (`x is defined`, `x is string`, ...), with Python's type
/// rules: `true is number`, `1 is true` is false (identity with `True`), strings are
/// iterable and sequences, dicts are sequences too.
enum Tests {
    static let known: Set<String> = [
        "odd", "even", "divisibleby", "defined", "undefined", "filter", "test", "none", "boolean", "false", "true",
        "integer", "float", "lower", "upper", "string", "mapping", "number", "sequence", "iterable", "callable",
        "sameas", "escaped", "in", "==", "eq", "equalto", "!=", "ne", ">", "gt", "greaterthan", "ge", ">=", "<",
        "lt", "lessthan", "<=", "le",
    ]

    static func apply(_ name: String, _ value: Value, _ args: CallArgs, _ interp: Interpreter) throws -> Bool {
        let a = CallArgs(positional: [value] + args.positional, keyword: args.keyword)
        func p(_ params: [(String, Value?)]) throws -> [Value] {
            Array(try a.bind(name, [("value", nil)] + params).dropFirst())
        }
        switch name {
        case "defined":
            _ = try p([])
            return !value.isUndefined
        case "undefined":
            _ = try p([])
            return value.isUndefined
        case "none":
            _ = try p([])
            if case .none = value { return true }
            return false
        case "boolean", "true", "false":
            _ = try p([])
            guard case .bool(let b) = value else { return false }
            return name == "boolean" || b == (name == "true")
        case "integer":
            _ = try p([])
            if case .int = value { return true }
            return false
        case "float":
            _ = try p([])
            if case .float = value { return true }
            return false
        case "number":
            _ = try p([])
            return Ops.number(value) != nil
        case "string":
            _ = try p([])
            return value.stringPayload != nil
        case "mapping":
            _ = try p([])
            if case .dict = value { return true }
            return false
        case "sequence":
            _ = try p([])
            switch value {
            case .string, .markup, .list, .tuple, .dict, .range, .undefined, .loop: return true
            default: return false
            }
        case "iterable":
            _ = try p([])
            switch value {
            case .string, .markup, .list, .tuple, .dict, .range, .undefined, .view, .iterator, .loop: return true
            default: return false
            }
        case "callable":
            _ = try p([])
            switch value {
            case .callable, .loop: return true
            default: return false
            }
        case "escaped":
            _ = try p([])
            if case .markup = value { return true }
            return false
        case "lower", "upper":
            _ = try p([])
            let s = try PythonText.str(value)
            return name == "lower" ? PyString.isLower(s) : PyString.isUpper(s)
        case "odd", "even":
            _ = try p([])
            let r = try Ops.mod(value, .int(2))
            return try Ops.equals(r, .int(name == "odd" ? 1 : 0))
        case "divisibleby":
            let q = try p([("num", nil)])
            return try Ops.equals(try Ops.mod(value, q[0]), .int(0))
        case "in":
            let q = try p([("seq", nil)])
            return try Ops.contains(q[0], value)
        case "==", "eq", "equalto":
            return try Ops.equals(value, try p([("other", nil)])[0])
        case "!=", "ne":
            return !(try Ops.equals(value, try p([("other", nil)])[0]))
        case ">", "gt", "greaterthan":
            return try Ops.compare(value, try p([("other", nil)])[0], ">") == 1
        case ">=", "ge":
            return try Ops.compare(value, try p([("other", nil)])[0], ">=").map { $0 >= 0 } ?? false
        case "<", "lt", "lessthan":
            return try Ops.compare(value, try p([("other", nil)])[0], "<") == -1
        case "<=", "le":
            return try Ops.compare(value, try p([("other", nil)])[0], "<=").map { $0 <= 0 } ?? false
        case "sameas":
            let other = try p([("other", nil)])[0]
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.none, _), (_, .none), (.bool, _), (_, .bool): return false
            case (.namespace(let x), .namespace(let y)): return x === y
            default:
                throw PyError.unsupported("'sameas' on \(value.typeName) values (Python object identity)")
            }
        case "filter":
            _ = try p([])
            return value.stringPayload.map { Filters.known.contains($0) } ?? false
        case "test":
            _ = try p([])
            return value.stringPayload.map { known.contains($0) } ?? false
        default:
            throw PyError.unsupported("the '\(name)' test")
        }
    }
}
