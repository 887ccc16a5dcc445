import Foundation
import SynprefCore

/// Synpref's own JSON Lines record, which keeps everything the store knows about a pair:
///
///     {"context":[M…],"chosen":M,"rejected":M,"source":"…","margin":0.5,"tier":"gold",
///      "attributes":{"task_category":…,"objectivity":…,"controversiality":…,
///                    "desired_attributes":…,"annotation_guideline":…},
///      "labels":[{"labeler_kind":"human","labeler_id":"a1","label":"chosen",
///                 "confidence":0.9,"rationale":"…","created_at":1700000000.0}],
///      "content_hash":"<hex>"}
///
/// Messages are canonical (`ConversationCodec`). `margin`, `attributes`, `labels` are omitted when absent.
/// On reading, a `content_hash` that does not match the content is an error (the file was
/// edited), and labels and attributes are imported with the pair.
struct SynprefJSONLCodec: PreferenceRecordDecoder, PreferenceRecordEncoder {
    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let context = try JSONMessages.messages(try JSONMessages.member(o, "context", "context"), "context")
            let chosen = try JSONMessages.message(try JSONMessages.member(o, "chosen", "chosen"), "chosen")
            let rejected = try JSONMessages.message(try JSONMessages.member(o, "rejected", "rejected"), "rejected")
            var pair = PreferencePair(context: context, chosen: chosen, rejected: rejected, source: "")
            if let s = o["source"], !s.isNull { pair.source = try JSONMessages.string(s, "source") }
            pair.margin = try JSONMessages.optionalNumber(o, "margin")
            if let t = o["tier"], !t.isNull {
                let name = try JSONMessages.string(t, "tier")
                guard let tier = PreferenceTier(rawValue: name) else {
                    throw FieldIssue("tier", "unknown tier '\(name)'; expected unverified, silver, gold or discarded")
                }
                pair.tier = tier
            }
            if let a = o["attributes"], !a.isNull { pair.attributes = try SynprefJSONLCodec.attributes(a) }
            if let l = o["labels"], !l.isNull {
                guard case .array(let entries) = l else { throw FieldIssue("labels", "expected a list, found \(l.kindName)") }
                for (i, e) in entries.enumerated() { pair.labels.append(try SynprefJSONLCodec.label(e, "labels[\(i)]")) }
            }
            if let h = o["content_hash"], !h.isNull {
                let hex = try JSONMessages.string(h, "content_hash")
                guard let given = ContentHash(hex: hex) else { throw FieldIssue("content_hash", "is not 64 hexadecimal digits") }
                guard given == pair.contentHash else {
                    throw FieldIssue("content_hash", "does not match the pair's content (was the file edited?); remove the field to accept the new content")
                }
            }
            return pair
        }
    }

    static func attributes(_ v: JSONValue) throws(FieldIssue) -> PreferenceAttributes {
        let o = try JSONMessages.object(v, "attributes")
        func str(_ k: String) throws(FieldIssue) -> String {
            try JSONMessages.string(try JSONMessages.member(o, k, "attributes.\(k)"), "attributes.\(k)")
        }
        let objectivity = try str("objectivity")
        guard let obj = PreferenceAttributes.Objectivity(rawValue: objectivity) else {
            throw FieldIssue("attributes.objectivity", "'\(objectivity)' is not objective or subjective")
        }
        let controversiality = try str("controversiality")
        guard let con = PreferenceAttributes.Controversiality(rawValue: controversiality) else {
            throw FieldIssue("attributes.controversiality", "'\(controversiality)' is not low, medium or high")
        }
        return PreferenceAttributes(
            taskCategory: try str("task_category"), objectivity: obj, controversiality: con,
            desiredAttributes: try str("desired_attributes"), annotationGuideline: try str("annotation_guideline"))
    }

    static func label(_ v: JSONValue, _ field: String) throws(FieldIssue) -> LabelEntry {
        let o = try JSONMessages.object(v, field)
        func str(_ k: String) throws(FieldIssue) -> String {
            try JSONMessages.string(try JSONMessages.member(o, k, "\(field).\(k)"), "\(field).\(k)")
        }
        let kindName = try str("labeler_kind")
        guard let kind = Labeler.Kind(rawValue: kindName) else {
            throw FieldIssue("\(field).labeler_kind", "'\(kindName)' is not human, llm_judge or reward_model")
        }
        let labelName = try str("label")
        guard let label = PreferenceLabel(rawValue: labelName) else {
            throw FieldIssue("\(field).label", "'\(labelName)' is not chosen, rejected, tie or undetermined")
        }
        var rationale: String? = nil
        if let r = o["rationale"], !r.isNull { rationale = try JSONMessages.string(r, "\(field).rationale") }
        let created = try JSONMessages.optionalNumber(o, "created_at").map { Date(timeIntervalSince1970: $0) }
        return LabelEntry(pairID: 0, labeler: Labeler(kind: kind, id: try str("labeler_id")), label: label,
                          confidence: try JSONMessages.optionalNumber(o, "confidence"), rationale: rationale, createdAt: created)
    }

    func encode(_ pair: PreferencePair) throws(FieldIssue) -> String {
        var s = "{\"context\":"
        ConversationCodec.append(pair.context, to: &s)
        s += ",\"chosen\":"
        ConversationCodec.append(pair.chosen, to: &s)
        s += ",\"rejected\":"
        ConversationCodec.append(pair.rejected, to: &s)
        s += ",\"source\":"
        JSONWriter.appendString(pair.source, to: &s)
        if let m = pair.margin { s += ",\"margin\":\(JSONValue.double(m).serialized())" }
        s += ",\"tier\":\"\(pair.tier.rawValue)\""
        if let a = pair.attributes {
            s += ",\"attributes\":{\"task_category\":"
            JSONWriter.appendString(a.taskCategory, to: &s)
            s += ",\"objectivity\":\"\(a.objectivity.rawValue)\",\"controversiality\":\"\(a.controversiality.rawValue)\",\"desired_attributes\":"
            JSONWriter.appendString(a.desiredAttributes, to: &s)
            s += ",\"annotation_guideline\":"
            JSONWriter.appendString(a.annotationGuideline, to: &s)
            s += "}"
        }
        if !pair.labels.isEmpty {
            s += ",\"labels\":["
            for (i, l) in pair.labels.enumerated() {
                if i > 0 { s += "," }
                s += "{\"labeler_kind\":\"\(l.labeler.kind.rawValue)\",\"labeler_id\":"
                JSONWriter.appendString(l.labeler.id, to: &s)
                s += ",\"label\":\"\(l.label.rawValue)\""
                if let c = l.confidence { s += ",\"confidence\":\(JSONValue.double(c).serialized())" }
                if let r = l.rationale {
                    s += ",\"rationale\":"
                    JSONWriter.appendString(r, to: &s)
                }
                if let t = l.createdAt { s += ",\"created_at\":\(JSONValue.double(t.timeIntervalSince1970).serialized())" }
                s += "}"
            }
            s += "]"
        }
        s += ",\"content_hash\":\"\(pair.contentHash.hex)\"}"
        return s
    }
}
