/// A variable scope. jinja2 gives every loop iteration, macro call, `with`, `set` block
/// and `filter` block a fresh scope whose assignments do not leak out; `if` does not.
final class Scope {
    var vars: [String: Value]
    let parent: Scope?

    init(parent: Scope?, vars: [String: Value] = [:]) {
        self.parent = parent
        self.vars = vars
    }

    func lookup(_ name: String) -> Value? {
        var s: Scope? = self
        while let c = s {
            if let v = c.vars[name] { return v }
            s = c.parent
        }
        return nil
    }
}

/// Positional and keyword arguments of a call, after evaluation.
struct CallArgs {
    var positional: [Value] = []
    var keyword: [(String, Value)] = []

    var isEmpty: Bool { positional.isEmpty && keyword.isEmpty }

    /// Binds to Python-style parameters (`nil` default = required), like a Python call.
    func bind(_ function: String, _ params: [(String, Value?)]) throws -> [Value] {
        if positional.count > params.count {
            throw PyError.typeError(
                "\(function)() takes at most \(params.count) argument(s) (\(positional.count) given)")
        }
        var bound: [Value?] = positional.map { $0 }
        bound += Array(repeating: nil, count: params.count - positional.count)
        for (k, v) in keyword {
            guard let i = params.firstIndex(where: { $0.0 == k }) else {
                throw PyError.typeError("\(function)() got an unexpected keyword argument '\(k)'")
            }
            if bound[i] != nil { throw PyError.typeError("\(function)() got multiple values for argument '\(k)'") }
            bound[i] = v
        }
        return try params.indices.map { i in
            if let v = bound[i] { return v }
            if let d = params[i].1 { return d }
            throw PyError.typeError("\(function)() missing required argument '\(params[i].0)'")
        }
    }
}

/// Renders an AST. One instance per render call; not shared between threads.
final class Interpreter {
    private enum Flow { case normal, breakLoop, continueLoop }

    /// The position of the construct being evaluated, for error messages.
    private(set) var location = SourceLocation(line: 1, column: 1)
    private var out = ""
    /// Nested macro calls; bounded so runaway recursion is an error, not a stack
    /// overflow (jinja2 hits Python's recursion limit between 150 and 300).
    private var macroDepth = 0
    static let maxMacroDepth = 250

    func render(_ nodes: [Node], context: [String: Value]) throws -> String {
        let globals = Scope(parent: nil, vars: Globals.make())
        let root = Scope(parent: globals, vars: context)
        do {
            _ = try exec(nodes, root)
        } catch let e as PyError {
            throw jinjaError(e)
        }
        return out
    }

    func jinjaError(_ e: PyError) -> JinjaError {
        switch e.kind {
        case .runtime: return .runtime(e.message, at: location)
        case .unsupported: return .unsupported(e.message, at: location)
        case .raised: return .raised(e.message, at: location)
        }
    }

    // MARK: Statements

