/// The parsed form of a template: statements (`Node`) holding expressions (`Expr`).
/// Every node keeps its source position so runtime errors can name it.

/// A constant written in the template.
enum Literal: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
}

enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", floorDiv = "//", mod = "%", pow = "**"
}

enum CompareOp: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", lteq = "<=", gt = ">", gteq = ">=", `in` = "in", notIn = "not in"
}

/// Call arguments as written: positional, keyword, `*args`, `**kwargs`.
struct Arguments: Sendable {
    var positional: [Expr] = []
    var keyword: [(String, Expr)] = []
    var star: Expr? = nil
    var starStar: Expr? = nil
}

indirect enum Expr: Sendable {
    case literal(Literal, SourceLocation)
    case name(String, SourceLocation)
    case list([Expr], SourceLocation)
    case tuple([Expr], SourceLocation)
    case dict([(Expr, Expr)], SourceLocation)
    /// `a.b`
    case getattr(Expr, String, SourceLocation)
    /// `a[b]`
    case getitem(Expr, Expr, SourceLocation)
    /// `a[start:stop:step]` (only inside `getitem`)
    case slice(Expr?, Expr?, Expr?, SourceLocation)
    case call(Expr, Arguments, SourceLocation)
    /// `value | name(args)`; value is nil in `{% filter %}` blocks and `{% set x | f %}`.
    case filter(Expr?, String, Arguments, SourceLocation)
    /// `value is [not] name(args)` (`not` is a separate `.not`).
    case test(Expr, String, Arguments, SourceLocation)
    case neg(Expr, SourceLocation)
    case pos(Expr, SourceLocation)
    case not(Expr, SourceLocation)
    case and(Expr, Expr, SourceLocation)
    case or(Expr, Expr, SourceLocation)
    case binary(BinaryOp, Expr, Expr, SourceLocation)
    /// `a ~ b ~ c`
    case concat([Expr], SourceLocation)
    /// `a < b <= c` (chained like Python).
    case compare(Expr, [(CompareOp, Expr)], SourceLocation)
    /// `body if test else orElse`
    case condExpr(test: Expr, body: Expr, orElse: Expr?, SourceLocation)

    var location: SourceLocation {
        switch self {
        case .literal(_, let l), .name(_, let l), .list(_, let l), .tuple(_, let l), .dict(_, let l),
            .getattr(_, _, let l), .getitem(_, _, let l), .slice(_, _, _, let l), .call(_, _, let l),
            .filter(_, _, _, let l), .test(_, _, _, let l), .neg(_, let l), .pos(_, let l), .not(_, let l),
            .and(_, _, let l), .or(_, _, let l), .binary(_, _, _, let l), .concat(_, let l),
            .compare(_, _, let l), .condExpr(_, _, _, let l):
            return l
        }
    }
}

/// The left side of `set` and `for`.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    /// `ns.attr` (namespace attribute).
    case namespaceAttr(String, String)
}

struct MacroDefinition: Sendable {
    var name: String
    var parameters: [String]
    /// Defaults of the last `defaults.count` parameters.
    var defaults: [Expr]
    var body: [Node]
    /// The body reads `varargs` / `kwargs` / `caller` (jinja2 then accepts extra
    /// positional / keyword arguments / a call block).
    var catchesVarargs: Bool
    var catchesKwargs: Bool
    var usesCaller: Bool
    var location: SourceLocation
}

indirect enum Node: Sendable {
    case text(String)
    case output(Expr)
    case forLoop(target: AssignTarget, iterable: Expr, condition: Expr?, body: [Node], orElse: [Node], SourceLocation)
    case ifChain(branches: [(Expr, [Node])], orElse: [Node])
    case assign(AssignTarget, Expr, SourceLocation)
    /// `{% set x %}...{% endset %}` with an optional filter chain (`{% set x | upper %}`).
    case assignBlock(AssignTarget, filter: Expr?, body: [Node], SourceLocation)
    case macro(MacroDefinition)
    /// `{% call(params) macro(args) %}body{% endcall %}`
    case callBlock(call: Expr, caller: MacroDefinition, SourceLocation)
    /// `{% filter name(args) %}body{% endfilter %}`
    case filterBlock(Expr, body: [Node], SourceLocation)
    case with(targets: [AssignTarget], values: [Expr], body: [Node], SourceLocation)
    /// transformers' `{% generation %}` marker (assistant masks); renders its body.
    case generation([Node])
    case breakLoop(SourceLocation)
    case continueLoop(SourceLocation)
}
