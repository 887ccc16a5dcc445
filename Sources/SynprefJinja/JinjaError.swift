/// A position in the template source: 1-based line and column (columns count Unicode
/// scalars, as Python counts characters; `\r\n` counts as one line break).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Why a template could not be parsed or rendered. Every case names the template
/// position, so a user can find the construct in the template file.
public enum JinjaError: Error, CustomStringConvertible, Equatable {
    /// The template text is not valid Jinja (what jinja2 reports as TemplateSyntaxError).
    case syntax(String, at: SourceLocation)
    /// Valid Jinja that this interpreter does not implement; rendering it could only be
    /// guessed, so it is refused.
    case unsupported(String, at: SourceLocation)
    /// An operation jinja2 would also fail on: undefined values used, type errors, the
    /// sandbox refusing an unsafe attribute.
    case runtime(String, at: SourceLocation)
    /// The template called `raise_exception(message)`: the template's own message.
    case raised(String, at: SourceLocation)

    public var message: String {
        switch self {
        case .syntax(let m, _), .unsupported(let m, _), .runtime(let m, _), .raised(let m, _): return m
        }
    }

    public var location: SourceLocation {
        switch self {
        case .syntax(_, let l), .unsupported(_, let l), .runtime(_, let l), .raised(_, let l): return l
        }
    }

    public var description: String {
        switch self {
        case .syntax(let m, let l):
            return "chat template syntax error at line \(l.line), column \(l.column): \(m)"
        case .unsupported(let m, let l):
            return "chat template uses an unsupported construct at line \(l.line), column \(l.column): \(m). "
                + "Synpref refuses to guess its output; please report the template."
        case .runtime(let m, let l):
            return "chat template failed at line \(l.line), column \(l.column): \(m)"
        case .raised(let m, let l):
            return "chat template raised an exception at line \(l.line), column \(l.column): \(m)"
        }
    }
}
