import Foundation
import SynprefCore
import Testing
@testable import SynprefEval

@Suite("Wilson score interval")
struct WilsonIntervalTests {
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance }

    // With z = 2 the formula's pieces are exact: center = (p + z²/2n) / (1 + z²/n),
    // half = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²).
    @Test("no successes: [0, z²/(n + z²)]")
    func noSuccesses() throws {
        // p = 0: center = half = (4/24) / (1 + 4/12) = (1/6) / (4/3) = 1/8, so [0, 1/4] = [0, 4/(12 + 4)].
        let w = try #require(WilsonInterval(successes: 0, trials: 12, z: 2))
        #expect(close(w.low, 0) && close(w.high, 0.25))
    }

    @Test("all successes: [n/(n + z²), 1]")
    func allSuccesses() throws {
        // p = 1: center = (1 + 1/6) / (4/3) = 7/8, half = (3/2) · sqrt(0 + 4/576) = (3/2)(1/12) = 1/8.
        let w = try #require(WilsonInterval(successes: 12, trials: 12, z: 2))
        #expect(close(w.low, 0.75) && close(w.high, 1))
    }

    @Test("half: symmetric around 1/2")
    func half() throws {
        // p = 1/2: center = (1/2 + 1/6) / (4/3) = 1/2; half = (3/2) · sqrt(1/48 + 1/144) = (3/2) · sqrt(4/144) = 1/4.
        let w = try #require(WilsonInterval(successes: 6, trials: 12, z: 2))
        #expect(close(w.low, 0.25) && close(w.high, 0.75))
    }

    @Test("8 of 10")
    func eightOfTen() throws {
        // p = 0.8, z²/n = 0.4: center = (0.8 + 0.2) / 1.4 = 1/1.4; half = (2/1.4) · sqrt(0.16/10 + 4/400) = sqrt(0.026)/0.7.
        let w = try #require(WilsonInterval(successes: 8, trials: 10, z: 2))
        #expect(close(w.low, 1 / 1.4 - 0.026.squareRoot() / 0.7))
        #expect(close(w.high, 1 / 1.4 + 0.026.squareRoot() / 0.7))
        // With the 95% z (1.95996…) the interval is the textbook [0.4902, 0.9433].
        let w95 = try #require(WilsonInterval(successes: 8, trials: 10))
        #expect(close(w95.low, 0.4902, 5e-5) && close(w95.high, 0.9433, 5e-5))
    }

    @Test("no trials or impossible counts: no interval")
    func degenerate() {
        #expect(WilsonInterval(successes: 0, trials: 0) == nil)
        #expect(WilsonInterval(successes: 5, trials: 4) == nil)
        #expect(WilsonInterval(successes: -1, trials: 4) == nil)
    }
}

@Suite("Preference pairs benchmark")
struct PreferencePairsTests {
    static func trl(_ prompt: String, _ chosen: String, _ rejected: String) -> [String: Any] {
        ["prompt": [["role": "user", "content": prompt]],
         "chosen": [["role": "assistant", "content": chosen]],
         "rejected": [["role": "assistant", "content": rejected]]]
    }

    /// Scores every request by the length of its response.
    static func lengthScores(_ d: any LoadedBenchmark) -> ScoreTable {
        var t = ScoreTable()
        for r in d.requests { t[r.id] = Double(r.messages.last?.content.count ?? 0) }
        return t
    }

