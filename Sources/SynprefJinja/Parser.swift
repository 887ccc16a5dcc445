/// Builds the AST from tokens, following jinja2's `Parser` rule for rule (operator
/// precedence, where filters and tests bind, what `for` and `if` accept), so templates
/// parse the same way. Constructs outside what chat templates need are refused with
/// their position instead of being half-supported.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    /// Names of the open block tags, innermost last (for error messages).
    private var tagStack: [String] = []
    /// End tags the enclosing `subparse` calls are looking for.
    private var endTokenStack: [[String]] = []
    /// `break`/`continue` are only valid inside a loop body (not inside a macro in one).
    private var loopDepth = 0
    /// Nesting of expressions and blocks, bounded so a hostile template cannot exhaust
    /// the stack (jinja2 itself fails below 100 levels with a RecursionError).
    private var nesting = 0
    static let maxNesting = 256

    private mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw fail("expressions or blocks nested more than \(Parser.maxNesting) levels deep")
        }
    }

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    static func parse(_ source: String) throws -> [Node] {
        var parser = Parser(tokens: try Lexer.tokenize(source))
        return try parser.parseTemplate()
    }

    // MARK: - Token stream

    private var current: Token { tokens[index] }
    private var look: Token { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private func isName(_ t: Token, _ name: String) -> Bool {
        if case .name(let n) = t.kind { return n == name }
        return false
    }

    private func isOp(_ t: Token, _ op: String) -> Bool {
        if case .op(let o) = t.kind { return o == op }
        return false
    }

    private mutating func skipName(_ name: String) -> Bool {
        if isName(current, name) {
            _ = advance()
            return true
        }
        return false
    }

    private mutating func skipOp(_ op: String) -> Bool {
        if isOp(current, op) {
            _ = advance()
            return true
        }
        return false
    }

    private func fail(_ message: String, _ at: SourceLocation? = nil) -> JinjaError {
        .syntax(message, at: at ?? current.location)
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .data: return "template data / text"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .name(let n): return n
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .op(let o): return o
        case .eof: return "end of template"
        }
    }

    private mutating func expectOp(_ op: String) throws {
        guard isOp(current, op) else {
            if case .eof = current.kind { throw fail("unexpected end of template, expected '\(op)'.") }
            throw fail("expected token '\(op)', got '\(describe(current))'")
        }
        _ = advance()
    }

    private mutating func expectName(_ name: String? = nil) throws -> String {
        if case .name(let n) = current.kind, name == nil || n == name {
            _ = advance()
            return n
        }
        if case .eof = current.kind {
            throw fail("unexpected end of template, expected '\(name ?? "name")'.")
        }
        throw fail("expected token '\(name ?? "name")', got '\(describe(current))'")
    }

    private mutating func expectBlockEnd() throws {
        guard case .blockEnd = current.kind else {
            if case .eof = current.kind { throw fail("unexpected end of template, expected 'end of statement block'.") }
            throw fail("expected token 'end of statement block', got '\(describe(current))'")
        }
        _ = advance()
    }

    private mutating func expectVariableEnd() throws {
        guard case .variableEnd = current.kind else {
            if case .eof = current.kind { throw fail("unexpected end of template, expected 'end of print statement'.") }
            throw fail("expected token 'end of print statement', got '\(describe(current))'")
        }
        _ = advance()
    }

    // MARK: - Statements

    mutating func parseTemplate() throws -> [Node] {
        try subparse(endTokens: nil)
    }

    private mutating func subparse(endTokens: [String]?) throws -> [Node] {
        try enter()
        defer { nesting -= 1 }
        var body: [Node] = []
        if let endTokens { endTokenStack.append(endTokens) }
        defer { if endTokens != nil { endTokenStack.removeLast() } }
        while true {
            let token = current
            switch token.kind {
            case .eof:
                return body
            case .data(let text):
                body.append(.text(text))
                _ = advance()
            case .variableBegin:
                _ = advance()
                body.append(.output(try parseTuple(withCondexpr: true)))
                try expectVariableEnd()
            case .blockBegin:
                _ = advance()
                if let endTokens, case .name(let n) = current.kind, endTokens.contains(n) {
                    return body
                }
                body.append(contentsOf: try parseStatement())
                try expectBlockEnd()
            default:
                throw fail("internal parsing error: unexpected '\(describe(token))'")
            }
        }
    }

    private mutating func parseStatement() throws -> [Node] {
        guard case .name(let tag) = current.kind else {
            throw fail("tag name expected")
        }
        let loc = current.location
        switch tag {
        case "for", "if", "set", "macro", "call", "filter", "with", "print", "generation":
            tagStack.append(tag)
            defer { tagStack.removeLast() }
            switch tag {
            case "for": return [try parseFor()]
            case "if": return [try parseIf()]
            case "set": return [try parseSet()]
            case "macro": return [try parseMacro()]
            case "call": return [try parseCallBlock()]
            case "filter": return [try parseFilterBlock()]
            case "with": return [try parseWith()]
            case "print": return try parsePrint()
            default:
                _ = advance()
                let body = try parseStatements(["endgeneration"], dropNeedle: true)
                return [.generation(body)]
            }
        case "break", "continue":
            _ = advance()
            guard loopDepth > 0 else { throw fail("'\(tag)' outside loop", loc) }
            return [tag == "break" ? .breakLoop(loc) : .continueLoop(loc)]
        case "block", "extends", "include", "import", "from", "autoescape":
            throw JinjaError.unsupported(
                "the '\(tag)' tag (chat templates are rendered standalone, without a loader)", at: loc)
        default:
            throw unknownTag(tag, at: loc)
        }
    }

    private func unknownTag(_ name: String?, at loc: SourceLocation) -> JinjaError {
        var message = name.map { ["Encountered unknown tag '\($0)'."] } ?? ["Unexpected end of template."]
        let expected = Set(endTokenStack.flatMap { $0 })
        if let looking = endTokenStack.last {
            let list = looking.map { "'\($0)'" }.joined(separator: " or ")
            if let name, expected.contains(name) {
                message.append(
                    "You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for \(list).")
            } else {
                message.append("Jinja was looking for the following tags: \(list).")
            }
        }
        if let innermost = tagStack.last {
            message.append("The innermost block that needs to be closed is '\(innermost)'.")
        }
        return .syntax(message.joined(separator: " "), at: loc)
    }

    private mutating func parseStatements(_ endTokens: [String], dropNeedle: Bool) throws -> [Node] {
        _ = skipOp(":")
        try expectBlockEnd()
        let body = try subparse(endTokens: endTokens)
        if case .eof = current.kind {
            endTokenStack.append(endTokens)
            defer { endTokenStack.removeLast() }
            throw unknownTag(nil, at: current.location)
        }
        if dropNeedle { _ = advance() }
        return body
    }

    private mutating func parseFor() throws -> Node {
        let loc = advance().location
        let target = try parseAssignTarget(extraEndRules: ["in"])
        _ = try expectName("in")
        let iterable = try parseTuple(withCondexpr: false, extraEndRules: ["recursive"])
        var condition: Expr? = nil
        if skipName("if") { condition = try parseExpression() }
        if isName(current, "recursive") {
            throw JinjaError.unsupported("recursive for loops", at: current.location)
        }
        loopDepth += 1
        let body = try parseStatements(["endfor", "else"], dropNeedle: false)
        loopDepth -= 1
        var orElse: [Node] = []
        if advance().kind != .name("endfor") {
            orElse = try parseStatements(["endfor"], dropNeedle: true)
        }
        return .forLoop(target: target, iterable: iterable, condition: condition, body: body, orElse: orElse, loc)
    }

    private mutating func parseIf() throws -> Node {
        _ = advance()
        var branches: [(Expr, [Node])] = []
        var orElse: [Node] = []
        while true {
            let test = try parseTuple(withCondexpr: false)
            let body = try parseStatements(["elif", "else", "endif"], dropNeedle: false)
            branches.append((test, body))
            let token = advance()
            if isName(token, "elif") { continue }
            if isName(token, "else") {
                orElse = try parseStatements(["endif"], dropNeedle: true)
            }
            break
        }
        return .ifChain(branches: branches, orElse: orElse)
    }

    private mutating func parseSet() throws -> Node {
        let loc = advance().location
        let target = try parseAssignTarget(withNamespace: true)
        if skipOp("=") {
            return .assign(target, try parseTuple(withCondexpr: true), loc)
        }
        let filter = try parseFilter(nil)
        let body = try parseStatements(["endset"], dropNeedle: true)
        return .assignBlock(target, filter: filter, body: body, loc)
    }

    private mutating func parseSignature() throws -> ([String], [Expr]) {
        var params: [String] = []
        var defaults: [Expr] = []
        try expectOp("(")
        while !isOp(current, ")") {
            if !params.isEmpty { try expectOp(",") }
            let loc = current.location
            let name = try expectName()
            if ["true", "false", "none", "True", "False", "None"].contains(name) {
                throw fail("can't assign to 'const'", loc)
            }
            if skipOp("=") {
                defaults.append(try parseExpression())
            } else if !defaults.isEmpty {
                throw fail("non-default argument follows default argument")
            }
            params.append(name)
        }
        try expectOp(")")
        return (params, defaults)
    }

    private mutating func parseMacroBody(_ end: String) throws -> [Node] {
        let saved = loopDepth
        loopDepth = 0
        defer { loopDepth = saved }
        return try parseStatements([end], dropNeedle: true)
    }

    private mutating func parseMacro() throws -> Node {
        let loc = advance().location
        let name = try expectName()
        let (params, defaults) = try parseSignature()
        let body = try parseMacroBody("endmacro")
        return .macro(makeMacro(name: name, params: params, defaults: defaults, body: body, loc: loc))
    }

    private func makeMacro(name: String, params: [String], defaults: [Expr], body: [Node], loc: SourceLocation)
        -> MacroDefinition
    {
        var names = Set<String>()
        NameCollector.collect(body, into: &names)
        return MacroDefinition(
            name: name, parameters: params, defaults: defaults, body: body,
            catchesVarargs: names.contains("varargs") && !params.contains("varargs"),
            catchesKwargs: names.contains("kwargs") && !params.contains("kwargs"),
            usesCaller: names.contains("caller") && !params.contains("caller"),
            location: loc)
    }

    private mutating func parseCallBlock() throws -> Node {
        let loc = advance().location
        var params: [String] = []
        var defaults: [Expr] = []
        if isOp(current, "(") { (params, defaults) = try parseSignature() }
        let call = try parseExpression()
        guard case .call = call else { throw fail("expected call", loc) }
        let body = try parseMacroBody("endcall")
        let caller = makeMacro(name: "caller", params: params, defaults: defaults, body: body, loc: loc)
        return .callBlock(call: call, caller: caller, loc)
    }

    private mutating func parseFilterBlock() throws -> Node {
        let loc = advance().location
        guard let filter = try parseFilter(nil, startInline: true) else { throw fail("expected filter", loc) }
        let body = try parseStatements(["endfilter"], dropNeedle: true)
        return .filterBlock(filter, body: body, loc)
    }

    private mutating func parseWith() throws -> Node {
        let loc = advance().location
        var targets: [AssignTarget] = []
        var values: [Expr] = []
        while !(current.kind == .blockEnd) {
            if !targets.isEmpty { try expectOp(",") }
            targets.append(try parseAssignTarget())
            try expectOp("=")
            values.append(try parseExpression())
        }
        let body = try parseStatements(["endwith"], dropNeedle: true)
        return .with(targets: targets, values: values, body: body, loc)
    }

    private mutating func parsePrint() throws -> [Node] {
        _ = advance()
        var nodes: [Node] = []
        while current.kind != .blockEnd {
            if !nodes.isEmpty { try expectOp(",") }
            nodes.append(.output(try parseExpression()))
        }
        return nodes
    }

    /// `set` / `for` targets: a name, a tuple of names, or (in `set`) `ns.attr`.
    private mutating func parseAssignTarget(extraEndRules: [String] = [], withNamespace: Bool = false) throws
        -> AssignTarget
    {
        let loc = current.location
        let expr = try parseTuple(
            simplified: true, withCondexpr: true, extraEndRules: extraEndRules, withNamespace: withNamespace)
        return try assignTarget(expr, loc: loc)
    }

    private func assignTarget(_ expr: Expr, loc: SourceLocation) throws -> AssignTarget {
        switch expr {
        case .name(let n, _): return .name(n)
        case .tuple(let items, _): return .tuple(try items.map { try assignTarget($0, loc: loc) })
        case .getattr(.name(let ns, _), let attr, _): return .namespaceAttr(ns, attr)
        case .literal: throw fail("can't assign to 'const'", loc)
        default: throw fail("can't assign to this expression", loc)
        }
    }

    // MARK: - Expressions

    mutating func parseExpression(withCondexpr: Bool = true) throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        return withCondexpr ? try parseCondexpr() : try parseOr()
    }

    private mutating func parseCondexpr() throws -> Expr {
        var expr1 = try parseOr()
        while isName(current, "if") {
            let loc = advance().location
            let expr2 = try parseOr()
            var expr3: Expr? = nil
            if skipName("else") { expr3 = try parseCondexpr() }
            expr1 = .condExpr(test: expr2, body: expr1, orElse: expr3, loc)
        }
        return expr1
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while isName(current, "or") {
            let loc = advance().location
            left = .or(left, try parseAnd(), loc)
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while isName(current, "and") {
            let loc = advance().location
            left = .and(left, try parseNot(), loc)
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if isName(current, "not") {
            let loc = advance().location
            try enter()
            defer { nesting -= 1 }
            return .not(try parseNot(), loc)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> Expr {
        let loc = current.location
        let expr = try parseMath1()
        var ops: [(CompareOp, Expr)] = []
        while true {
            if case .op(let o) = current.kind, let op = CompareOp(rawValue: o), op != .in, op != .notIn {
                _ = advance()
                ops.append((op, try parseMath1()))
            } else if skipName("in") {
                ops.append((.in, try parseMath1()))
            } else if isName(current, "not") && isName(look, "in") {
                _ = advance()
                _ = advance()
                ops.append((.notIn, try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? expr : .compare(expr, ops, loc)
    }

    private mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while true {
            if isOp(current, "+") || isOp(current, "-") {
                let t = advance()
                let op: BinaryOp = isOp(t, "+") ? .add : .sub
                left = .binary(op, left, try parseConcat(), t.location)
            } else {
                return left
            }
        }
    }

    private mutating func parseConcat() throws -> Expr {
        let loc = current.location
        var args = [try parseMath2()]
        while isOp(current, "~") {
            _ = advance()
            args.append(try parseMath2())
        }
        return args.count == 1 ? args[0] : .concat(args, loc)
    }

    private mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while true {
            guard case .op(let o) = current.kind else { return left }
            let op: BinaryOp
            switch o {
            case "*": op = .mul
            case "/": op = .div
            case "//": op = .floorDiv
            case "%": op = .mod
            default: return left
            }
            let loc = advance().location
            left = .binary(op, left, try parsePow(), loc)
        }
    }

    private mutating func parsePow() throws -> Expr {
        var left = try parseUnary()
        while isOp(current, "**") {
            let loc = advance().location
            left = .binary(.pow, left, try parseUnary(), loc)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        var node: Expr
        try enter()
        defer { nesting -= 1 }
        if isOp(current, "-") {
            let loc = advance().location
            node = .neg(try parseUnary(withFilter: false), loc)
        } else if isOp(current, "+") {
            let loc = advance().location
            node = .pos(try parseUnary(withFilter: false), loc)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpr(node) }
        return node
    }

    private mutating func parsePrimary(withNamespace: Bool = false) throws -> Expr {
        let token = current
        let loc = token.location
        switch token.kind {
        case .name(let n):
            _ = advance()
            switch n {
            case "true", "True": return .literal(.bool(true), loc)
            case "false", "False": return .literal(.bool(false), loc)
            case "none", "None": return .literal(.none, loc)
            default:
                if withNamespace && isOp(current, ".") {
                    _ = advance()
                    let attr = try expectName()
                    return .getattr(.name(n, loc), attr, loc)
                }
                return .name(n, loc)
            }
        case .string(let s):
            _ = advance()
            var buf = s
            while case .string(let more) = current.kind {
                buf += more
                _ = advance()
            }
            return .literal(.string(buf), loc)
        case .integer(let i):
            _ = advance()
            return .literal(.int(i), loc)
        case .float(let d):
            _ = advance()
            return .literal(.float(d), loc)
        case .op("("):
            _ = advance()
            let node = try parseTuple(withCondexpr: true, explicitParentheses: true)
            try expectOp(")")
            return node
        case .op("["):
            return try parseList()
        case .op("{"):
            return try parseDict()
        default:
            throw fail("unexpected '\(describe(token))'")
        }
    }

    private func isTupleEnd(_ extraEndRules: [String]) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd, .op(")"), .eof: return true
        case .name(let n): return extraEndRules.contains(n)
        default: return false
        }
    }

    private mutating func parseTuple(
        simplified: Bool = false, withCondexpr: Bool = true, extraEndRules: [String] = [],
        explicitParentheses: Bool = false, withNamespace: Bool = false
    ) throws -> Expr {
        let loc = current.location
        var args: [Expr] = []
        var isTuple = false
        while true {
            if !args.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEndRules) { break }
            if simplified {
                args.append(try parsePrimary(withNamespace: withNamespace))
            } else {
                args.append(try parseExpression(withCondexpr: withCondexpr))
            }
            if isOp(current, ",") { isTuple = true } else { break }
        }
        if !isTuple {
            if let first = args.first { return first }
            if !explicitParentheses {
                throw fail("Expected an expression, got '\(describe(current))'")
            }
        }
        return .tuple(args, loc)
    }

    private mutating func parseList() throws -> Expr {
        let loc = advance().location
        var items: [Expr] = []
        while !isOp(current, "]") {
            if !items.isEmpty { try expectOp(",") }
            if isOp(current, "]") { break }
            items.append(try parseExpression())
        }
        try expectOp("]")
        return .list(items, loc)
    }

    private mutating func parseDict() throws -> Expr {
        let loc = advance().location
        var items: [(Expr, Expr)] = []
        while !isOp(current, "}") {
            if !items.isEmpty { try expectOp(",") }
            if isOp(current, "}") { break }
            let key = try parseExpression()
            try expectOp(":")
            items.append((key, try parseExpression()))
        }
        try expectOp("}")
        return .dict(items, loc)
    }

    private mutating func parsePostfix(_ node: Expr) throws -> Expr {
        var node = node
        while true {
            if isOp(current, ".") || isOp(current, "[") {
                node = try parseSubscript(node)
            } else if isOp(current, "(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseFilterExpr(_ node: Expr) throws -> Expr {
        var node = node
        while true {
            if isOp(current, "|") {
                node = try parseFilter(node)!
            } else if isName(current, "is") {
                node = try parseTest(node)
            } else if isOp(current, "(") {
                node = try parseCall(node)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ node: Expr) throws -> Expr {
        let token = advance()
        if isOp(token, ".") {
            let attr = current
            _ = advance()
            switch attr.kind {
            case .name(let n): return .getattr(node, n, token.location)
            case .integer(let i): return .getitem(node, .literal(.int(i), attr.location), token.location)
            default: throw fail("expected name or number", attr.location)
            }
        }
        var args: [Expr] = []
        while !isOp(current, "]") {
            if !args.isEmpty { try expectOp(",") }
            args.append(try parseSubscribed())
        }
        try expectOp("]")
        let arg = args.count == 1 ? args[0] : .tuple(args, token.location)
        return .getitem(node, arg, token.location)
    }

    private mutating func parseSubscribed() throws -> Expr {
        let loc = current.location
        var start: Expr? = nil
        if isOp(current, ":") {
            _ = advance()
        } else {
            let node = try parseExpression()
            if !isOp(current, ":") { return node }
            _ = advance()
            start = node
        }
        var stop: Expr? = nil
        if !isOp(current, ":") && !isOp(current, "]") && !isOp(current, ",") {
            stop = try parseExpression()
        }
        var step: Expr? = nil
        if isOp(current, ":") {
            _ = advance()
            if !isOp(current, "]") && !isOp(current, ",") { step = try parseExpression() }
        }
        return .slice(start, stop, step, loc)
    }

    private mutating func parseCallArgs() throws -> Arguments {
        let open = current.location
        try expectOp("(")
        var args = Arguments()
        var requireComma = false
        func ensure(_ ok: Bool) throws {
            if !ok { throw JinjaError.syntax("invalid syntax for function call expression", at: open) }
        }
        while !isOp(current, ")") {
            if requireComma {
                try expectOp(",")
                if isOp(current, ")") { break }
            }
            if isOp(current, "*") {
                try ensure(args.star == nil && args.starStar == nil)
                _ = advance()
                args.star = try parseExpression()
            } else if isOp(current, "**") {
                try ensure(args.starStar == nil)
                _ = advance()
                args.starStar = try parseExpression()
            } else if case .name(let key) = current.kind, isOp(look, "=") {
                try ensure(args.starStar == nil)
                _ = advance()
                _ = advance()
                args.keyword.append((key, try parseExpression()))
            } else {
                try ensure(args.star == nil && args.starStar == nil && args.keyword.isEmpty)
                args.positional.append(try parseExpression())
            }
            requireComma = true
        }
        try expectOp(")")
        return args
    }

    /// A call is reported at its callee (`raise_exception(...)` at the name, a method
    /// call at the dot before the method name).
    private mutating func parseCall(_ node: Expr) throws -> Expr {
        .call(node, try parseCallArgs(), node.location)
    }

    private mutating func parseFilter(_ node: Expr?, startInline: Bool = false) throws -> Expr? {
        var node = node
        var inline = startInline
        while isOp(current, "|") || inline {
            if !inline { _ = advance() }
            let loc = current.location
            var name = try expectName()
            while isOp(current, ".") {
                _ = advance()
                name += "." + (try expectName())
            }
            guard Filters.known.contains(name) else { throw fail("No filter named '\(name)'.", loc) }
            let args = isOp(current, "(") ? try parseCallArgs() : Arguments()
            node = .filter(node, name, args, loc)
            inline = false
        }
        return node
    }

    private mutating func parseTest(_ node: Expr) throws -> Expr {
        let loc = advance().location
        let negated = skipName("not")
        let nameLoc = current.location
        var name = try expectName()
        while isOp(current, ".") {
            _ = advance()
            name += "." + (try expectName())
        }
        guard Tests.known.contains(name) else { throw fail("No test named '\(name)'.", nameLoc) }
        var args = Arguments()
        if isOp(current, "(") {
            args = try parseCallArgs()
        } else {
            var takesArg = false
            switch current.kind {
            case .name(let n): takesArg = !["else", "or", "and"].contains(n)
            case .string, .integer, .float, .op("("), .op("["), .op("{"): takesArg = true
            default: break
            }
            if takesArg {
                if isName(current, "is") { throw fail("You cannot chain multiple tests with is") }
                let arg = try parsePostfix(try parsePrimary())
                args.positional = [arg]
            }
        }
        let test = Expr.test(node, name, args, loc)
        return negated ? .not(test, loc) : test
    }
}

/// Collects the variable names an AST reads (used for a macro's `varargs`/`kwargs`/`caller`).
enum NameCollector {
    static func collect(_ nodes: [Node], into names: inout Set<String>) {
        for n in nodes { collect(n, into: &names) }
    }

    static func collect(_ node: Node, into names: inout Set<String>) {
        switch node {
        case .text, .breakLoop, .continueLoop: break
        case .output(let e): collect(e, into: &names)
        case .forLoop(_, let it, let cond, let body, let orElse, _):
            collect(it, into: &names)
            if let cond { collect(cond, into: &names) }
            collect(body, into: &names)
            collect(orElse, into: &names)
        case .ifChain(let branches, let orElse):
            for (t, b) in branches {
                collect(t, into: &names)
                collect(b, into: &names)
            }
            collect(orElse, into: &names)
        case .assign(_, let e, _): collect(e, into: &names)
        case .assignBlock(_, let f, let body, _):
            if let f { collect(f, into: &names) }
            collect(body, into: &names)
        case .macro(let m):
            for d in m.defaults { collect(d, into: &names) }
            collect(m.body, into: &names)
        case .callBlock(let call, let caller, _):
            collect(call, into: &names)
            collect(caller.body, into: &names)
        case .filterBlock(let f, let body, _):
            collect(f, into: &names)
            collect(body, into: &names)
        case .with(_, let values, let body, _):
            for v in values { collect(v, into: &names) }
            collect(body, into: &names)
        case .generation(let body): collect(body, into: &names)
        }
    }

    static func collect(_ args: Arguments, into names: inout Set<String>) {
        for a in args.positional { collect(a, into: &names) }
        for (_, a) in args.keyword { collect(a, into: &names) }
        if let s = args.star { collect(s, into: &names) }
        if let s = args.starStar { collect(s, into: &names) }
    }

    static func collect(_ expr: Expr, into names: inout Set<String>) {
        switch expr {
        case .literal: break
        case .name(let n, _): names.insert(n)
        case .list(let a, _), .tuple(let a, _), .concat(let a, _): for e in a { collect(e, into: &names) }
        case .dict(let pairs, _):
            for (k, v) in pairs {
                collect(k, into: &names)
                collect(v, into: &names)
            }
        case .getattr(let e, _, _), .neg(let e, _), .pos(let e, _), .not(let e, _): collect(e, into: &names)
        case .getitem(let a, let b, _), .and(let a, let b, _), .or(let a, let b, _), .binary(_, let a, let b, _):
            collect(a, into: &names)
            collect(b, into: &names)
        case .slice(let a, let b, let c, _):
            for e in [a, b, c] { if let e { collect(e, into: &names) } }
        case .call(let f, let args, _):
            collect(f, into: &names)
            collect(args, into: &names)
        case .filter(let v, _, let args, _):
            if let v { collect(v, into: &names) }
            collect(args, into: &names)
        case .test(let v, _, let args, _):
            collect(v, into: &names)
            collect(args, into: &names)
        case .compare(let e, let ops, _):
            collect(e, into: &names)
            for (_, o) in ops { collect(o, into: &names) }
        case .condExpr(let t, let b, let o, _):
            collect(t, into: &names)
            collect(b, into: &names)
            if let o { collect(o, into: &names) }
        }
    }
}
