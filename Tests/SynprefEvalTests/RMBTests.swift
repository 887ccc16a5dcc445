import Foundation
import Testing
@testable import SynprefEval

@Suite("RMB")
struct RMBTests {
    static func conv(_ text: String) -> [[String: Any]] { [["role": "user", "content": text, "language": "English"]] }
    static func answer(_ text: String) -> [String: Any] { ["llm_name": "m", "answer": text] }

    static func pair(_ uid: Int, _ path: String, prompt: String) -> [String: Any] {
        ["pair_uid": String(uid), "conversation_input": conv(prompt), "chosen": answer("good \(prompt)"),
         "reject": answer("bad \(prompt)"), "category_path": path]
    }

    static func bon(_ uid: Int, _ path: String, prompt: String, losers: Int) -> [String: Any] {
        ["bon_uid": String(uid), "conversation_input": conv(prompt), "bon_best": answer("good \(prompt)"),
         "loser_list": (0..<losers).map { answer("loser \($0) \(prompt)") }, "category_path": path]
    }

    /// Scores: "good …" responses get `good[prompt]`, every other response 1.
    static func scores(_ data: RMB.Dataset, good: [String: Double]) -> ScoreTable {
        var table = ScoreTable()
        for r in data.requests {
            let prompt = r.messages[r.messages.count - 2].content
            let text = r.messages.last?.content ?? ""
            table[r.id] = text.hasPrefix("good") ? (good[prompt] ?? 2) : 1
        }
        return table
    }

    @Test("best-of-N needs a strict win over every loser; pairwise over the one rejected")
    func strictRules() throws {
        let scratch = try ScratchFolder()
        try scratch.writeJSON("RMB_dataset/BoN_set/Helpfulness/Code/X.json", [
            Self.bon(1, "BoN_set/Helpfulness/Code/X", prompt: "win", losers: 2),   // 2 > 1, 1 → right
            Self.bon(2, "BoN_set/Helpfulness/Code/X", prompt: "tie", losers: 3),   // 1 vs 1 → wrong
        ])
        try scratch.writeJSON("RMB_dataset/Pairwise_set/Helpfulness/Code/X.json", [
            Self.pair(3, "Pairwise_set/Helpfulness/Code/X", prompt: "win"),        // shares "good win" with BoN
            Self.pair(4, "Pairwise_set/Helpfulness/Code/X", prompt: "lose"),       // 0.5 < 1 → wrong
        ])
        let data = try RMB.load(scratch.path)
        // Distinct responses: BoN 1+2 and 1+3, pairwise "good win" (shared) + "bad win", 2 for "lose".
        #expect(data.requests.count == 3 + 4 + 1 + 2)
        let report = try data.evaluate(Self.scores(data, good: ["tie": 1, "lose": 0.5]))
        #expect(report.metric("helpfulness.bon") == 50)
        #expect(report.metric("helpfulness.pairwise") == 50)
        #expect(report.metric("overall") == nil)
        #expect(report.notes.contains { $0.contains("Harmlessness") })
    }

    @Test("micro pools rows, macro averages scenarios; overall is the mean of the four cells")
    func microMacro() throws {
        // Helpfulness pairwise: scenario A 3 rows all right, scenario B 1 row wrong.
        //   micro 3/4 = 75, macro (100 + 0)/2 = 50.
        // The other three cells: one right row each (100). Overall micro (75+100+100+100)/4 =
        // 93.75; macro (50+100+100+100)/4 = 87.5.
        let scratch = try ScratchFolder()
        let a = "Pairwise_set/Helpfulness/Chat/A", b = "Pairwise_set/Helpfulness/Chat/B"
        try scratch.writeJSON("p/Helpfulness/A.json", [Self.pair(1, a, prompt: "a1"), Self.pair(2, a, prompt: "a2"), Self.pair(3, a, prompt: "a3")])
        try scratch.writeJSON("p/Helpfulness/B.json", [Self.pair(4, b, prompt: "b1")])
        try scratch.writeJSON("p/Harmlessness/S1.json", [Self.pair(5, "Pairwise_set/Harmlessness/S1", prompt: "h1")])
        try scratch.writeJSON("b/Helpfulness/A.json", [Self.bon(6, "BoN_set/Helpfulness/Chat/A", prompt: "x1", losers: 2)])
        try scratch.writeJSON("b/Harmlessness/S1.json", [Self.bon(7, "BoN_set/Harmlessness/S1", prompt: "y1", losers: 3)])
        let data = try RMB.load(scratch.path)
        let report = try data.evaluate(Self.scores(data, good: ["b1": 0]))
        #expect(report.metric("helpfulness.pairwise.micro") == 75)
        #expect(report.metric("helpfulness.pairwise.macro") == 50)
        #expect(report.metric("helpfulness.pairwise") == 75)
        #expect(report.metric("overall") == 93.75)
        #expect(report.metric("overall.micro") == 93.75)
        #expect(report.metric("overall.macro") == 87.5)
        #expect(report.notes.contains { $0.contains("2 of 37 scenario files") })
    }

    @Test("multi-turn inputs keep their roles and end on the user")
    func multiTurn() throws {
        let scratch = try ScratchFolder()
        var row = Self.pair(1, "Pairwise_set/Harmlessness/S2", prompt: "q")
        row["conversation_input"] = [["role": "user", "content": "u1"], ["role": "assistant", "content": "a1"], ["role": "user", "content": "u2"]]
        let path = try scratch.writeJSON("S2.json", [row])
        let data = try RMB.load(path)
        #expect(data.requests.first?.messages.map(\.role) == [.user, .assistant, .user, .assistant])
    }

    @Test("malformed rows are reported with the array element and field")
    func badRows() throws {
        let scratch = try ScratchFolder()
        var badPath = Self.pair(1, "Pairwise_set/Kindness/S1", prompt: "q")
        let a = try scratch.writeJSON("a.json", [Self.pair(0, "Pairwise_set/Harmlessness/S1", prompt: "ok"), badPath])
        expectEvalError(["a.json", "array element 1", "`category_path`", "Kindness"]) { _ = try RMB.load(a) }
        badPath["category_path"] = "Pairwise_set/Harmlessness/S1"
        badPath["conversation_input"] = [["role": "user", "content": "u"], ["role": "assistant", "content": "a"]]
        let b = try scratch.writeJSON("b.json", [badPath])
        expectEvalError(["b.json", "array element 0", "`conversation_input`", "end with a user turn"]) { _ = try RMB.load(b) }
        badPath["conversation_input"] = [["role": "narrator", "content": "u"]]
        let c = try scratch.writeJSON("c.json", [badPath])
        expectEvalError(["`conversation_input[0].role`", "narrator"]) { _ = try RMB.load(c) }
        let d = try scratch.writeJSON("d.json", [["conversation_input": Self.conv("q"), "category_path": "Pairwise_set/Harmlessness/S1"]])
        expectEvalError(["d.json", "array element 0", "either chosen + reject"]) { _ = try RMB.load(d) }
        expectEvalError(["rmb", "Zhou-Zoey/RMB-Reward-Model-Benchmark"]) { _ = try RMB.load(scratch.path + "/none") }
    }
}
