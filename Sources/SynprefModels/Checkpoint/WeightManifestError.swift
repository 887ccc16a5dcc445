/// One way a checkpoint fails its weight manifest.
public enum WeightProblem: Sendable, Hashable, CustomStringConvertible {
    case missing(name: String, shape: [Int])
    case wrongShape(name: String, expected: [Int], found: [Int])
    case unsupportedDType(name: String, dtype: String)
    case unreadable(name: String, reason: String)

    public var name: String {
        switch self {
        case .missing(let name, _), .wrongShape(let name, _, _), .unsupportedDType(let name, _),
            .unreadable(let name, _):
            return name
        }
    }

    public var description: String {
        switch self {
        case .missing(let name, let shape): return "missing \"\(name)\" (expected shape \(shape))"
        case .wrongShape(let name, let expected, let found):
            return "\"\(name)\" has shape \(found), the config needs \(expected)"
        case .unsupportedDType(let name, let dtype): return "\"\(name)\" is stored as \(dtype), which is not supported"
        case .unreadable(let name, let reason): return "\"\(name)\" cannot be read: \(reason)"
        }
    }
}

/// A checkpoint whose tensors do not match what its config.json requires.
public enum WeightManifestError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Every problem found, in manifest order.
    case mismatch(checkpoint: String, problems: [WeightProblem])

    /// At most this many problems are spelled out in `description`.
    static let shownProblems = 20

    public var description: String {
        switch self {
        case .mismatch(let checkpoint, let problems):
            var lines = ["\(checkpoint): the weights do not match config.json (\(problems.count) problem"
                + (problems.count == 1 ? ")" : "s)") + "; is this the config of these weights?"]
            lines += problems.prefix(Self.shownProblems).map { "  - \($0)" }
            if problems.count > Self.shownProblems {
                lines.append("  - and \(problems.count - Self.shownProblems) more")
            }
            return lines.joined(separator: "\n")
        }
    }
}
