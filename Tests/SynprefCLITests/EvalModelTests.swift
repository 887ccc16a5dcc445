import Foundation
import Testing
import SynprefCore
import SynprefModels
@testable import SynprefCLI
import SynprefTestSupport

/// `synpref eval --model` end to end: a tiny Qwen3 reward model (weights generated at test
/// time from the shared PRNG; the real Qwen tokenizer and qwen3.jinja) over a slice of
/// RewardBench 2 Ties and RM-Bench chat gives the same results as `eval --scores` with
/// scores transformers computed for the same requests (scripts/reference/frontend_eval.py,
/// fixture Tests/SynprefEvalTests/Fixtures/model-eval/). Re-runs hit the cache; a cut-off
/// cache (an interrupted run) resumes.
@Suite(.computeThreads, .serialized) struct EvalModelTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = root.appendingPathComponent("Tests/SynprefEvalTests/Fixtures/model-eval")

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-eval-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The model folder model.json describes. A missing Qwen tokenizer asset is a failure.
    static func modelFolder(in dir: URL) throws -> URL {
        let spec = try JSONParser.parse([UInt8](try Data(contentsOf: fixture.appendingPathComponent("model.json"))))
        let asset = try #require(SynprefAssets.locate(spec["asset"]?.stringValue ?? "qwen"), "asset folder qwen missing; run scripts/fetch-assets.sh")
        let folder = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (file, digest) in spec["asset_files"]?.objectValue ?? JSONObject() {
            let bytes = try Data(contentsOf: asset.appendingPathComponent(file))
            try #require(SHA256.hex([UInt8](bytes)) == digest.stringValue, "\(file) differs from the one the fixture was made with")
            try bytes.write(to: folder.appendingPathComponent(file))
        }
        for (file, text) in spec["files"]?.objectValue ?? JSONObject() {
            try Data((text.stringValue ?? "").utf8).write(to: folder.appendingPathComponent(file))
        }
        let tensors = (spec["generated"]?.arrayValue ?? []).map { t in
            (name: t.arrayValue?.first?.stringValue ?? "", shape: t.arrayValue?.last?.arrayValue?.compactMap(\.intValue) ?? [])
        }
        try SyntheticWeights.write(tensors, dtype: .bfloat16, to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    static func eval(_ args: [String]) async throws {
        try await EvalCommand.parse(["--benchmark", "all", "--data", fixture.appendingPathComponent("data").path] + args).run()
    }

    static func results(_ dir: URL) throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: dir.appendingPathComponent("results.json"))))
    }

    /// Every metric of every benchmark, as "benchmark/metric".
    static func metrics(_ results: JSONValue) -> [String: Double] {
        var out: [String: Double] = [:]
        for (benchmark, value) in results["benchmarks"]?.objectValue ?? JSONObject() {
            for (name, m) in value["metrics"]?.objectValue ?? JSONObject() { out["\(benchmark)/\(name)"] = m.doubleValue }
        }
        return out
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func evalModelEqualsEvalScoresWithTransformersScores() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.modelFolder(in: dir)
        let requests = dir.appendingPathComponent("requests.jsonl").path
        try await Self.eval(["--scores", Self.fixture.appendingPathComponent("scores.jsonl").path,
                             "--dump-requests", requests, "--output", dir.appendingPathComponent("reference").path])
        let reference = Self.metrics(try Self.results(dir.appendingPathComponent("reference")))
        #expect(reference.count >= 6, "\(reference)")

        // The same requests through `synpref score` agree with transformers per response.
        let scored = dir.appendingPathComponent("scored.jsonl").path
        try await ScoreCommand.parse(["--model", model.path, "--input", requests, "--output", scored, "--threads", "2"]).run()
        var want: [String: Double] = [:]
        for line in try String(contentsOf: Self.fixture.appendingPathComponent("scores.jsonl"), encoding: .utf8).split(separator: "\n") {
            let v = try JSONParser.parse(Array(line.utf8))
            want[v["id"]?.stringValue ?? ""] = v["score"]?.doubleValue
        }
        var worst = 0.0, count = 0
        for line in try String(contentsOfFile: scored, encoding: .utf8).split(separator: "\n") {
            let v = try JSONParser.parse(Array(line.utf8))
            let id = v["id"]?.stringValue ?? "", got = v["score"]?.doubleValue ?? .nan
            let w = try #require(want[id], "no reference score for \(id)")
            worst = max(worst, abs(got - w))
            count += 1
        }
        #expect(count == want.count && count == 358)
        #expect(worst <= 1e-4, "worst score difference \(worst)")

        // eval --model: the same metrics, and statistics in results.json.
        let cache = dir.appendingPathComponent("cache.jsonl").path
        let out = dir.appendingPathComponent("model-run")
        try await Self.eval(["--model", model.path, "--cache", cache, "--output", out.path, "--threads", "2"])
        let first = try Self.results(out)
        let got = Self.metrics(first)
        #expect(Set(got.keys) == Set(reference.keys))
        for (name, value) in reference {
            #expect(abs((got[name] ?? .nan) - value) <= 1e-6, "\(name): --model \(got[name] ?? .nan) vs --scores \(value)")
        }
        #expect(first["scores"]?["kind"]?.stringValue == "model")
        #expect(first["scoring"]?["scored"]?.intValue == 358 && first["scoring"]?["cache_hits"]?.intValue == 0)
        #expect((first["scoring"]?["tokens"]?.intValue ?? 0) > 20000)
        #expect((first["scoring"]?["tokens_per_second"]?.doubleValue ?? 0) > 0)

        // A re-run is all cache hits and gives the same results.
        try await Self.eval(["--model", model.path, "--cache", cache, "--output", out.path])
        let second = try Self.results(out)
        #expect(second["scoring"]?["cache_hit_rate"]?.doubleValue == 1)
        #expect(Self.metrics(second) == got)

        // An interrupted run: the cache holds the first 100 entries and a torn line. The
        // next run scores only the rest and ends with the same results.
        let text = try String(contentsOfFile: cache, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 358)
        try (lines.prefix(100).joined(separator: "\n") + "\n" + String(lines[100].prefix(30))).write(toFile: cache, atomically: true, encoding: .utf8)
        try await Self.eval(["--model", model.path, "--cache", cache, "--output", out.path])
        let resumed = try Self.results(out)
        #expect(resumed["scoring"]?["cache_hits"]?.intValue == 100 && resumed["scoring"]?["scored"]?.intValue == 258)
        // Responses are batched differently than in the first run, so scores may differ in
        // the last float bits (packing changes the GEMM shapes); the metrics agree.
        let resumedMetrics = Self.metrics(resumed)
        #expect(Set(resumedMetrics.keys) == Set(got.keys))
        for (name, value) in got { #expect(abs((resumedMetrics[name] ?? .nan) - value) <= 1e-6, "\(name) after resuming") }
        #expect(try String(contentsOfFile: cache, encoding: .utf8).split(separator: "\n").count == 358)
    }

    @Test func badModelOptionsAreErrors() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--benchmark", "all", "--data", "x", "--model", "m", "--scores", "s"]) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--benchmark", "all", "--data", "x", "--model", "m", "--max-length", "0"]) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--benchmark", "all", "--data", "x", "--model", "m", "--batch-size", "0"]) }
        #expect(throws: (any Error).self) { try EvalCommand.parse(["--benchmark", "all", "--data", "x", "--model", "m", "--truncate", "both"]) }
        // A model folder without tokenizer files cannot read conversations: said before any data is read.
        let tiny = Self.root.appendingPathComponent("examples/tiny-qwen3").path
        await #expect {
            try await Self.eval(["--model", tiny, "--cache", dir.appendingPathComponent("c.jsonl").path, "--output", dir.path])
        } throws: { "\($0)".contains("no tokenizer.json") }
    }

    /// Over --max-length without --truncate: an error naming the request id.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("qwen/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func overMaxLengthWithoutTruncateNamesTheRequest() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.modelFolder(in: dir)
        await #expect {
            try await Self.eval(["--model", model.path, "--max-length", "40", "--cache", dir.appendingPathComponent("c2.jsonl").path,
                                 "--output", dir.appendingPathComponent("out").path])
        } throws: { error in
            guard let e = error as? TextFrontEndError, case .tooLong(let id?, _, 40, false) = e else { return false }
            return id.count == 64
        }
    }
}
