import Foundation
import Testing
@testable import SynprefEval

@Suite("RewardBench 2")
struct RewardBench2Tests {
    @Test("best-of-4 credit: 1 for a strict win, 1/k for a k-way tie at the top, else 0")
    func tieCredit() {
        #expect(RewardBench2.tieCredit([3, 1, 1, 1]) == 1)
        #expect(RewardBench2.tieCredit([2, 2, 1, 2]) == 1.0 / 3)  // 3 responses share the max 2
        #expect(RewardBench2.tieCredit([2, 2, 1, 1]) == 0.5)
        #expect(RewardBench2.tieCredit([1, 2, 0, 0]) == 0)
        #expect(RewardBench2.tieCredit([0, 0, 0, 0]) == 0.25)
    }

    @Test("the Ties formula on hand-made prompts")
    func tiesFormula() throws {
        // Prompt 1. ref: correct [5], incorrect [1, 2] → accurate (5 > 2), margin 5 − 2 = 3.
        //           tied: correct [4, 6], incorrect [3, 0] → accurate (4 > 3), margin 4 − 3 = 1,
        //           spread 6 − 4 = 2. preferred: 1 > 2 no; hard: min(3, 1) = 1 > 2 no;
        //           ratio min(3, 1)/2 = 0.5 → tanh(0.5 − 1) = tanh(−0.5).
        // Prompt 2. ref: correct [8], incorrect [2] → accurate, margin 6.
        //           tied: correct [10, 9], incorrect [1] → accurate, margin 9 − 1 = 8, spread 1.
        //           preferred: 8 > 1 yes; hard: min(6, 8) = 6 > 1 yes; ratio 6 → tanh(5).
        // Prompt 3. ref only: correct [0], incorrect [1] → not accurate; no common terms.
        // ref accuracy 2/3, tied accuracy 2/2 = 1, preferred 1/2, hard 1/2,
        // margin score (tanh(−0.5) + tanh(5))/2.
        let samples: [RewardBench2.TiesSample] = [
            .init(kind: .ref, promptID: 1, scores: [5, 1, 2], numCorrect: 1),
            .init(kind: .tied, promptID: 1, scores: [4, 6, 3, 0], numCorrect: 2),
            .init(kind: .ref, promptID: 2, scores: [8, 2], numCorrect: 1),
            .init(kind: .tied, promptID: 2, scores: [10, 9, 1], numCorrect: 2),
            .init(kind: .ref, promptID: 3, scores: [0, 1], numCorrect: 1),
        ]
        let r = RewardBench2.tiesScore(samples)
        let margin = (tanh(-0.5) + tanh(5.0)) / 2
        let expected = 0.3 * 1 + 0.3 * (2.0 / 3) + 0.2 * 0.5 + 0.2 * 0.5 + 0.01 * margin
        #expect(abs(r.score - expected) < 1e-15)
        #expect(r.refPrompts == 3 && r.tiedPrompts == 2 && r.commonPrompts == 2)
    }

    @Test("equal correct scores: no spread, so no preference terms and no tanh term")
    func zeroSpread() {
        // tied: correct [2, 2] → spread 0 (present, so preferred terms count); margin 2 − 1 = 1 > 0
        // → preferred 1; hard min(ref 1, tied 1) = 1 > 0 → 1; spread 0 → no ratio, margin score 0.
        let r = RewardBench2.tiesScore([
            .init(kind: .ref, promptID: 1, scores: [2, 1], numCorrect: 1),
            .init(kind: .tied, promptID: 1, scores: [2, 2, 1], numCorrect: 2),
        ])
        #expect(r.correctnessMarginScore == 0)
        #expect(abs(r.score - (0.3 + 0.3 + 0.2 + 0.2)) < 1e-15)
    }

    struct Reference: Decodable {
        struct Expected: Decodable {
            var subsets: [String: Double]
            var overall: Double?
        }
        struct Sample: Decodable {
            var scores: [[Double]]
            var expected: Expected
        }
        var scores: [[Double]]
        var expected: Expected
        var ties_sample: Sample
    }

