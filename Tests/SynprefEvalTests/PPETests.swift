import Foundation
import Testing
@testable import SynprefEval

@Suite("PPE")
struct PPETests {
    static func correctnessRow(_ q: Int, truths: [Any], pairs: [[Int]]) -> [String: Any] {
        var row: [String: Any] = ["question_id": "q\(q)", "prompt": "question \(q)", "scores": truths, "sampled_conflict_pairs": pairs,
                                  "model_name": "m"]
        for i in truths.indices { row["response_\(i + 1)"] = "answer \(q).\(i)" }
        return row
    }

    @Test("preference accuracy excludes ties and reads winner as a side or a model name")
    func preference() throws {
        let scratch = try ScratchFolder()
        try scratch.writeJSONL("ppe/human_preference_v1.jsonl", [
            ["question_id": "1", "prompt": "p1", "response_1": "x1", "response_2": "y1", "winner": "model_a", "model_a": "A", "model_b": "B"],
            ["question_id": "2", "prompt": "p2", "response_1": "x2", "response_2": "y2", "winner": "model_b", "model_a": "A", "model_b": "B"],
            ["question_id": "3", "prompt": "p3", "response_1": "x3", "response_2": "y3", "winner": "tie", "model_a": "A", "model_b": "B"],
            ["question_id": "4", "prompt": "p4", "response_1": "x4", "response_2": "y4", "winner": "tie (bothbad)", "model_a": "A", "model_b": "B"],
            ["question_id": "5", "prompt": "p5", "response_1": "x5", "response_2": "y5", "winner": "B", "model_a": "A", "model_b": "B"],
        ])
        let data = try PPE.load(scratch.path + "/ppe")
        #expect(data.preference?.ties == 2)
        #expect(data.requests.count == 6)  // tie rows are not scored
        // Every "x" response scores 1, every "y" 0: right on pair 1 (winner x), wrong on 2 and 5
        // (winner y). Accuracy 1/3.
        var table = ScoreTable()
        for r in data.requests { table[r.id] = r.messages.last?.content.hasPrefix("x") == true ? 1 : 0 }
        let report = try data.evaluate(table)
        #expect(abs((report.metric("preference.accuracy") ?? 0) - 100.0 / 3) < 1e-12)
        #expect(report.metric("correctness.accuracy") == nil)
    }

    @Test("correctness: conflict-pair accuracy, best-of-K and AUC on a hand-made prompt")
    func correctness() throws {
        // Four responses, truths [1, 0, 0, 1] (booleans), scores [0.9, 0.8, 0.1, 0.5].
        // Conflict pairs (0,1): 0.9 > 0.8 right; (1,3): correct 3 has 0.5 < 0.8 wrong; (2,3):
        // 0.5 > 0.1 right → 2/3.
        // AUC: correct {0.9, 0.5} vs incorrect {0.8, 0.1}: 0.9 beats both, 0.5 beats 0.1 only
        // → 3/4.
        // BoN: K=1 mean truth 1/2; K=4 top is 0.9 (correct) → 1. K=2, 6 pairs, top of each:
        // {0,1}→0:1 {0,2}→0:1 {0,3}→0:1 {1,2}→1:0 {1,3}→1:0 {2,3}→3:1 → 4/6.
        let scratch = try ScratchFolder()
        try scratch.writeJSONL("ppe/PPE-MMLU-Pro-Best-of-K.jsonl", [Self.correctnessRow(1, truths: [true, false, false, true], pairs: [[0, 1], [1, 3], [2, 3]])])
        let data = try PPE.load(scratch.path + "/ppe")
        let set = try #require(data.correctness.first)
        #expect(set.name == "mmlu-pro")
        var table = ScoreTable()
        for (id, s) in zip(set.items[0].responseIDs, [0.9, 0.8, 0.1, 0.5]) { table[id] = s }
        let report = try data.evaluate(table)
        #expect(abs((report.metric("correctness.accuracy") ?? 0) - 200.0 / 3) < 1e-12)
        #expect(report.metric("correctness.auc") == 75)
        #expect(report.metric("correctness.bon@1") == 50)
        #expect(abs((report.metric("correctness.bon@2") ?? 0) - 400.0 / 6) < 1e-12)
        #expect(report.metric("correctness.bon@4") == 100)
        #expect(report.metric("correctness.bon@5") == nil)
        #expect(report.curves.first?.series.first?.points.count == 4)
        #expect(report.notes.contains { $0.contains("gpqa") })
    }

    @Test("set names come from either file naming")
    func setNames() {
        #expect(PPECorrectness.setName("/x/PPE-MBPP-Plus-Best-of-K.jsonl") == "mbpp-plus")
        #expect(PPECorrectness.setName("mbpp_plus.jsonl") == "mbpp-plus")
        #expect(PPECorrectness.setName("IFEval.json") == "ifeval")
    }

    @Test("inconsistent correctness rows and unknown files are reported")
    func badInput() throws {
        let scratch = try ScratchFolder()
        var row = Self.correctnessRow(1, truths: [1, 0, 1], pairs: [[0, 1]])
        row.removeValue(forKey: "response_3")
        try scratch.writeJSONL("a/math.jsonl", [row])
        expectEvalError(["math.jsonl", "line 1", "`scores`", "3 entries", "2 response_<i>"]) { _ = try PPE.load(scratch.path + "/a") }
        try scratch.writeJSONL("b/math.jsonl", [Self.correctnessRow(1, truths: [1, 0], pairs: [[0, 5]])])
        expectEvalError(["`sampled_conflict_pairs`", "[0, 5]"]) { _ = try PPE.load(scratch.path + "/b") }
        try scratch.writeJSONL("c/other.jsonl", [["prompt": "p"]])
        expectEvalError(["other.jsonl", "not a PPE export"]) { _ = try PPE.load(scratch.path + "/c") }
        expectEvalError(["ppe", "PPE-Human-Preference-V1", "PPE-MMLU-Pro-Best-of-K"]) { _ = try PPE.load(scratch.path + "/none") }
    }
}
