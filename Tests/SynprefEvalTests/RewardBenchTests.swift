import Foundation
import Testing
@testable import SynprefEval

@Suite("RewardBench v1")
struct RewardBenchTests {
    @Test("sections weight subsets by EXAMPLE_COUNTS, math-prm as 984")
    func sectionWeights() throws {
        // Reasoning with math-prm at 100% and hep-python at 0%:
        // (1.0·984 + 0.0·164) / (984 + 164) = 984/1148.
        let s = RewardBench.sectionScores(["math-prm": 1, "hep-python": 0])
        #expect(s["reasoning"] == 984.0 / 1148.0)
        // Chat: alpacaeval-easy 100 at 50%, mt-bench-easy 28 at 100% → (50 + 28)/128.
        let c = RewardBench.sectionScores(["alpacaeval-easy": 0.5, "mt-bench-easy": 1])
        #expect(c["chat"] == 78.0 / 128.0)
        #expect(c["safety"] == nil)
    }

    @Test("a pair is right only when chosen scores strictly higher; multi-turn prompts alternate roles")
    func strictAndMultiTurn() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.writeJSONL("rb.jsonl", [
            ["prompt": "p1", "chosen": "c1", "rejected": "r1", "subset": "hep-go", "id": 1],
            ["prompt": [["role": "user", "content": "u"], ["role": "assistant", "content": "a"], ["role": "user", "content": "u2"]],
             "chosen": "c2", "rejected": "r2", "subset": "hep-go", "id": 2],
        ])
        let data = try RewardBench.load(path)
        let second = try #require(data.requests.first { $0.messages.last?.content == "c2" })
        #expect(second.messages.map(\.role) == [.user, .assistant, .user, .assistant])
        var table = ScoreTable()
        for r in data.requests { table[r.id] = r.messages.last?.content.hasPrefix("c") == true ? 1 : 0 }
        // Make the first pair a tie: 1 vs 1 is wrong. Second pair right. hep-go = 50%.
        let r1 = try #require(data.requests.first { $0.messages.last?.content == "r1" })
        table[r1.id] = 1
        let report = try data.evaluate(table)
        #expect(report.metric("reasoning") == 50)
        #expect(report.metric("overall") == nil)
        #expect(report.notes.contains { $0.contains("Overall is not reported") })
    }

    struct Reference: Decodable {
        struct Expected: Decodable {
            var subsets: [String: Double]
            var sections: [String: Double]
            var overall: Double
        }
        var scores: [[Double]]
        var expected: Expected
    }

    /// Synthetic scores through the rewardbench package's functions
    /// (scripts/reference/eval_rewardbench.py).
    @Test("matches the rewardbench package's section scores and the four-section mean")
    func matchesReference() throws {
        let path = try Fixture.path("rewardbench/reference.json")
        let ref = try Fixture.decode(Reference.self, "rewardbench/reference.json")
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let rows = try #require(raw["rows"] as? [[String: Any]])
        let scratch = try ScratchFolder()
        try scratch.writeJSONL("rewardbench/filtered.jsonl", rows)
        let data = try RewardBench.load(scratch.path + "/rewardbench")
        var table = ScoreTable()
        for (item, s) in zip(data.items, ref.scores) {
            table[item.chosenID] = s[0]
            table[item.rejectedID] = s[1]
        }
        let report = try data.evaluate(table)
        for (title, metric) in [("Chat", "chat"), ("Chat Hard", "chat_hard"), ("Safety", "safety"), ("Reasoning", "reasoning")] {
            let e = try #require(ref.expected.sections[title])
            #expect(report.metric(metric) == e * 100, "\(title)")
        }
        #expect(report.metric("overall") == ref.expected.overall * 100)
        #expect(report.notes.isEmpty)
    }

    @Test("a list prompt with an even number of turns is rejected")
    func badPrompt() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.writeJSONL("rb.jsonl", [
            ["prompt": [["role": "user", "content": "u"], ["role": "assistant", "content": "a"]], "chosen": "c", "rejected": "r", "subset": "hep-go"],
        ])
        expectEvalError(["rb.jsonl", "line 1", "`prompt`", "odd number"]) { _ = try RewardBench.load(path) }
        expectEvalError(["rewardbench", "allenai/reward-bench", "filtered"]) { _ = try RewardBench.load(scratch.path + "/none") }
    }
}
