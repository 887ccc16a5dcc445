import SynprefCore

/// RewardBench rows: a string prompt (or a message list) and string responses. RewardBench 2
/// stores lists of correct and incorrect responses; every chosen × rejected combination
/// becomes a pair.
struct RewardBenchDecoder: PreferenceRecordDecoder {
    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        let context: [Message]
        let chosen: [Result<String, FieldIssue>]
        let rejected: [Result<String, FieldIssue>]
        do throws(FieldIssue) {
            let o = try JSONMessages.object(record, "(record)")
            context = try JSONMessages.prompt(try JSONMessages.member(o, "prompt", "prompt"), "prompt")
            chosen = try responses(try JSONMessages.member(o, "chosen", "chosen"), "chosen")
            rejected = try responses(try JSONMessages.member(o, "rejected", "rejected"), "rejected")
        } catch {
            return [.failure(error)]
        }
        var out: [Result<PreferencePair, FieldIssue>] = []
        for c in chosen {
            for r in rejected {
                switch (c, r) {
                case (.failure(let e), _), (_, .failure(let e)):
                    out.append(.failure(e))
                case (.success(let cs), .success(let rs)):
                    out.append(.success(PreferencePair(
                        context: context, chosen: Message(role: .assistant, content: cs),
                        rejected: Message(role: .assistant, content: rs), source: "")))
                }
            }
        }
        if out.isEmpty { out.append(.failure(FieldIssue(chosen.isEmpty ? "chosen" : "rejected", "is an empty list"))) }
        return out
    }

    private func responses(_ v: JSONValue, _ field: String) throws(FieldIssue) -> [Result<String, FieldIssue>] {
        switch v {
        case .string(let s): return [.success(s)]
        case .array(let a):
            return a.enumerated().map { i, e in
                if let s = e.stringValue { return .success(s) }
                return .failure(FieldIssue("\(field)[\(i)]", "expected a string, found \(e.kindName)"))
            }
        case .null: throw FieldIssue(field, "is null; expected a response")
        default: throw FieldIssue(field, "expected a string or a list of strings, found \(v.kindName)")
        }
    }
}