    private func exec(_ nodes: [Node], _ scope: Scope) throws -> Flow {
        for node in nodes {
            let flow = try exec(node, scope)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    private func exec(_ node: Node, _ scope: Scope) throws -> Flow {
        switch node {
        case .text(let s):
            out += s
        case .output(let e):
            let v = try eval(e, scope)
            location = e.location
            out += try PythonText.str(v)
        case .ifChain(let branches, let orElse):
            for (test, body) in branches where try eval(test, scope).truthy {
                return try exec(body, scope)
            }
            return try exec(orElse, scope)
        case .forLoop(let target, let iterable, let condition, let body, let orElse, let loc):
            return try execFor(target, iterable, condition, body, orElse, loc, scope)
        case .assign(let target, let e, let loc):
            let v = try eval(e, scope)
            location = loc
            try assign(target, v, scope)
        case .assignBlock(let target, let filter, let body, let loc):
            var v = Value.string(try capture(body, Scope(parent: scope), loc))
            if let filter { v = try applyFilterChain(filter, to: v, scope) }
            location = loc
            try assign(target, v, scope)
        case .macro(let def):
            scope.vars[def.name] = .callable(makeMacro(def, scope))
        case .callBlock(let call, let callerDef, let loc):
            guard case .call(let callee, let args, let callLoc) = call else { break }
            let fn = try eval(callee, scope)
            var a = try evalArgs(args, scope)
            a.keyword.append(("caller", .callable(makeMacro(callerDef, scope))))
            location = callLoc
            let v = try callValue(fn, a)
            location = loc
            out += try PythonText.str(v)
        case .filterBlock(let filter, let body, let loc):
            let text = try capture(body, Scope(parent: scope), loc)
            let v = try applyFilterChain(filter, to: .string(text), scope)
            location = loc
            out += try PythonText.str(v)
        case .with(let targets, let values, let body, _):
            let inner = Scope(parent: scope)
            let evaluated = try values.map { try eval($0, scope) }
            for (t, v) in zip(targets, evaluated) { try assign(t, v, inner) }
            return try exec(body, inner)
        case .generation(let body):
            return try exec(body, scope)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        }
        return .normal
    }

    /// Renders `body` into a string of its own (set blocks, filter blocks, macros).
    private func capture(_ body: [Node], _ scope: Scope, _ loc: SourceLocation) throws -> String {
        let saved = out
        out = ""
        defer { out = saved }
        let flow = try exec(body, scope)
        if case .normal = flow {} else {
            location = loc
            throw PyError.unsupported("'break' or 'continue' inside a set, filter or call block")
        }
        return out
    }

    private func execFor(
        _ target: AssignTarget, _ iterable: Expr, _ condition: Expr?, _ body: [Node], _ orElse: [Node],
        _ loc: SourceLocation, _ scope: Scope
    ) throws -> Flow {
        let seq = try eval(iterable, scope)
        location = iterable.location
        var items = try Ops.iterate(seq)
        if let condition {
            var kept: [Value] = []
            for item in items {
                let s = Scope(parent: scope)
                location = loc
                try assign(target, item, s, checked: true)
                if try eval(condition, s).truthy { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            return try exec(orElse, Scope(parent: scope))
        }
        let state = LoopState(items: items)
        for (k, item) in items.enumerated() {
            state.index0 = k
            let s = Scope(parent: scope)
            location = loc
            try assign(target, item, s, checked: true)
            s.vars["loop"] = .loop(state)
            let flow = try exec(body, s)
            if case .breakLoop = flow { break }
        }
        return .normal
    }

    private func assign(_ target: AssignTarget, _ value: Value, _ scope: Scope, checked: Bool = false) throws {
        if !checked { try Ops.checkNesting(value) }
        switch target {
        case .name(let n):
            scope.vars[n] = value
        case .tuple(let targets):
            let items = try Ops.iterate(value)
            if items.count < targets.count {
                throw PyError.valueError("not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            if items.count > targets.count {
                throw PyError.valueError("too many values to unpack (expected \(targets.count))")
            }
            for (t, v) in zip(targets, items) { try assign(t, v, scope, checked: true) }
        case .namespaceAttr(let name, let attr):
            guard case .namespace(let ns) = scope.lookup(name) ?? .undefined(.named(name)) else {
                throw PyError.runtime("TemplateRuntimeError: cannot assign attribute on non-namespace object")
            }
            try Globals.checkNamespaceName(attr)
            ns.attrs.set(.string(attr), hash: .string(Array(attr.utf8)), value)
        }
    }

    // MARK: Macros

    private func makeMacro(_ def: MacroDefinition, _ defining: Scope) -> Callable {
        Callable(name: def.name) { [unowned self] args, kwargs, _ in
            try self.invokeMacro(def, defining, args, kwargs)
        }
    }

    private func invokeMacro(_ def: MacroDefinition, _ defining: Scope, _ args: [Value], _ kwargs: [(String, Value)])
        throws -> Value
    {
        macroDepth += 1
        defer { macroDepth -= 1 }
        if macroDepth > Interpreter.maxMacroDepth {
            throw PyError.runtime(
                "RecursionError: macros nested more than \(Interpreter.maxMacroDepth) calls deep")
        }
        let s = Scope(parent: defining)
        let params = def.parameters
        if args.count > params.count && !def.catchesVarargs {
            throw PyError.typeError("macro '\(def.name)' takes not more than \(params.count) argument(s)")
        }
        var extraKwargs = PyDict()
        var assigned = Set<String>()
        for a in args { try Ops.checkNesting(a) }
        for (_, v) in kwargs { try Ops.checkNesting(v) }
        for (i, p) in params.enumerated() where i < args.count {
            s.vars[p] = args[i]
            assigned.insert(p)
        }
        var caller: Value? = nil
        for (k, v) in kwargs {
            if params.contains(k) {
                if assigned.contains(k) {
                    throw PyError.typeError("macro '\(def.name)' got multiple values for argument '\(k)'")
                }
                s.vars[k] = v
                assigned.insert(k)
            } else if k == "caller" && def.usesCaller {
                caller = v
            } else if def.catchesKwargs {
                extraKwargs.set(.string(k), hash: .string(Array(k.utf8)), v)
            } else {
                throw PyError.typeError("macro '\(def.name)' takes no keyword argument '\(k)'")
            }
        }
        let firstDefault = params.count - def.defaults.count
        for (i, p) in params.enumerated() where !assigned.contains(p) {
            if i >= firstDefault {
                let e = def.defaults[i - firstDefault]
                s.vars[p] = try eval(e, s)
            } else {
                s.vars[p] = .undefined(Undefined(message: "parameter '\(p)' was not provided"))
            }
        }
        if def.catchesVarargs { s.vars["varargs"] = .tuple(Array(args.dropFirst(params.count))) }
        if def.catchesKwargs { s.vars["kwargs"] = .dict(extraKwargs) }
        if def.usesCaller { s.vars["caller"] = caller ?? .undefined(Undefined(message: "No caller defined")) }
        let savedLocation = location
        let text = try capture(def.body, s, def.location)
        location = savedLocation
        return .string(text)
    }

    // MARK: Expressions

    func eval(_ e: Expr, _ scope: Scope) throws -> Value {
        switch e {
        case .literal(let l, _):
            switch l {
            case .none: return .none
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .string(let s): return .string(s)
            }
        case .name(let n, _):
            return scope.lookup(n) ?? .undefined(.named(n))
        case .list(let items, _):
            return .list(try items.map { try eval($0, scope) })
        case .tuple(let items, _):
            return .tuple(try items.map { try eval($0, scope) })
        case .dict(let pairs, let loc):
            var d = PyDict()
            for (k, v) in pairs {
                let key = try eval(k, scope)
                let value = try eval(v, scope)
                location = loc
                d.set(key, hash: try Ops.hashKey(key), value)
            }
            return .dict(d)
        case .getattr(let obj, let name, let loc):
            let o = try eval(obj, scope)
            location = loc
            return try getattr(o, name)
        case .getitem(let obj, .slice(let a, let b, let c, _), let loc):
            let o = try eval(obj, scope)
            let start = try a.map { try eval($0, scope) }
            let stop = try b.map { try eval($0, scope) }
            let step = try c.map { try eval($0, scope) }
            location = loc
            return try slice(o, start, stop, step)
        case .getitem(let obj, let key, let loc):
            let o = try eval(obj, scope)
            let k = try eval(key, scope)
            location = loc
            return try getitem(o, k)
        case .slice(_, _, _, let loc):
            location = loc
            throw PyError.unsupported("a slice outside of [...]")
        case .call(let callee, let args, let loc):
            let fn = try eval(callee, scope)
            let a = try evalArgs(args, scope)
            location = loc
            return try callValue(fn, a)
        case .filter(let value, let name, let args, let loc):
            guard let value else {
                location = loc
                throw PyError.runtime("filter without a value")
            }
            let v = try eval(value, scope)
            let a = try evalArgs(args, scope)
            location = loc
            return try Filters.apply(name, v, a, self)
        case .test(let value, let name, let args, let loc):
            let v = try eval(value, scope)
            let a = try evalArgs(args, scope)
            location = loc
            return .bool(try Tests.apply(name, v, a, self))
        case .neg(let x, let loc):
            let v = try eval(x, scope)
            location = loc
            return try Ops.neg(v)
        case .pos(let x, let loc):
            let v = try eval(x, scope)
            location = loc
            return try Ops.pos(v)
        case .not(let x, _):
            return .bool(!(try eval(x, scope).truthy))
        case .and(let a, let b, _):
            let x = try eval(a, scope)
            return x.truthy ? try eval(b, scope) : x
        case .or(let a, let b, _):
            let x = try eval(a, scope)
            return x.truthy ? x : try eval(b, scope)
        case .binary(let op, let a, let b, let loc):
            let x = try eval(a, scope)
            let y = try eval(b, scope)
            location = loc
            switch op {
            case .add: return try Ops.add(x, y)
            case .sub: return try Ops.sub(x, y)
            case .mul: return try Ops.mul(x, y)
            case .div: return try Ops.div(x, y)
            case .floorDiv: return try Ops.floorDiv(x, y)
            case .mod: return try Ops.mod(x, y)
            case .pow: return try Ops.pow(x, y)
            }
        case .concat(let parts, let loc):
            var s = ""
            for p in parts {
                let v = try eval(p, scope)
                location = loc
                s += try PythonText.str(v)
            }
            return .string(s)
        case .compare(let first, let ops, let loc):
            var left = try eval(first, scope)
            for (op, rhs) in ops {
                let right = try eval(rhs, scope)
                location = loc
                let ok: Bool
                switch op {
                case .eq: ok = try Ops.equals(left, right)
                case .ne: ok = !(try Ops.equals(left, right))
                case .lt: ok = try Ops.compare(left, right, "<") == -1
                case .lteq: ok = try Ops.compare(left, right, "<=").map { $0 <= 0 } ?? false
                case .gt: ok = try Ops.compare(left, right, ">") == 1
                case .gteq: ok = try Ops.compare(left, right, ">=").map { $0 >= 0 } ?? false
                case .in: ok = try Ops.contains(right, left)
                case .notIn: ok = !(try Ops.contains(right, left))
                }
                if !ok { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .condExpr(let test, let body, let orElse, let loc):
            if try eval(test, scope).truthy { return try eval(body, scope) }
            if let orElse { return try eval(orElse, scope) }
            return .undefined(
                Undefined(
                    message:
                        "the inline if-expression on line \(loc.line) evaluated to false and no else section was defined."
                ))
        }
    }

    func evalArgs(_ args: Arguments, _ scope: Scope) throws -> CallArgs {
        var a = CallArgs()
        a.positional = try args.positional.map { try eval($0, scope) }
        a.keyword = try args.keyword.map { ($0.0, try eval($0.1, scope)) }
        if let star = args.star {
            let v = try eval(star, scope)
            location = star.location
            a.positional += try Ops.iterate(v)
        }
        if let starStar = args.starStar {
            let v = try eval(starStar, scope)
            location = starStar.location
            guard case .dict(let d) = v else {
                throw PyError.typeError("argument after ** must be a mapping, not \(v.typeName)")
            }
            for (k, val) in d.items {
                guard case .string(let key) = k else { throw PyError.typeError("keywords must be strings") }
                a.keyword.append((key, val))
            }
        }
        return a
    }

    /// Applies `{% filter f | g %}` / `{% set x | f %}` chains: the innermost filter has
    /// no value expression and receives `value`.
    private func applyFilterChain(_ filter: Expr, to value: Value, _ scope: Scope) throws -> Value {
        guard case .filter(let inner, let name, let args, let loc) = filter else { return try eval(filter, scope) }
        let v = try inner.map { try applyFilterChain($0, to: value, scope) } ?? value
        let a = try evalArgs(args, scope)
        location = loc
        return try Filters.apply(name, v, a, self)
    }

    func callValue(_ fn: Value, _ args: CallArgs) throws -> Value {
        switch fn {
        case .callable(let c): return try c.call(args.positional, args.keyword, location)
        case .undefined(let u): throw Ops.undefinedError(u)
        default: throw PyError.typeError("'\(fn.typeName)' object is not callable")
        }
    }

    // MARK: Attribute and item access (jinja2's sandboxed getattr / getitem)

    /// `obj.name`: a Python attribute first, then `obj['name']`, else Undefined.
    func getattr(_ obj: Value, _ name: String) throws -> Value {
        switch obj {
        case .undefined(let u): throw Ops.undefinedError(u)
        case .dict(let d) where !Methods.dictAttributes.contains(name) && !name.hasPrefix("__"):
            // The common case (`message.content`): a key, not a dict method.
            return d.get(string: name)
                ?? .undefined(Undefined(message: "'dict object' has no attribute '\(name)'"))
        default: break
        }
        switch Methods.attribute(obj, name, self) {
        case .value(let v): return v
        case .unsafe:
            return .undefined(
                Undefined(message: "access to attribute '\(name)' of '\(obj.typeName)' object is unsafe.", isSecurity: true))
        case .unsupported(let what): throw PyError.unsupported(what)
        case .none: break
        }
        if let v = try subscriptValue(obj, .string(name)) { return v }
        return .undefined(Undefined(message: "'\(obj.objectTypeRepr)' has no attribute '\(name)'"))
    }

    /// `obj[key]`: the item first, then (for string keys) a Python attribute, else Undefined.
    func getitem(_ obj: Value, _ key: Value) throws -> Value {
        if case .undefined(let u) = obj { throw Ops.undefinedError(u) }
        if let v = try subscriptValue(obj, key) { return v }
        if case .string(let name) = key {
            switch Methods.attribute(obj, name, self) {
            case .value(let v): return v
            case .unsafe:
                return .undefined(
                    Undefined(message: "access to attribute '\(name)' of '\(obj.typeName)' object is unsafe.",
                        isSecurity: true))
            case .unsupported(let what): throw PyError.unsupported(what)
            case .none: break
            }
            return .undefined(Undefined(message: "'\(obj.objectTypeRepr)' has no attribute '\(name)'"))
        }
        let keyText = (try? PythonText.repr(key)) ?? key.typeName
        return .undefined(Undefined(message: "\(obj.objectTypeRepr) has no element \(keyText)"))
    }

    /// Python `obj[key]`; nil where Python raises TypeError or LookupError (which the
    /// sandbox turns into Undefined).
    private func subscriptValue(_ obj: Value, _ key: Value) throws -> Value? {
        switch obj {
        case .dict(let d):
            guard let k = try? Ops.hashKey(key) else { return nil }
            return d.get(k)
        case .list(let items), .tuple(let items):
            guard let i = Ops.index(key) else { return nil }
            let j = i < 0 ? i + items.count : i
            return j >= 0 && j < items.count ? items[j] : nil
        case .string(let s), .markup(let s):
            guard let i = Ops.index(key) else { return nil }
            let sc = s.unicodeScalars
            let n = sc.count
            let j = i < 0 ? i + n : i
            guard j >= 0 && j < n else { return nil }
            return .string(String(sc[sc.index(sc.startIndex, offsetBy: j)]))
        case .range(let a, let b, let st):
            guard let i = Ops.index(key) else { return nil }
            let n = rangeCount(a, b, st)
            let j = i < 0 ? i + n : i
            return j >= 0 && j < n ? .int(a + j * st) : nil
        default:
            return nil
        }
    }

    private func slice(_ obj: Value, _ start: Value?, _ stop: Value?, _ step: Value?) throws -> Value {
        if case .undefined(let u) = obj { throw Ops.undefinedError(u) }
        func bound(_ v: Value?) -> (ok: Bool, value: Int?) {
            guard let v else { return (true, nil) }
            if case .none = v { return (true, nil) }
            guard let i = Ops.index(v) else { return (false, nil) }
            return (true, i)
        }
        let a = bound(start)
        let b = bound(stop)
        let c = bound(step)
        let invalid = Value.undefined(Undefined(message: "\(obj.objectTypeRepr) has no element slice"))
        // A TypeError from a bad slice index becomes Undefined in the sandbox.
        guard a.ok, b.ok, c.ok else { return invalid }
        switch obj {
        case .list(let items), .tuple(let items):
            let idx = try Ops.sliceIndices(count: items.count, start: a.value, stop: b.value, step: c.value)
            let picked = idx.map { items[$0] }
            if case .tuple = obj { return .tuple(picked) }
            return .list(picked)
        case .string(let s), .markup(let s):
            let sc = Array(s.unicodeScalars)
            let idx = try Ops.sliceIndices(count: sc.count, start: a.value, stop: b.value, step: c.value)
            let text = PyString.string(idx.map { sc[$0] })
            if case .markup = obj { return .markup(text) }
            return .string(text)
        case .range(let r0, let r1, let rs):
            let n = rangeCount(r0, r1, rs)
            let idx = try Ops.sliceIndices(count: n, start: a.value, stop: b.value, step: c.value)
            let (newStep, o1) = rs.multipliedReportingOverflow(by: c.value ?? 1)
            let first = idx.first.map { r0 + $0 * rs } ?? r0
            let (span, o2) = idx.count.multipliedReportingOverflow(by: newStep)
            let (stop, o3) = first.addingReportingOverflow(span)
            if o1 || o2 || o3 { throw Ops.overflow("range slice") }
            return .range(start: first, stop: stop, step: newStep)
        default:
            return invalid
        }
    }
}
