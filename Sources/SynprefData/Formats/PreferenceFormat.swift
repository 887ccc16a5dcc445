import SynprefCore

/// The record layouts Synpref reads (and, where it makes sense, writes).
///
/// Each file is JSON Lines or one JSON array (detected), plain or gzip.
public enum PreferenceFormat: String, Sendable, CaseIterable, Hashable {
    /// TRL conversational, implicit prompt (Skywork-Reward-Preference-80K):
    /// `{"chosen": [messages], "rejected": [messages]}` sharing all turns but the last.
    case trlConversational = "trl-conversational"
    /// TRL explicit prompt: `{"prompt", "chosen", "rejected"}` as strings or message lists; optional `margin`.
    case trl
    /// OpenRLHF reward datasets: keys set by `FormatOptions` (`--prompt-key/--chosen-key/--rejected-key`);
    /// with a prompt key like `trl`, without one like `trl-conversational`; optional `margin`.
    case openrlhf
    /// RewardBench: `{"prompt", "chosen", "rejected", "subset", "id"}` with string responses
    /// (RewardBench 2 lists of responses expand to every chosen × rejected pair).
    case rewardbench
    /// Anthropic HH-RLHF transcripts: `{"chosen": "\n\nHuman: …\n\nAssistant: …", "rejected": …}`.
    case hhRLHF = "hh-rlhf"
    /// RMB pairwise: `conversation_input`, `chosen.answer`, `reject.answer`.
    case rmbPairwise = "rmb-pairwise"
    /// RMB best-of-N: `conversation_input`, `bon_best.answer`, `loser_list[].answer`, expanded to
    /// one pair per loser (best vs. each loser).
    case rmbBestOfN = "rmb-bon"
    /// Synpref's own JSON Lines, full fidelity: context, chosen, rejected, source, margin,
    /// attributes, tier, labels (what `synpref data export --format jsonl` writes).
    case jsonl

    /// Formats `synpref data export` can write.
    public static let writable: [PreferenceFormat] = [.trl, .trlConversational, .openrlhf, .rewardbench, .jsonl]

    /// Names the record's layout from its keys, or explains why it cannot.
    ///
    /// Rules, first match wins: `conversation_input` + `bon_best` → rmb-bon;
    /// `conversation_input` + `reject` → rmb-pairwise; `context` + `chosen` + `rejected` →
    /// jsonl; `prompt` + `chosen` + `rejected` + `subset` → rewardbench; `prompt` + `chosen` +
    /// `rejected` → trl; `chosen` + `rejected` as strings starting with "\n\nHuman:" or
    /// "Human:" → hh-rlhf; `chosen` + `rejected` as lists → trl-conversational.
    public static func detect(_ record: JSONValue) -> Result<PreferenceFormat, FieldIssue> {
        guard case .object(let o) = record else {
            return .failure(FieldIssue("(record)", "expected a JSON object, found \(record.kindName); cannot detect the format"))
        }
        let has = { (k: String) in o.contains(key: k) }
        if has("conversation_input") && has("bon_best") { return .success(.rmbBestOfN) }
        if has("conversation_input") && has("reject") { return .success(.rmbPairwise) }
        if has("chosen") && has("rejected") {
            if has("context") { return .success(.jsonl) }
            if has("prompt") { return .success(has("subset") ? .rewardbench : .trl) }
            if let c = o["chosen"]?.stringValue {
                if c.hasPrefix("\n\nHuman:") || c.hasPrefix("Human:") { return .success(.hhRLHF) }
                return .failure(FieldIssue("chosen", "is a plain string without a prompt and not an HH-RLHF transcript; name the format"))
            }
            if case .array? = o["chosen"] { return .success(.trlConversational) }
        }
        let known = PreferenceFormat.allCases.map(\.rawValue).joined(separator: ", ")
        return .failure(FieldIssue("(record)", "cannot detect the format from keys [\(o.keys.prefix(12).joined(separator: ", "))]; name the format (one of \(known))"))
    }

    /// The decoder for this layout.
    public func decoder(_ options: FormatOptions = FormatOptions()) -> any PreferenceRecordDecoder {
        switch self {
        case .trlConversational: return ImplicitPromptDecoder(chosenKey: "chosen", rejectedKey: "rejected", marginKey: "margin")
        case .trl: return ExplicitPromptDecoder(promptKey: "prompt", chosenKey: "chosen", rejectedKey: "rejected", marginKey: "margin", promptRequired: true)
        case .openrlhf:
            if let p = options.promptKey {
                return ExplicitPromptDecoder(promptKey: p, chosenKey: options.chosenKey, rejectedKey: options.rejectedKey,
                                             marginKey: options.marginKey, promptRequired: true)
            }
            return ExplicitPromptDecoder(promptKey: "prompt", chosenKey: options.chosenKey, rejectedKey: options.rejectedKey,
                                         marginKey: options.marginKey, promptRequired: false)
        case .rewardbench: return RewardBenchDecoder()
        case .hhRLHF: return HHRLHFDecoder()
        case .rmbPairwise: return RMBPairwiseDecoder()
        case .rmbBestOfN: return RMBBestOfNDecoder()
        case .jsonl: return SynprefJSONLCodec()
        }
    }
}

/// Options that change how records are read.
public struct FormatOptions: Sendable, Hashable {
    /// OpenRLHF `--prompt-key`; nil means "prompt" when present, else an implicit prompt.
    public var promptKey: String?
    public var chosenKey: String
    public var rejectedKey: String
    public var marginKey: String

    public init(promptKey: String? = nil, chosenKey: String = "chosen", rejectedKey: String = "rejected", marginKey: String = "margin") {
        self.promptKey = promptKey
        self.chosenKey = chosenKey
        self.rejectedKey = rejectedKey
        self.marginKey = marginKey
    }
}

/// Turns one parsed record into preference pairs (several for best-of-N records), each
/// with its own problem if it has one, so one bad loser does not cost the others.
/// Pairs come back with an empty `source`; the importer fills it in.
public protocol PreferenceRecordDecoder: Sendable {
    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>]

    /// Decodes straight from the record's bytes when it has the expected shape, or returns
    /// nil to let the caller parse it and call `decode` (which names every problem).
    /// For every record it accepts, it must give exactly what `decode` would.
    func fastDecode(_ bytes: [UInt8]) -> [Result<PreferencePair, FieldIssue>]?
}

extension PreferenceRecordDecoder {
    public func fastDecode(_ bytes: [UInt8]) -> [Result<PreferencePair, FieldIssue>]? { nil }

    /// Wraps a single-pair decode.
    func one(_ body: () throws(FieldIssue) -> PreferencePair) -> [Result<PreferencePair, FieldIssue>] {
        do {
            return [.success(try body())]
        } catch {
            return [.failure(error)]
        }
    }
}
