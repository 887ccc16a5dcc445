import Foundation
import SynprefCore
import SynprefData
import SynprefJinja

/// The prompt of each task: a Jinja template (Sources/SynprefJudge/Prompts/*.jinja by
/// default, or the user's own file) rendering the one user message, and for preference
/// the Markdown guideline it starts with (Prompts/guideline.md by default).
///
/// Variables: attributes — `conversation` (list of `{role, content}`), `response_a`,
/// `response_b`; preference — `guideline`, `examples` (list of `{conversation, attributes,
/// candidate_1, candidate_2, label}`), `conversation`, `attributes` (or none),
/// `candidate_1`, `candidate_2`; verify — `conversation`, `attributes`, `response`.
public struct PromptTemplates: Sendable {
    public var attributes: ChatTemplate
    public var preference: ChatTemplate
    public var verify: ChatTemplate
    public var guideline: String

    /// The shipped templates and guideline.
    public static func defaults() throws -> PromptTemplates {
        func text(_ name: String) throws -> String {
            guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Prompts") else {
                throw JudgeError.prompt(file: "Prompts/\(name)", reason: "the shipped prompt is missing from the build (resources of SynprefJudge)")
            }
            return try String(contentsOf: url, encoding: .utf8)
        }
        return PromptTemplates(attributes: try template(text("attributes.jinja"), file: "attributes.jinja"),
                               preference: try template(text("preference.jinja"), file: "preference.jinja"),
                               verify: try template(text("verify.jinja"), file: "verify.jinja"),
                               guideline: try text("guideline.md"))
    }

    public init(attributes: ChatTemplate, preference: ChatTemplate, verify: ChatTemplate, guideline: String) {
        self.attributes = attributes
        self.preference = preference
        self.verify = verify
        self.guideline = guideline
    }

    public static func template(_ source: String, file: String) throws -> ChatTemplate {
        do { return try ChatTemplate(source: source) } catch {
            throw JudgeError.prompt(file: file, reason: "not a valid Jinja template: \(error)")
        }
    }

    public static func read(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw JudgeError.prompt(file: path, reason: "cannot read (\(error.localizedDescription))")
        }
    }

    static func conversation(_ messages: [ChatMessage]) -> JinjaValue {
        .array(messages.map { .object(JinjaObject([("role", .string($0.role.rawValue)), ("content", .string($0.content))])) })
    }

    static func attributes(_ a: PreferenceAttributes?) -> JinjaValue {
        guard let a else { return .null }
        return .object(JinjaObject([
            ("task_category", .string(a.taskCategory)), ("objectivity", .string(a.objectivity.rawValue)),
            ("controversiality", .string(a.controversiality.rawValue)), ("desired_attributes", .string(a.desiredAttributes)),
            ("annotation_guideline", .string(a.annotationGuideline)),
        ]))
    }

    func render(_ template: ChatTemplate, _ context: [String: JinjaValue], task: String) throws -> String {
        do { return try template.render(context: context) } catch {
            throw JudgeError.prompt(file: "\(task) prompt", reason: "rendering failed: \(error)")
        }
    }
}
