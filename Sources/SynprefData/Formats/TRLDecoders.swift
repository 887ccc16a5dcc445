import SynprefCore

/// TRL conversational with implicit prompt (and OpenRLHF without a prompt key): two full
/// conversations that share all turns but the final assistant response.
struct ImplicitPromptDecoder: PreferenceRecordDecoder {
    var chosenKey: String
    var rejectedKey: String
    var marginKey: String

    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let c = try JSONMessages.messages(try JSONMessages.member(o, chosenKey, chosenKey), chosenKey)
            let r = try JSONMessages.messages(try JSONMessages.member(o, rejectedKey, rejectedKey), rejectedKey)
            let split = try JSONMessages.splitSharedPrefix(chosen: c, rejected: r, chosenField: chosenKey, rejectedField: rejectedKey)
            let margin = try JSONMessages.optionalNumber(o, marginKey)
            return PreferencePair(context: split.context, chosen: split.chosen, rejected: split.rejected, source: "", margin: margin)
        }
    }
}

/// TRL explicit prompt and OpenRLHF with a prompt key: the prompt as a string (one user
/// turn) or messages; each response as a string or a one-message list. When the prompt
/// key is absent and not required, falls back to the implicit-prompt layout.
struct ExplicitPromptDecoder: PreferenceRecordDecoder {
    var promptKey: String
    var chosenKey: String
    var rejectedKey: String
    var marginKey: String
    var promptRequired: Bool

    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        if !promptRequired, case .object(let o) = record, !o.contains(key: promptKey) {
            return ImplicitPromptDecoder(chosenKey: chosenKey, rejectedKey: rejectedKey, marginKey: marginKey).decode(record)
        }
        return one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let context = try JSONMessages.prompt(try JSONMessages.member(o, promptKey, promptKey), promptKey)
            let chosen = try JSONMessages.response(try JSONMessages.member(o, chosenKey, chosenKey), chosenKey)
            let rejected = try JSONMessages.response(try JSONMessages.member(o, rejectedKey, rejectedKey), rejectedKey)
            let margin = try JSONMessages.optionalNumber(o, marginKey)
            return PreferencePair(context: context, chosen: chosen, rejected: rejected, source: "", margin: margin)
        }
    }
}
