import Foundation
import SynprefCore
import Testing
@testable import SynprefEval

@Suite("Runner and outputs")
struct RunnerTests {
    /// A data root with JudgeBench (the committed gpt split) and a tiny RM-Bench; the other
    /// benchmarks are absent.
    static func dataRoot(_ scratch: ScratchFolder) throws -> String {
        let root = scratch.path + "/data"
        try FileManager.default.createDirectory(atPath: root + "/judgebench", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try Fixture.path("judgebench/gpt.jsonl.gz"), toPath: root + "/judgebench/gpt.jsonl.gz")
        try scratch.writeJSON("data/rm-bench/chat_filtered.json", [RMBenchTests.row(0), RMBenchTests.row(1)])
        return root
    }

    @Test("all: loads what is there, skips the rest with where to get it, dedups requests")
    func loadAll() throws {
        let scratch = try ScratchFolder()
        let root = try Self.dataRoot(scratch)
        let (loaded, skipped) = try EvalRunner.load("all", data: root)
        #expect(loaded.map(\.name) == ["rm-bench", "judgebench"])
        #expect(skipped.map(\.benchmark) == ["rewardbench", "rewardbench2", "ppe", "rmb"])
        #expect(skipped.first { $0.benchmark == "rmb" }?.reason.contains("Zhou-Zoey/RMB-Reward-Model-Benchmark") == true)
        #expect(EvalRunner.requests(loaded).count == 700 + 12)
    }

    @Test("one benchmark: --data may be the root or its folder; absent data is an error, not a skip")
    func loadOne() throws {
        let scratch = try ScratchFolder()
        let root = try Self.dataRoot(scratch)
        #expect(try EvalRunner.load("judgebench", data: root).loaded.first?.requests.count == 700)
        #expect(try EvalRunner.load("rmbench", data: root + "/rm-bench").loaded.first?.name == "rm-bench")
        expectEvalError(["rmb", "Zhou-Zoey/RMB-Reward-Model-Benchmark"]) { _ = try EvalRunner.load("rmb", data: root) }
        expectEvalError(["unknown benchmark `helpsteer`", "judgebench"]) { _ = try EvalRunner.load("helpsteer", data: root) }
    }

    @Test("dump requests, answer them from a scores file, write results.json and report.html")
    func endToEnd() async throws {
        let scratch = try ScratchFolder()
        let root = try Self.dataRoot(scratch)
        let (loaded, skipped) = try EvalRunner.load("all", data: root)
        let requests = EvalRunner.requests(loaded)
        let requestFile = scratch.path + "/requests.jsonl"
        try EvalRunner.writeRequests(requests, to: requestFile)
        // An external scorer: score = length of the response (read back from the request file).
        struct Request: Decodable { struct M: Decodable { var content: String }; var id: String; var messages: [M] }
        let lines = try String(contentsOfFile: requestFile, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == requests.count)
        var scores = ""
        for line in lines {
            let r = try JSONDecoder().decode(Request.self, from: Data(line.utf8))
            scores += "{\"id\": \"\(r.id)\", \"score\": \(r.messages.last?.content.count ?? 0)}\n"
        }
        let source = try PrecomputedScores(path: try scratch.write("scores.jsonl", scores))
        let outcome = try await source.scores(for: requests, progress: SilentProgress())
        let reports = try EvalRunner.evaluate(loaded, scores: outcome.table)
        let results = EvalResults(reports: reports, skipped: skipped, provenance: source.provenance,
                                  statistics: outcome.statistics, requestCount: requests.count)
        let written = try results.write(to: scratch.path + "/out")

        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: written.results))) as? [String: Any])
        #expect(json["format"] as? String == EvalResults.format)
        #expect((json["scores"] as? [String: Any])?["sha256"] as? String == source.provenance.sha256)
        let benchmarks = try #require(json["benchmarks"] as? [String: Any])
        let jb = try #require(benchmarks["judgebench"] as? [String: Any])
        let metrics = try #require(jb["metrics"] as? [String: Double])
        for name in ["single_game.micro", "double_game.micro", "double_game.macro", "double_game.knowledge",
                     "double_game.reasoning", "double_game.math", "double_game.coding"] {
            #expect(metrics[name] != nil, "\(name)")
        }
        let files = try #require(jb["data_files"] as? [[String: Any]])
        let digest = try #require(files.first?["sha256"] as? String)
        #expect(digest.count == 64)
        let rm = try #require((benchmarks["rm-bench"] as? [String: Any])?["metrics"] as? [String: Double])
        #expect(Set(rm.keys) == ["easy", "normal", "hard", "overall", "chat"])
        // The top-level flat object carries every benchmark's metrics, prefixed (several ran).
        let flat = try #require(json["metrics"] as? [String: Any])
        #expect(flat["judgebench.double_game.micro"] as? Double == metrics["double_game.micro"])
        #expect(flat["rm-bench.hard"] as? Double == rm["hard"])
        #expect((json["skipped"] as? [Any])?.count == 4)
        let comparison = try #require(json["paper_comparison"] as? [String: Any])
        #expect((comparison["partial_columns"] as? [String]) == ["RM-Bench"])

        let html = try String(contentsOfFile: written.report, encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("Skywork-Reward-V2-Llama-3.1-8B"))
        for external in ["<script", "<link", "src=", "href=", "url("] { #expect(!html.contains(external), "\(external)") }

        let summary = SummaryTable.render(results)
        #expect(summary.contains("this run") && summary.contains("skipped rmb"))
    }

    @Test("with one benchmark, the flat metrics use the benchmark's metric names unprefixed")
    func flatMetricsOfOneBenchmark() async throws {
        let scratch = try ScratchFolder()
        let root = try Self.dataRoot(scratch)
        let (loaded, _) = try EvalRunner.load("judgebench", data: root)
        let requests = EvalRunner.requests(loaded)
        var scores = ""
        for (i, r) in requests.enumerated() { scores += "{\"id\": \"\(r.id)\", \"score\": \(i % 7)}\n" }
        let source = try PrecomputedScores(path: try scratch.write("scores.jsonl", scores))
        let outcome = try await source.scores(for: requests, progress: SilentProgress())
        let reports = try EvalRunner.evaluate(loaded, scores: outcome.table)
        let results = EvalResults(reports: reports, skipped: [], provenance: source.provenance,
                                  statistics: outcome.statistics, requestCount: requests.count)
        let names = results.flatMetrics.map(\.0)
        #expect(names.contains("double_game.micro") && names.contains("single_game.micro"))
        #expect(!names.contains { $0.hasPrefix("judgebench.") })
    }

    @Test("results.json numbers round-trip exactly and non-finite values become null")
    func jsonNumbers() throws {
        let v = JSONValue.object([("a", .double(64.28571428571429)), ("b", .double(.nan)), ("c", .double(50)), ("d", .string("x\"y"))])
        #expect(v.serialized() == #"{"a":64.28571428571429,"b":null,"c":50.0,"d":"x\"y"}"#)
        struct D: Decodable { var a: Double }
        #expect(try JSONDecoder().decode(D.self, from: Data(v.serialized().utf8)).a == 64.28571428571429)
    }
}
