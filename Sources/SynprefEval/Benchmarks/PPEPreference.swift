import Foundation
import SynprefCore

/// PPE human preference (lmarena-ai/PPE-Human-Preference-V1, 16,038 Chatbot Arena pairs).
///
/// Rule (docs/benchmarks.md; PPE's own code is not available to us, so unverified): a pair is
/// right iff the winner's response scores strictly higher; ties (`winner` other than model_a /
/// model_b, e.g. "tie", "tie (bothbad)") are excluded. `winner` may name the side
/// ("model_a") or the model itself.
public enum PPEPreference {
    public static let ruleVersion = "ppe-preference/1: accuracy on non-tie pairs, strict > (docs/benchmarks.md; unverified against PPE's code)"
    public static let whereToGet =
        "Export the Hugging Face dataset lmarena-ai/PPE-Human-Preference-V1 (split \"test\") with "
        + ".to_json(\"ppe/human_preference_v1.jsonl\")."

    public struct Row: Sendable, Decodable {
        public var questionID: LooseID?
        public var prompt: PromptField
        public var response1: String
        public var response2: String
        public var winner: String
        public var modelA: String?
        public var modelB: String?

        enum CodingKeys: String, CodingKey {
            case questionID = "question_id", prompt, response1 = "response_1", response2 = "response_2", winner
            case modelA = "model_a", modelB = "model_b"
        }

        /// 1 or 2 for the preferred response, nil for a tie.
        public var winningSide: Int? {
            if winner == "model_a" { return 1 }
            if winner == "model_b" { return 2 }
            if let a = modelA, winner == a, winner != modelB { return 1 }
            if let b = modelB, winner == b, winner != modelA { return 2 }
            return nil
        }
    }

    public struct Item: Sendable {
        public var winnerID: String
        public var loserID: String
    }

    public struct Part: Sendable {
        public var items: [Item]
        public var ties: Int
        public var records: [DataFileRecord]
    }

    static func load(files: [String], set: inout RequestSet) throws -> Part {
        var items: [Item] = []
        var ties = 0
        var records: [DataFileRecord] = []
        for file in files {
            let loaded = try DataFile.rows(Row.self, at: file)
            for (row, location) in zip(loaded.rows, loaded.locations) {
                guard let side = row.winningSide else { ties += 1; continue }
                let context = try PPE.conversation(row.prompt, path: file, location: location)
                let id1 = set.add(context + [ChatMessage(role: .assistant, content: row.response1)])
                let id2 = set.add(context + [ChatMessage(role: .assistant, content: row.response2)])
                items.append(side == 1 ? Item(winnerID: id1, loserID: id2) : Item(winnerID: id2, loserID: id1))
            }
            records.append(loaded.record)
        }
        return Part(items: items, ties: ties, records: records)
    }

    /// Right pairs / non-tie pairs.
    static func accuracy(_ part: Part, _ scores: ScoreTable) throws -> Double? {
        guard !part.items.isEmpty else { return nil }
        var right = 0
        for item in part.items where try scores.score(item.winnerID, benchmark: PPE.name) > scores.score(item.loserID, benchmark: PPE.name) {
            right += 1
        }
        return Double(right) / Double(part.items.count)
    }
}
