import Foundation
import SynprefCore
import SynprefData

/// An annotation project's settings, kept in the store (`AnnotationStore`) and changed by
/// admins: the project guideline (Markdown), the overlap k (each pair is answered by k
/// different annotators), the order pairs are offered in, and the tiers the queue is fed from.
///
/// Stored as JSON: `{"guideline": str, "overlap": int, "priority": "paper" | "uncertainty",
/// "tiers": [str]}`.
public struct AnnotationSettings: Sendable, Equatable {
    public enum Priority: String, Sendable, CaseIterable {
        /// The paper's order: objective before subjective, low controversiality first.
        case paper
        /// The reward model's least certain pairs (|p − 0.5| smallest) first.
        case uncertainty
    }

    public var guideline = ""
    public var overlap = 1
    public var priority = Priority.paper
    public var tiers: [PreferenceTier] = [.unverified]

    public init(guideline: String = "", overlap: Int = 1, priority: Priority = .paper, tiers: [PreferenceTier] = [.unverified]) {
        self.guideline = guideline
        self.overlap = overlap
        self.priority = priority
        self.tiers = tiers
    }

    public static let maxOverlap = 10

    /// Checks the values (overlap 1…10, at least one tier).
    public func validated() throws -> AnnotationSettings {
        guard (1...Self.maxOverlap).contains(overlap) else {
            throw CurationError.input(file: "overlap", reason: "\(overlap): each pair needs 1 to \(Self.maxOverlap) annotators")
        }
        guard !tiers.isEmpty else { throw CurationError.input(file: "tiers", reason: "name at least one tier to feed the queue") }
        return self
    }

    public static func parse(_ text: String) throws -> AnnotationSettings {
        do {
            let o = try JSONFields(try JSONParser.parse(Array(text.utf8)), path: "", known: ["guideline", "overlap", "priority", "tiers"])
            var s = AnnotationSettings()
            s.guideline = try o.string("guideline") ?? ""
            s.overlap = try o.int("overlap", min: 1, max: maxOverlap) ?? 1
            s.priority = try o.choice("priority", Priority.allCases.map(\.rawValue)).flatMap(Priority.init) ?? .paper
            if let names = try o.strings("tiers") {
                s.tiers = try names.map { name in
                    guard let t = PreferenceTier(rawValue: name) else { throw o.issue("tiers", "unknown tier \"\(name)\"") }
                    return t
                }
            }
            return try s.validated()
        } catch let issue as FieldIssue {
            throw CurationError.input(file: "annotation project settings", reason: issue.description)
        } catch let error as CurationError {
            throw error
        } catch {
            throw CurationError.input(file: "annotation project settings", reason: "not valid JSON: \(error)")
        }
    }

    public func serialized() -> String {
        var o: JSONObject = ["overlap": .integer(overlap), "priority": .string(priority.rawValue), "tiers": .array(tiers.map { .string($0.rawValue) })]
        if !guideline.isEmpty { o["guideline"] = .string(guideline) }
        return JSONValue.object(o).serialized()
    }
}
