import SynprefCore

extension JudgeOutcome {
    /// The output line of one pair (file mode's output, and a queue task's result):
    /// attributes → `{"id"?, "attributes": {...}, "judge"}` (or `null` with `"errors"`);
    /// preference and verify → `{"id"?, "label", "confidence", "votes": {...}, "errors"?}`.
    public func line(id: String?) -> JSONValue {
        var o = JSONObject()
        if let id { o["id"] = .string(id) }
        switch self {
        case .attributes(let a, let judge, let reasons):
            if let a {
                o["attributes"] = ["task_category": .string(a.taskCategory), "objectivity": .string(a.objectivity.rawValue),
                                   "controversiality": .string(a.controversiality.rawValue),
                                   "desired_attributes": .string(a.desiredAttributes), "annotation_guideline": .string(a.annotationGuideline)]
                o["judge"] = judge.map(JSONValue.string) ?? .null
            } else {
                o["attributes"] = .null
                o["errors"] = .array(reasons.map(JSONValue.string))
            }
        case .verdict(let v, let reasons):
            o["label"] = .string(v.label.rawValue)
            o["confidence"] = .double(v.confidence)
            o["votes"] = ["chosen": .integer(v.votes.chosen), "rejected": .integer(v.votes.rejected),
                          "tie": .integer(v.votes.tie), "invalid": .integer(v.votes.invalid)]
            if !reasons.isEmpty { o["errors"] = .array(reasons.map(JSONValue.string)) }
        case .notDone:
            o["label"] = .null
        }
        return .object(o)
    }
}
