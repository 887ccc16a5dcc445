import Foundation
import SynprefCore
import SynprefData

/// One person's answer to a pair, as the work-queue claim's result records it: the
/// verdict as they saw it (Response A / B), what it means for the stored pair, the order
/// the responses were shown in, strength, rationale and time spent.
///
/// JSON: `{"verdict": "a" | "b" | "tie" | "undetermined", "label": "chosen" | "rejected" |
/// "tie" | "undetermined", "shown": "chosen_first" | "rejected_first", "strength":
/// "slightly" | "clearly" | null, "rationale": str | null, "ms": int | null, "role":
/// "annotator" | "reviewer"}`. A bare label (`"chosen"`, `"rejected"`, `"undetermined"`), as
/// answers given by file are recorded, reads as that label.
public struct HumanAnswer: Sendable, Equatable {
    public enum Verdict: String, Sendable, CaseIterable {
        case a, b, tie, undetermined
    }

    public enum Strength: String, Sendable, CaseIterable {
        case slightly, clearly
    }

    public enum Role: String, Sendable {
        case annotator, reviewer
    }

    public var verdict: Verdict?
    /// The verdict relative to the stored pair.
    public var label: PreferenceLabel
    /// Whether Response A was the stored chosen response (nil when not recorded).
    public var chosenShownFirst: Bool?
    public var strength: Strength?
    public var rationale: String?
    public var milliseconds: Int?
    public var role = Role.annotator

    public init(verdict: Verdict, chosenShownFirst: Bool, strength: Strength? = nil, rationale: String? = nil, milliseconds: Int? = nil,
                role: Role = .annotator) {
        self.verdict = verdict
        self.chosenShownFirst = chosenShownFirst
        self.strength = strength
        self.rationale = rationale
        self.milliseconds = milliseconds
        self.role = role
        switch verdict {
        case .a: label = chosenShownFirst ? .chosen : .rejected
        case .b: label = chosenShownFirst ? .rejected : .chosen
        case .tie: label = .tie
        case .undetermined: label = .undetermined
        }
    }

    init(label: PreferenceLabel) {
        self.label = label
    }

    /// The verdict as someone who sees the stored chosen response first (or not) would give it.
    public func verdict(chosenShownFirst first: Bool) -> Verdict {
        switch label {
        case .chosen: return first ? .a : .b
        case .rejected: return first ? .b : .a
        case .tie: return .tie
        case .undetermined: return .undetermined
        }
    }

    public func serialized() -> String {
        var o: JSONObject = ["label": .string(label.rawValue), "role": .string(role.rawValue)]
        o["verdict"] = verdict.map { .string($0.rawValue) } ?? .null
        o["shown"] = chosenShownFirst.map { .string($0 ? "chosen_first" : "rejected_first") } ?? .null
        o["strength"] = strength.map { .string($0.rawValue) } ?? .null
        o["rationale"] = rationale.map(JSONValue.string) ?? .null
        o["ms"] = milliseconds.map(JSONValue.integer) ?? .null
        return JSONValue.object(o).serialized()
    }

    /// Reads a claim's result; nil when it is not an answer.
    public static func parse(_ text: String?) -> HumanAnswer? {
        guard let text else { return nil }
        if let label = PreferenceLabel(rawValue: text) { return HumanAnswer(label: label) }
        guard let value = try? JSONParser.parse(text), let label = value["label"]?.stringValue.flatMap(PreferenceLabel.init) else { return nil }
        var a = HumanAnswer(label: label)
        a.verdict = value["verdict"]?.stringValue.flatMap(Verdict.init)
        a.chosenShownFirst = value["shown"]?.stringValue.map { $0 == "chosen_first" }
        a.strength = value["strength"]?.stringValue.flatMap(Strength.init)
        a.rationale = value["rationale"]?.stringValue
        a.milliseconds = value["ms"]?.intValue
        a.role = value["role"]?.stringValue.flatMap(Role.init) ?? .annotator
        return a
    }
}