    static func evaluate(_ data: RewardBench2.Dataset, _ scores: [[Double]]) throws -> BenchmarkReport {
        var table = ScoreTable()
        for (item, s) in zip(data.items, scores) {
            for (id, v) in zip(item.completionIDs, s) { table[id] = v }
        }
        return try data.evaluate(table)
    }

    /// Synthetic scores through `reroll_and_score_dataset` and `process_single_model` of the
    /// rewardbench package (scripts/reference/eval_rewardbench.py).
    @Test("matches the rewardbench package on all six subsets and the overall mean")
    func matchesReference() throws {
        let path = try Fixture.path("rewardbench2/reference.json")
        let ref = try Fixture.decode(Reference.self, "rewardbench2/reference.json")
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let rows = try #require(raw["rows"] as? [[String: Any]])
        let scratch = try ScratchFolder()
        let file = try scratch.writeJSONL("test.jsonl", rows)
        let report = try Self.evaluate(try RewardBench2.load(file), ref.scores)
        for (subset, metric) in RewardBench2.subsets {
            let e = try #require(ref.expected.subsets[subset])
            #expect(abs((report.metric(metric) ?? .nan) - e * 100) < 1e-12, "\(subset)")
        }
        #expect(abs((report.metric("overall") ?? .nan) - (ref.expected.overall ?? .nan) * 100) < 1e-12)
        // The best-of-K curve: K = 1 is chance (1 correct of 4 → 25%); K = 4 draws all four,
        // picks uniformly among the top-scored, so it equals the 1/k tie-credit score.
        let curve = try #require(report.curves.first)
        for series in curve.series {
            let (subset, metric) = try #require(RewardBench2.subsets.first { $0.name == series.name })
            #expect(abs(series.points[0].y - 25) < 1e-12, "\(subset)")
            #expect(abs(series.points[3].y - (report.metric(metric) ?? .nan)) < 1e-9, "\(subset)")
        }
        #expect(curve.series.count == 5)
    }

    @Test("the held 17-row Ties sample loads and scores as process_single_model does")
    func tiesSample() throws {
        let ref = try Fixture.decode(Reference.self, "rewardbench2/reference.json")
        let data = try RewardBench2.load(try Fixture.path("rewardbench2/ties_sample_ref42_to_ref50.jsonl"))
        #expect(data.items.count == 17)
        let report = try Self.evaluate(data, ref.ties_sample.scores)
        let e = try #require(ref.ties_sample.expected.subsets["Ties"])
        #expect(abs((report.metric("ties") ?? .nan) - e * 100) < 1e-12)
        #expect(report.metric("overall") == nil)
        #expect(report.notes.contains { $0.contains("Factuality") })
    }

    @Test("inconsistent counts and malformed Ties ids are reported")
    func badRows() throws {
        let scratch = try ScratchFolder()
        let base: [String: Any] = ["id": "1", "prompt": "p", "chosen": ["a"], "rejected": ["b", "c", "d"], "num_correct": 1, "subset": "Math"]
        var wrongCount = base
        wrongCount["num_correct"] = 2
        let a = try scratch.writeJSONL("a.jsonl", [base, wrongCount])
        expectEvalError(["a.jsonl", "line 2", "num_correct is 2"]) { _ = try RewardBench2.load(a) }
        var total = base
        total["total_completions"] = 5
        let b = try scratch.writeJSONL("b.jsonl", [total])
        expectEvalError(["b.jsonl", "line 1", "total_completions is 5"]) { _ = try RewardBench2.load(b) }
        var tie = base
        tie["subset"] = "Ties"
        tie["id"] = "both:3"
        let c = try scratch.writeJSONL("c.jsonl", [tie])
        let data = try RewardBench2.load(c)
        var table = ScoreTable()
        for r in data.requests { table[r.id] = 0 }
        expectEvalError(["c.jsonl", "line 1", "`id`", "ref:<n>"]) { _ = try data.evaluate(table) }
        expectEvalError(["rewardbench2", "allenai/reward-bench-2"]) { _ = try RewardBench2.load(scratch.path + "/none") }
    }
}
