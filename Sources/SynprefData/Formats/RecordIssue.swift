import SynprefCore

/// A problem located in a file: `file:line`, field, reason.
public struct RecordIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var field: String
    public var reason: String

    public init(file: String, line: Int, field: String, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    public init(file: String, line: Int, _ issue: FieldIssue) {
        self.init(file: file, line: line, field: issue.field, reason: issue.reason)
    }

    public var description: String { "\(file):\(line): \(field): \(reason)" }
}
