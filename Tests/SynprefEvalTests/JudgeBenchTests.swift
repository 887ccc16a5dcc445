import Foundation
import Testing
@testable import SynprefEval

@Suite("JudgeBench")
struct JudgeBenchTests {
    // MARK: The rule on hand-made pairs

    @Test("a strictly higher score for the labelled response wins both games")
    func clearWin() {
        // scoreA 2 > scoreB 1, label A>B: game 1 says A>B (+1); game 2 sees (B, A), says B>A
        // ("A>B" would need score(B) > score(A)), flipped to A>B (+1). Sum 2 > 0.
        let o = JudgeBench.judge(scoreA: 2, scoreB: 1, label: .aBetter)
        #expect(o == .init(singleCorrect: true, doubleCounter: 2, inconsistent: false))
    }

    @Test("a strictly lower score loses both games")
    func clearLoss() {
        // Decisions B>A and B>A against label A>B: −1 −1 = −2.
        let o = JudgeBench.judge(scoreA: 1, scoreB: 2, label: .aBetter)
        #expect(o == .init(singleCorrect: false, doubleCounter: -2, inconsistent: false))
    }

    @Test("a tie becomes B>A in each game, so the double game is inconsistent and wrong")
    func tieIsInconsistent() {
        // Equal scores: game 1 says B>A. Game 2 (B shown first) also says "B>A", i.e. A is
        // better; flipped: A>B. One decision matches the label, one its opposite: 1 − 1 = 0.
        let labelB = JudgeBench.judge(scoreA: 5, scoreB: 5, label: .bBetter)
        #expect(labelB == .init(singleCorrect: true, doubleCounter: 0, inconsistent: true))
        #expect(!labelB.doubleCorrect)
        let labelA = JudgeBench.judge(scoreA: 5, scoreB: 5, label: .aBetter)
        #expect(labelA == .init(singleCorrect: false, doubleCounter: 0, inconsistent: true))
    }

    @Test("categories come from source prefixes as in run_judge.py")
    func categories() {
        #expect(JudgeBench.Category.of(source: "mmlu-pro-law") == .knowledge)
        #expect(JudgeBench.Category.of(source: "livebench-reasoning") == .reasoning)
        #expect(JudgeBench.Category.of(source: "livebench-math") == .math)
        #expect(JudgeBench.Category.of(source: "livecodebench") == .coding)
        #expect(JudgeBench.Category.of(source: "other") == nil)
    }

    @Test("micro counts pairs, macro averages the four category accuracies")
    func microAndMacro() throws {
        // 5 pairs: knowledge 2 (1 right), reasoning 1 (right), math 1 (wrong), coding 1 (right).
        // Micro = 3/5 = 60%. Macro = (50 + 100 + 0 + 100) / 4 = 62.5%.
        let scratch = try ScratchFolder()
        let rows: [[String: Any]] = [
            ["pair_id": "1", "source": "mmlu-pro-law", "question": "q1", "response_A": "a1", "response_B": "b1", "label": "A>B"],
            ["pair_id": "2", "source": "mmlu-pro-math", "question": "q2", "response_A": "a2", "response_B": "b2", "label": "A>B"],
            ["pair_id": "3", "source": "livebench-reasoning", "question": "q3", "response_A": "a3", "response_B": "b3", "label": "B>A"],
            ["pair_id": "4", "source": "livebench-math", "question": "q4", "response_A": "a4", "response_B": "b4", "label": "A>B"],
            ["pair_id": "5", "source": "livecodebench", "question": "q5", "response_A": "a5", "response_B": "b5", "label": "B>A"],
        ]
        let path = try scratch.writeJSONL("jb.jsonl", rows)
        let data = try JudgeBench.load(path)
        let split = try #require(data.splits.first)
        #expect(data.requests.count == 10)
        var table = ScoreTable()
        let winners = [true, false, true, false, true]  // does the labelled response score higher?
        for (i, row) in split.file.rows.enumerated() {
            let labelledA = row.label == .aBetter
            table[split.idsA[i]] = (labelledA == winners[i]) ? 1 : 0
            table[split.idsB[i]] = (labelledA == winners[i]) ? 0 : 1
        }
        let report = try data.evaluate(table)
        #expect(report.metric("double_game.micro") == 60)
        #expect(report.metric("single_game.micro") == 60)
        #expect(report.metric("double_game.knowledge") == 50)
        #expect(report.metric("double_game.macro") == 62.5)
    }

