import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefCuration

/// External scores for Stage 2 (`--best-scores`, `--gold-scores`): read back what is
/// written, and every kind of bad line refused with its line and field.
struct ScoreFileTests {
    func temp(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scores-\(UUID().uuidString).jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    let pair = PreferencePair(id: 7, context: [ChatMessage(role: .user, content: "q")], chosen: ChatMessage(role: .assistant, content: "a"),
                              rejected: ChatMessage(role: .assistant, content: "b"), source: "t")

    @Test func writesAndReadsRewards() throws {
        let path = try temp("")
        try ScoreFile.write([7: (chosen: 1.5, rejected: -0.25)], of: [pair], to: path)
        let file = try ScoreFile.load(path: path)
        let r = try #require(file.rewards[pair.contentHash])
        #expect(r.chosen == 1.5 && r.rejected == -0.25)
        let s = PairScoring.confidence(PairScoring.rewards([pair], file: file))
        #expect(abs(try #require(s[7]) - 1 / (1 + exp(-1.75))) < 1e-12)
    }

    @Test(arguments: [
        ("not json\n", ":1", "not JSON"),
        ("{\"chosen\": 1, \"rejected\": 0}\n", ":1", "content_hash"),
        ("{\"content_hash\": \"xyz\", \"chosen\": 1, \"rejected\": 0}\n", ":1", "content hash"),
        ("\n{\"content_hash\": \"HASH\", \"rejected\": 0}\n", ":2", "chosen"),
        ("{\"content_hash\": \"HASH\", \"chosen\": 1, \"rejected\": \"x\"}\n", ":1", "rejected"),
        ("{\"content_hash\": \"HASH\", \"chosen\": 1, \"rejected\": 0, \"extra\": 1}\n", ":1", "extra"),
        ("{\"content_hash\": \"HASH\", \"chosen\": 1, \"rejected\": 0}\n{\"content_hash\": \"HASH\", \"chosen\": 2, \"rejected\": 0}\n", ":2", "twice"),
    ])
    func badLinesNameTheLineAndField(text: String, line: String, says: String) throws {
        let path = try temp(text.replacingOccurrences(of: "HASH", with: pair.contentHash.hex))
        #expect {
            _ = try ScoreFile.load(path: path)
        } throws: { error in
            let d = "\(error)"
            return d.contains(path + line) && d.contains(says)
        }
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: CurationError.self) { _ = try ScoreFile.load(path: "/nonexistent/scores.jsonl") }
    }
}
