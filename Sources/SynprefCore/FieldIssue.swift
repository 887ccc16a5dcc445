/// A problem with one field of one record: which field (a path such as
/// `chosen[1].content` or `loser_list[2].answer`) and why, in words that say what to fix.
public struct FieldIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(_ field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