    @Test("the macro average is absent unless all four categories are present")
    func macroNeedsAllCategories() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.writeJSONL("jb.jsonl", [
            ["pair_id": "1", "source": "mmlu-pro-law", "question": "q", "response_A": "a", "response_B": "b", "label": "A>B"],
        ])
        let data = try JudgeBench.load(path)
        var table = ScoreTable()
        for r in data.requests { table[r.id] = r.messages[1].content == "a" ? 1 : 0 }
        let report = try data.evaluate(table)
        #expect(report.metric("double_game.micro") == 100)
        #expect(report.metric("double_game.macro") == nil)
    }

    // MARK: Official numbers

    /// The five official reward-model score files of JudgeBench (gpt-4o split), fed through
    /// our loader, request ids and rule, must give exactly what JudgeBench's own
    /// `compute_final_metrics` gives on them (fixture from scripts/reference/eval_judgebench.py).
    struct Reference: Decodable {
        struct Model: Decodable {
            var judge_model: String
            var metrics: [String: [String: Double]]
            var scores: [String: [Double]]
        }
        var models: [Model]
    }

    @Test("reproduces JudgeBench's numbers for its five official reward-model outputs")
    func officialOutputs() throws {
        let reference = try Fixture.decode(Reference.self, "judgebench/reference.json")
        #expect(reference.models.count == 5)
        let data = try JudgeBench.load(try Fixture.path("judgebench/gpt.jsonl.gz"))
        let split = try #require(data.splits.first)
        #expect(split.name == JudgeBench.primaryResponseModel)
        #expect(split.file.rows.count == 350)
        #expect(data.requests.count == 700)
        let prefixes = ["mmlu-pro": "knowledge", "livebench-reasoning": "reasoning", "livebench-math": "math", "livecodebench": "coding"]
        for model in reference.models {
            var table = ScoreTable()
            for (i, row) in split.file.rows.enumerated() {
                let pair = try #require(model.scores[row.pairID], "\(model.judge_model): no scores for \(row.pairID)")
                table[split.idsA[i]] = pair[0]
                table[split.idsB[i]] = pair[1]
            }
            let report = try data.evaluate(table)
            for game in ["single_game", "double_game"] {
                let e = try #require(model.metrics[game])
                #expect(report.metric("\(game).micro") == e["overall"], "\(model.judge_model) \(game) overall")
                for (prefix, category) in prefixes {
                    #expect(report.metric("\(game).\(category)") == e[prefix], "\(model.judge_model) \(game) \(category)")
                }
            }
        }
        // The number quoted by SOURCE.txt and docs/benchmarks.md.
        let gemma = try #require(reference.models.first { $0.judge_model == "Skywork/Skywork-Reward-Gemma-2-27B" })
        #expect(String(format: "%.2f", try #require(gemma.metrics["double_game"]?["overall"])) == "64.29")
    }

    // MARK: Bad input

    @Test("a label other than A>B/B>A names the file, line and field")
    func badLabel() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("jb.jsonl", """
            {"pair_id": "1", "source": "livecodebench", "question": "q", "response_A": "a", "response_B": "b", "label": "A>B"}

            {"pair_id": "2", "source": "livecodebench", "question": "q", "response_A": "a", "response_B": "b", "label": "A=B"}
            """)
        expectEvalError(["jb.jsonl", "line 3", "`label`", "A=B"]) { _ = try JudgeBench.load(path) }
    }

    @Test("a missing field and broken JSON are reported with their line")
    func missingFieldAndBrokenJSON() throws {
        let scratch = try ScratchFolder()
        let missing = try scratch.write("m.jsonl", #"{"pair_id": "1", "source": "s", "question": "q", "response_A": "a", "label": "A>B"}"#)
        expectEvalError(["m.jsonl", "line 1", "`response_B`", "missing"]) { _ = try JudgeBench.load(missing) }
        let broken = try scratch.write("b.jsonl", #"{"pair_id": "1", "#)
        expectEvalError(["b.jsonl", "line 1", "not valid JSON"]) { _ = try JudgeBench.load(broken) }
        let wrongType = try scratch.write("t.jsonl", #"{"pair_id": "1", "source": "s", "question": 7, "response_A": "a", "response_B": "b", "label": "A>B"}"#)
        expectEvalError(["t.jsonl", "line 1", "`question`", "expected a string"]) { _ = try JudgeBench.load(wrongType) }
    }

    @Test("a missing dataset says where to get it")
    func missingDataset() {
        expectEvalError(["judgebench", "/nonexistent/jb", "ScalerLab/JudgeBench"]) { _ = try JudgeBench.load("/nonexistent/jb") }
    }
}
