import SynprefCore

/// RMB (Zhou et al.) conversation input: `[{role, content, language}]`, ending with a user turn.
enum RMBConversation {
    static func context(_ o: JSONObject) throws(FieldIssue) -> [Message] {
        try JSONMessages.messages(try JSONMessages.member(o, "conversation_input", "conversation_input"), "conversation_input")
    }

    static func answer(_ v: JSONValue, _ field: String) throws(FieldIssue) -> Message {
        let o = try JSONMessages.object(v, field)
        let a = try JSONMessages.string(try JSONMessages.member(o, "answer", "\(field).answer"), "\(field).answer")
        return Message(role: .assistant, content: a)
    }
}

/// RMB pairwise rows: `conversation_input`, `chosen: {llm_name, answer}`, `reject: {llm_name, answer}`.
struct RMBPairwiseDecoder: PreferenceRecordDecoder {
    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let context = try RMBConversation.context(o)
            let chosen = try RMBConversation.answer(try JSONMessages.member(o, "chosen", "chosen"), "chosen")
            let rejected = try RMBConversation.answer(try JSONMessages.member(o, "reject", "reject"), "reject")
            return PreferencePair(context: context, chosen: chosen, rejected: rejected, source: "")
        }
    }
}

/// RMB best-of-N rows: `bon_best` against each entry of `loser_list`, one pair per loser.
struct RMBBestOfNDecoder: PreferenceRecordDecoder {
    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        let context: [Message]
        let best: Message
        let losers: [JSONValue]
        do throws(FieldIssue) {
            let o = try JSONMessages.object(record, "(record)")
            context = try RMBConversation.context(o)
            best = try RMBConversation.answer(try JSONMessages.member(o, "bon_best", "bon_best"), "bon_best")
            guard case .array(let l) = try JSONMessages.member(o, "loser_list", "loser_list") else {
                throw FieldIssue("loser_list", "expected a list of {llm_name, answer}")
            }
            losers = l
        } catch {
            return [.failure(error)]
        }
        if losers.isEmpty { return [.failure(FieldIssue("loser_list", "is empty; a best-of-N row needs at least one loser"))] }
        return losers.enumerated().map { i, loser in
            do throws(FieldIssue) {
                let rejected = try RMBConversation.answer(loser, "loser_list[\(i)]")
                return .success(PreferencePair(context: context, chosen: best, rejected: rejected, source: ""))
            } catch {
                return .failure(error)
            }
        }
    }
}