    @Test("accuracy counts strict wins; a tie is wrong; the CI is Wilson's")
    func accuracy() throws {
        let scratch = try ScratchFolder()
        // Length scores: pair 1 right (5 > 1), pair 2 wrong (1 < 3), pair 3 a tie (2 = 2), pair 4 right (4 > 2).
        let file = try scratch.writeJSONL("held-out.jsonl", [
            Self.trl("a", "11111", "1"), Self.trl("b", "1", "111"), Self.trl("c", "22", "33"), Self.trl("d", "4444", "44"),
        ])
        let d = try PreferencePairs.load(file)
        #expect(d.items.count == 4 && d.requests.count == 8)
        let r = try d.evaluate(Self.lengthScores(d))
        let ci = try #require(WilsonInterval(successes: 2, trials: 4))
        #expect(r.metric("accuracy") == 50)
        #expect(r.metric("accuracy.ci95_low") == ci.low * 100 && r.metric("accuracy.ci95_high") == ci.high * 100)
        #expect(r.notes.contains { $0.contains("1 pair(s) scored a tie") })
        #expect(r.paperColumns.isEmpty)
        let all = try #require(r.details["all"])
        #expect(all["pairs"]?.intValue == 4 && all["correct"]?.intValue == 2 && all["ties"]?.intValue == 1)
        // Mean margin: (4 − 2 + 0 + 2) / 4 = 1.
        #expect(all["mean_margin"]?.doubleValue == 1)
        #expect(r.dataFiles.first?.rows == 4 && r.dataFiles.first?.sha256.count == 64)
    }

    @Test("reads the data formats: TRL and HH-RLHF transcripts, several files pooled")
    func formatsAndFolders() throws {
        let scratch = try ScratchFolder()
        try scratch.writeJSONL("pairs/a.jsonl", [Self.trl("q", "long answer", "no")])
        try scratch.writeJSONL("pairs/b.jsonl", [
            ["chosen": "\n\nHuman: hi\n\nAssistant: hello there", "rejected": "\n\nHuman: hi\n\nAssistant: go away, you"],
        ])
        let d = try PreferencePairs.load(scratch.path + "/pairs")
        #expect(d.dataFiles.map { ($0.path as NSString).lastPathComponent } == ["a.jsonl", "b.jsonl"])
        let r = try d.evaluate(Self.lengthScores(d))
        // a: 11 > 2 right; b: 11 ("hello there") < 12 ("go away, you") wrong.
        #expect(r.metric("accuracy") == 50)
        #expect(r.tables.first?.rows.map(\.first) == ["a.jsonl", "b.jsonl", "all files"])
        // The HH-RLHF pair is the conversation [user: hi] + each response.
        #expect(d.requests.contains { $0.messages.map(\.content) == ["hi", "hello there"] })
    }

    @Test("a bad record is an error naming its line")
    func badRecord() throws {
        let scratch = try ScratchFolder()
        let file = try scratch.write("p.jsonl", """
            {"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "assistant", "content": "x"}], "rejected": [{"role": "assistant", "content": "y"}]}
            {"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "assistant", "content": "same"}], "rejected": [{"role": "assistant", "content": "same"}]}

            """)
        expectEvalError([file, "line 2", "invalid records skipped"]) { _ = try PreferencePairs.load(file) }
        let notJSON = try scratch.write("n.jsonl", "{oops\n")
        expectEvalError([notJSON]) { _ = try PreferencePairs.load(notJSON) }
        expectEvalError(["pairs", "preference splitter"]) { _ = try PreferencePairs.load(scratch.path + "/absent") }
    }

    @Test("all: pairs/ joins when present and is never a skip note otherwise; --benchmark pairs takes a file")
    func catalog() throws {
        let scratch = try ScratchFolder()
        try scratch.writeJSON("data/rm-bench/chat_filtered.json", [RMBenchTests.row(0)])
        let without = try EvalRunner.load("all", data: scratch.path + "/data")
        #expect(without.loaded.map(\.name) == ["rm-bench"])
        #expect(!without.skipped.contains { $0.benchmark == "pairs" })
        let file = try scratch.writeJSONL("data/pairs/held-out.jsonl", [Self.trl("q", "a", "b")])
        let with = try EvalRunner.load("all", data: scratch.path + "/data")
        #expect(with.loaded.map(\.name) == ["pairs", "rm-bench"])
        #expect(try EvalRunner.load("pairs", data: file).loaded.first?.requests.count == 2)
        #expect(try EvalRunner.load("preference-pairs", data: scratch.path + "/data").loaded.first?.name == "pairs")
    }
}
