import SynprefCore

/// Anthropic HH-RLHF: each side is a whole transcript of `"\n\nHuman: …"` and
/// `"\n\nAssistant: …"` turns that should differ only in the final Assistant turn.
///
/// Turns are split at every `"\n\nHuman: "` / `"\n\nAssistant: "` marker and their text is
/// kept exactly (no trimming), as TRL's hh-rlhf script does; a transcript may also start
/// with `"Human: "` without the blank line. The context is every turn before the last
/// one, which must be an Assistant turn. When the two transcripts disagree before their
/// final turn (5 of the 2312 harmless-base test rows) the record is rejected rather than
/// guessing which history is right.
struct HHRLHFDecoder: PreferenceRecordDecoder {
    func decode(_ record: JSONValue) -> [Result<PreferencePair, FieldIssue>] {
        one { () throws(FieldIssue) -> PreferencePair in
            let o = try JSONMessages.object(record, "(record)")
            let c = try HHRLHFDecoder.turns(JSONMessages.string(try JSONMessages.member(o, "chosen", "chosen"), "chosen"), "chosen")
            let r = try HHRLHFDecoder.turns(JSONMessages.string(try JSONMessages.member(o, "rejected", "rejected"), "rejected"), "rejected")
            guard let lc = c.last, lc.role == .assistant else { throw FieldIssue("chosen", "the transcript does not end with an Assistant turn") }
            guard let lr = r.last, lr.role == .assistant else { throw FieldIssue("rejected", "the transcript does not end with an Assistant turn") }
            let cc = Array(c.dropLast())
            let rc = Array(r.dropLast())
            guard cc == rc else {
                let k = zip(cc, rc).prefix { $0 == $1 }.count
                throw FieldIssue("rejected", "the chosen and rejected transcripts differ before their final Assistant turn (at turn \(k + 1): chosen has \(cc.count) earlier turns, rejected \(rc.count)); the shared context is ambiguous")
            }
            return PreferencePair(context: cc, chosen: lc, rejected: lr, source: "")
        }
    }

    static let human = Array("\n\nHuman: ".utf8)
    static let assistant = Array("\n\nAssistant: ".utf8)

    /// Splits a transcript into turns at the markers.
    static func turns(_ text: String, _ field: String) throws(FieldIssue) -> [Message] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: human.dropFirst(2)) || bytes.starts(with: assistant.dropFirst(2)) {
            bytes.insert(contentsOf: [0x0A, 0x0A], at: 0)
        }
        var markers: [(at: Int, length: Int, role: ChatRole)] = []
        var i = 0
        let n = bytes.count
        while i + 1 < n {
            if bytes[i] == 0x0A && bytes[i + 1] == 0x0A {
                if matches(bytes, i, human) {
                    markers.append((i, human.count, .user))
                    i += human.count
                    continue
                }
                if matches(bytes, i, assistant) {
                    markers.append((i, assistant.count, .assistant))
                    i += assistant.count
                    continue
                }
            }
            i += 1
        }
        guard let first = markers.first, first.at == 0 else {
            throw FieldIssue(field, "not an HH-RLHF transcript: it must start with \"\\n\\nHuman: \"")
        }
        var out: [Message] = []
        out.reserveCapacity(markers.count)
        for (k, m) in markers.enumerated() {
            let start = m.at + m.length
            let end = k + 1 < markers.count ? markers[k + 1].at : n
            out.append(Message(role: m.role, content: String(decoding: bytes[start..<end], as: UTF8.self)))
        }
        return out
    }

    private static func matches(_ b: [UInt8], _ i: Int, _ marker: [UInt8]) -> Bool {
        guard i + marker.count <= b.count else { return false }
        for k in 0..<marker.count where b[i + k] != marker[k] { return false }
        return true
    }
}
