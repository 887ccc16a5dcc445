import Foundation
import SynprefCore
import SynprefData

/// Rewards computed elsewhere (a GPU cluster running vLLM, say) for Stage 2: JSON lines
/// `{"content_hash": hex, "chosen": number, "rejected": number}`, the rewards of a pair's
/// stored chosen and rejected conversations.
public struct ScoreFile: Sendable {
    public var rewards: [ContentHash: (chosen: Double, rejected: Double)] = [:]

    public init() {}

    /// Reads and checks `path`; errors name the line and field.
    public static func load(path: String) throws -> ScoreFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CurationError.input(file: path, reason: "cannot read the file")
        }
        var file = ScoreFile()
        var lineNumber = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            let at = "\(path):\(lineNumber)"
            let value: JSONValue
            do { value = try JSONParser.parse(text) } catch { throw CurationError.input(file: at, reason: "not JSON: \(error)") }
            do {
                let o = try JSONFields(value, path: "", known: ["content_hash", "chosen", "rejected"])
                guard let hex = try o.string("content_hash") else { throw o.issue("content_hash", "missing") }
                guard let hash = ContentHash(hex: hex) else { throw o.issue("content_hash", "\"\(hex)\" is not a content hash (64 hex digits)") }
                guard let c = try o.number("chosen") else { throw o.issue("chosen", "missing; the reward of the stored chosen conversation") }
                guard let r = try o.number("rejected") else { throw o.issue("rejected", "missing; the reward of the stored rejected conversation") }
                guard c.isFinite, r.isFinite else { throw o.issue("chosen", "rewards must be finite numbers") }
                if file.rewards[hash] != nil { throw o.issue("content_hash", "\(hex) appears twice") }
                file.rewards[hash] = (c, r)
            } catch let issue as FieldIssue {
                throw CurationError.config(file: at, field: issue.field, reason: issue.reason)
            }
        }
        return file
    }

    /// Writes the rewards of `pairs` as a score file, atomically (pairs without rewards are
    /// left out).
    public static func write(_ rewards: PairScoring.Rewards, of pairs: [PreferencePair], to path: String) throws {
        let writer = try AtomicLineWriter(path: path)
        do {
            for p in pairs {
                guard let id = p.id, let r0 = rewards[id] else { continue }
                let r = (hash: p.contentHash, chosen: r0.chosen, rejected: r0.rejected)
                try writer.write(JSONValue.object(["content_hash": .string(r.hash.hex), "chosen": .double(r.chosen), "rejected": .double(r.rejected)]).serialized())
            }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
