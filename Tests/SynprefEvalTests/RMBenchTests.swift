import Foundation
import Testing
@testable import SynprefEval

@Suite("RM-Bench")
struct RMBenchTests {
    /// Writes `rows` as a JSON array and scores each row's 3 chosen and 3 rejected responses.
    static func evaluate(rows: [[String: Any]], scores: [(chosen: [Double], rejected: [Double])], fileName: String) throws -> BenchmarkReport {
        let scratch = try ScratchFolder()
        try scratch.writeJSON(fileName, rows)
        let data = try RMBench.load(scratch.path)
        var table = ScoreTable()
        for (item, s) in zip(data.items, scores) {
            for i in 0..<3 {
                table[item.chosenIDs[i]] = s.chosen[i]
                table[item.rejectedIDs[i]] = s.rejected[i]
            }
        }
        return try data.evaluate(table)
    }

    static func row(_ i: Int, domain: String? = nil) -> [String: Any] {
        var r: [String: Any] = ["id": i, "prompt": "p\(i)", "chosen": ["c\(i)a", "c\(i)b", "c\(i)c"], "rejected": ["r\(i)a", "r\(i)b", "r\(i)c"]]
        if let domain { r["domain"] = domain }
        return r
    }

    @Test("hard, normal and easy are the upper triangle, diagonal and lower triangle")
    func triangles() throws {
        // chosen [3, 2, 1] vs rejected [2.5, 1.5, 0.5]. Row i of M marks rejected j beaten:
        //   i=0 (3): 1 1 1;  i=1 (2): 0 1 1;  i=2 (1): 0 0 1.
        // hard = (M01 + M02 + M12)/3 = 1; normal = (M00 + M11 + M22)/3 = 1;
        // easy = (M10 + M20 + M21)/3 = 0; domain average = 2/3.
        let report = try Self.evaluate(rows: [Self.row(0)], scores: [([3, 2, 1], [2.5, 1.5, 0.5])], fileName: "chat_filtered.json")
        #expect(report.metric("hard") == 100)
        #expect(report.metric("normal") == 100)
        #expect(report.metric("easy") == 0)
        #expect(abs((report.metric("chat") ?? 0) - 200.0 / 3) < 1e-12)
        #expect(report.heatmaps.first?.values == [[100, 100, 100], [0, 100, 100], [0, 0, 100]])
    }

    @Test("equal scores are not a win, and prompts average")
    func tiesAndAveraging() throws {
        // Prompt 0: every score 1 → nothing beats anything: all zeros.
        // Prompt 1: chosen all 2, rejected all 1 → all nine comparisons won.
        // Each triangle and the diagonal are then (0 + 1)/2 = 50%.
        let report = try Self.evaluate(rows: [Self.row(0), Self.row(1)],
                                       scores: [([1, 1, 1], [1, 1, 1]), ([2, 2, 2], [1, 1, 1])], fileName: "code_filtered.json")
        #expect(report.metric("hard") == 50)
        #expect(report.metric("normal") == 50)
        #expect(report.metric("easy") == 50)
        #expect(report.metric("code") == 50)
    }

    @Test("safety-refuse and safety-response pool into one safety domain, row by row")
    func safetyPooling() throws {
        // 1 refuse row fully right (normal 1), 3 response rows fully wrong (0): pooled normal =
        // 1/4, not the mean of the two files (1/2).
        let scratch = try ScratchFolder()
        try scratch.writeJSON("safety-refuse_filtered.json", [Self.row(0)])
        try scratch.writeJSON("safety-response_filtered.json", [Self.row(1), Self.row(2), Self.row(3)])
        let data = try RMBench.load(scratch.path)
        var table = ScoreTable()
        for (n, item) in data.items.enumerated() {
            for i in 0..<3 {
                table[item.chosenIDs[i]] = n == 0 ? 1 : 0
                table[item.rejectedIDs[i]] = n == 0 ? 0 : 1
            }
        }
        let report = try data.evaluate(table)
        #expect(report.metric("safety") == 25)
        #expect(report.metric("chat") == nil)
        #expect(report.notes.contains { $0.contains("chat") && $0.contains("math") })
    }

    struct Reference: Decodable {
        struct Part: Decodable {
            struct Scores: Decodable { var chosen: [Double]; var rejected: [Double] }
            var scores: [Scores]
            var expected: [String: Double]
        }
        var total: Part
        var single_file: Part
    }

    /// Synthetic scores through RM-Bench's own `compute_accuracy` (scripts/reference/eval_rmbench.py).
    @Test("matches RM-Bench's compute_accuracy on a total_dataset-style file and a single domain file")
    func matchesReference() throws {
        let ref = try Fixture.decode(Reference.self, "rm-bench/reference.json")
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Fixture.path("rm-bench/reference.json")))) as? [String: Any])
        let totalRows = try #require((raw["total"] as? [String: Any])?["rows"] as? [[String: Any]])
        let singleRows = try #require((raw["single_file"] as? [String: Any])?["rows"] as? [[String: Any]])

        let total = try Self.evaluate(rows: totalRows, scores: ref.total.scores.map { ($0.chosen, $0.rejected) }, fileName: "total_dataset.json")
        let e = ref.total.expected
        for (metric, key) in [("chat", "chat"), ("code", "code"), ("math", "math"), ("safety", "safety"), ("hard", "hard_acc"),
                              ("normal", "normal_acc"), ("easy", "easy_acc"), ("overall", "total_avg_acc")] {
            let expected = try #require(e[key])
            #expect(abs((total.metric(metric) ?? .nan) - expected * 100) < 1e-10, "\(metric)")
        }
        #expect(total.notes.isEmpty)

        let single = try Self.evaluate(rows: singleRows, scores: ref.single_file.scores.map { ($0.chosen, $0.rejected) }, fileName: "chat_filtered.json")
        for (metric, key) in [("hard", "hard_acc"), ("normal", "normal_acc"), ("easy", "easy_acc")] {
            let expected = try #require(ref.single_file.expected[key])
            #expect(abs((single.metric(metric) ?? .nan) - expected * 100) < 1e-10, "\(metric)")
        }
    }

    @Test("rows without three responses each, or of an unknown domain, are rejected")
    func badRows() throws {
        let scratch = try ScratchFolder()
        var short = Self.row(0)
        short["rejected"] = ["only one"]
        let a = try scratch.writeJSON("a/chat_filtered.json", [Self.row(1), short])
        expectEvalError(["chat_filtered.json", "array element 1", "3 chosen and 3 rejected"]) { _ = try RMBench.load(a) }
        let b = try scratch.writeJSON("b/total_dataset.json", [Self.row(0, domain: "poetry")])
        expectEvalError(["total_dataset.json", "array element 0", "`domain`", "poetry"]) { _ = try RMBench.load(b) }
        let c = try scratch.writeJSON("c/chat_filtered.json", [["id": 1, "prompt": "p", "chosen": ["a", "b", 3], "rejected": ["x", "y", "z"]]])
        expectEvalError(["array element 0", "`chosen[2]`", "expected a string"]) { _ = try RMBench.load(c) }
        expectEvalError(["rm-bench", "THU-KEG/RM-Bench"]) { _ = try RMBench.load(scratch.path + "/missing") }
    }
}
