import SynprefCore
import SynprefData

/// The three jobs LLM judges do in the pipeline.
public enum JudgeTask: String, Sendable, CaseIterable {
    /// The 5-tuple of preference attributes of a pair.
    case attributes
    /// Which response is better, against the guideline and human-labelled examples.
    case preference
    /// Whether each response of an objective pair is correct.
    case verify

    /// The JSON schema of the answer (sent as structured output, and checked on parse).
    public var schema: JSONValue {
        switch self {
        case .attributes:
            return ["type": "object", "additionalProperties": false,
                    "required": ["task_category", "objectivity", "controversiality", "desired_attributes", "annotation_guideline"],
                    "properties": [
                        "task_category": ["type": "string"],
                        "objectivity": ["type": "string", "enum": ["objective", "subjective"]],
                        "controversiality": ["type": "string", "enum": ["low", "medium", "high"]],
                        "desired_attributes": ["type": "array", "items": ["type": "string"]],
                        "annotation_guideline": ["type": "string"],
                    ]]
        case .preference:
            return ["type": "object", "additionalProperties": false, "required": ["rationale", "verdict"],
                    "properties": ["rationale": ["type": "string"],
                                   "verdict": ["type": "string", "enum": ["Candidate 1", "Candidate 2", "tie"]]]]
        case .verify:
            return ["type": "object", "additionalProperties": false, "required": ["rationale", "correct"],
                    "properties": ["rationale": ["type": "string"], "correct": ["type": "boolean"]]]
        }
    }

    /// Parses an attributes answer; nil with the reason when it is not valid.
    static func parseAttributes(_ content: String) -> (PreferenceAttributes?, String?) {
        guard let o = AnswerParser.object(in: content) else { return (nil, "the answer holds no JSON object") }
        let keys: Set<String> = ["task_category", "objectivity", "controversiality", "desired_attributes", "annotation_guideline"]
        let missing = keys.subtracting(o.keys)
        if !missing.isEmpty { return (nil, "the answer lacks \(missing.sorted().joined(separator: ", "))") }
        guard let category = o["task_category"]?.stringValue, !category.isEmpty else { return (nil, "task_category is not a string") }
        guard let objectivity = o["objectivity"]?.stringValue.flatMap(PreferenceAttributes.Objectivity.init(rawValue:)) else {
            return (nil, "objectivity is \(o["objectivity"]?.serialized() ?? "missing"), not objective or subjective")
        }
        guard let controversiality = o["controversiality"]?.stringValue.flatMap(PreferenceAttributes.Controversiality.init(rawValue:)) else {
            return (nil, "controversiality is \(o["controversiality"]?.serialized() ?? "missing"), not low, medium or high")
        }
        let desired: String
        switch o["desired_attributes"] {
        case .string(let s)?: desired = s
        case .array(let items)?: desired = items.compactMap(\.stringValue).joined(separator: "; ")
        default: return (nil, "desired_attributes is not a list of strings")
        }
        guard let guideline = o["annotation_guideline"]?.stringValue else { return (nil, "annotation_guideline is not a string") }
        return (PreferenceAttributes(taskCategory: category, objectivity: objectivity, controversiality: controversiality,
                                     desiredAttributes: desired, annotationGuideline: guideline), nil)
    }

    /// A preference answer: 1, 2 or 0 (tie); nil with the reason when not valid.
    static func parseVerdict(_ content: String) -> (Int?, String?) {
        guard let o = AnswerParser.object(in: content) else { return (nil, "the answer holds no JSON object") }
        switch o["verdict"]?.stringValue?.trimmingCharacters(in: .whitespaces) {
        case "Candidate 1"?: return (1, nil)
        case "Candidate 2"?: return (2, nil)
        case "tie"?, "Tie"?: return (0, nil)
        default: return (nil, "verdict is \(o["verdict"]?.serialized() ?? "missing"), not \"Candidate 1\", \"Candidate 2\" or \"tie\"")
        }
    }

    /// The `rationale` string of an answer, if it has one.
    static func rationale(_ content: String) -> String? {
        AnswerParser.object(in: content)?["rationale"]?.stringValue
    }

    /// A verify answer; nil with the reason when not valid.
    static func parseCorrect(_ content: String) -> (Bool?, String?) {
        guard let o = AnswerParser.object(in: content) else { return (nil, "the answer holds no JSON object") }
        guard case .bool(let b)? = o["correct"] else { return (nil, "correct is \(o["correct"]?.serialized() ?? "missing"), not true or false") }
        return (b, nil)
    }
}
