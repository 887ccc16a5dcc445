import SynprefCore

/// Writes one pair as one JSON line in a format other tools read.
public protocol PreferenceRecordEncoder: Sendable {
    /// The record's JSON text, or the reason this format cannot hold the pair.
    func encode(_ pair: PreferencePair) throws(FieldIssue) -> String
}

extension PreferenceFormat {
    /// The writer for this format; nil for formats Synpref only reads (`writable` lists the others).
    public func encoder() -> (any PreferenceRecordEncoder)? {
        switch self {
        case .trl: return TRLExplicitEncoder()
        case .trlConversational, .openrlhf: return FullConversationEncoder()
        case .rewardbench: return RewardBenchEncoder()
        case .jsonl: return SynprefJSONLCodec()
        case .hhRLHF, .rmbPairwise, .rmbBestOfN: return nil
        }
    }
}

func appendMargin(_ margin: Double?, to s: inout String) {
    if let m = margin { s += ",\"margin\":\(JSONValue.double(m).serialized())" }
}

/// TRL explicit prompt, conversational: `{"prompt":[…],"chosen":[assistant],"rejected":[assistant]}`.
struct TRLExplicitEncoder: PreferenceRecordEncoder {
    func encode(_ pair: PreferencePair) throws(FieldIssue) -> String {
        var s = "{\"prompt\":"
        ConversationCodec.append(pair.context, to: &s)
        s += ",\"chosen\":["
        ConversationCodec.append(pair.chosen, to: &s)
        s += "],\"rejected\":["
        ConversationCodec.append(pair.rejected, to: &s)
        s += "]"
        appendMargin(pair.margin, to: &s)
        return s + "}"
    }
}

/// Full conversations, `{"chosen":[…],"rejected":[…]}`: TRL's implicit-prompt layout and what
/// OpenRLHF reads with `--apply_chat_template --chosen_key chosen --rejected_key rejected`
/// (no prompt key); `margin` when known.
struct FullConversationEncoder: PreferenceRecordEncoder {
    func encode(_ pair: PreferencePair) throws(FieldIssue) -> String {
        var s = "{\"chosen\":"
        ConversationCodec.append(pair.chosenConversation, to: &s)
        s += ",\"rejected\":"
        ConversationCodec.append(pair.rejectedConversation, to: &s)
        appendMargin(pair.margin, to: &s)
        return s + "}"
    }
}

/// RewardBench rows: `{"prompt":str,"chosen":str,"rejected":str,"subset":source,"id":n}`.
/// RewardBench prompts are single user turns, so other pairs are refused with a reason.
struct RewardBenchEncoder: PreferenceRecordEncoder {
    func encode(_ pair: PreferencePair) throws(FieldIssue) -> String {
        guard pair.context.count == 1, pair.context[0].role == .user else {
            throw FieldIssue("context", "RewardBench rows hold one user prompt; this pair has \(pair.context.count) context turns")
        }
        var s = "{\"prompt\":"
        JSONWriter.appendString(pair.context[0].content, to: &s)
        s += ",\"chosen\":"
        JSONWriter.appendString(pair.chosen.content, to: &s)
        s += ",\"rejected\":"
        JSONWriter.appendString(pair.rejected.content, to: &s)
        s += ",\"subset\":"
        JSONWriter.appendString(pair.source, to: &s)
        if let id = pair.id { s += ",\"id\":\(id)" }
        return s + "}"
    }
}
