import Foundation
import Testing
import SynprefTestSupport
import SynprefCore
import HubTestSupport

/// `synpref eval` without --data and `synpref data import hf://datasets/...`, run as the
/// user runs them (the built executable, its own environment) against a local server that
/// serves the Hub's API and `resolve` layouts with Parquet shards written by pyarrow
/// (Fixtures/hub-benchmarks, scripts/reference/hub_benchmark_fixtures.py).
@Suite(.serialized) struct HubDatasetCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Tests/SynprefCLITests/Fixtures/hub-benchmarks")
    static let modelEval = root.appendingPathComponent("Tests/SynprefEvalTests/Fixtures/model-eval")
    static let commit = "feedfacecafebeef0123456789abcdef01234567"

    static func files(_ folder: String) throws -> [String: [UInt8]] {
        let base = fixtures.appendingPathComponent(folder)
        var out: [String: [UInt8]] = [".gitattributes": Array("*.parquet filter=lfs diff=lfs merge=lfs -text\n".utf8)]
        for rel in ["README.md", "data/" + (try FileManager.default.contentsOfDirectory(atPath: base.appendingPathComponent("data").path)[0])] {
            out[rel] = [UInt8](try Data(contentsOf: base.appendingPathComponent(rel)))
        }
        return out
    }

    static func hub() throws -> FakeHub {
        let hh = root.appendingPathComponent("Tests/SynprefDataTests/Fixtures/parquet/hf-preference-hh-rlhf.parquet")
        return FakeHub(datasets: [
            "allenai/reward-bench-2": .init(files: try files("reward-bench-2"), commit: commit),
            "THU-KEG/RM-Bench": .init(files: try files("RM-Bench"), commit: commit),
            "org/hh-test": .init(files: ["data/test-00000-of-00001.parquet": [UInt8](try Data(contentsOf: hh))], commit: commit),
        ])
    }

    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs the built `synpref` with the Hub settings of `environment` (and none inherited).
    static func synpref(_ arguments: [String], environment: [String: String]) async throws -> Run {
        let p = Process()
        p.executableURL = try ServeCommandTests.executable()
        p.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HF_") && !$0.key.hasPrefix("HUGGING") && $0.key != "SYNPREF_CACHE" }
        env.merge(environment) { $1 }
        p.environment = env
        let (status, output) = try await p.runCapturingOutput()
        return Run(status: status, output: output)
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-hub-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func json(_ url: URL) throws -> JSONValue { try JSONParser.parse([UInt8](try Data(contentsOf: url))) }

    static func metrics(_ results: JSONValue, _ benchmark: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for (name, value) in results["benchmarks"]?[benchmark]?["metrics"]?.objectValue ?? JSONObject() { out[name] = value.doubleValue }
        return out
    }

    @Test func evalWithoutDataFetchesTheBenchmarksAndRecordsTheirRevisions() async throws {
        let server = try HubTestServer { [hub = try Self.hub()] request, server in hub.respond(request, server: server) }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = ["HF_ENDPOINT": server.base.absoluteString, "HF_HUB_CACHE": dir.appendingPathComponent("hub").path,
                           "SYNPREF_CACHE": dir.appendingPathComponent("synpref").path]
        let scores = Self.modelEval.appendingPathComponent("scores.jsonl").path
        let fetched = try await Self.synpref(["eval", "--benchmark", "all", "--scores", scores, "--output", dir.appendingPathComponent("hub-run").path],
                                       environment: environment)
        server.stop()
        try #require(fetched.status == 0, "\(fetched.output)")
        let results = try Self.json(dir.appendingPathComponent("hub-run/results.json"))

        // The two benchmarks the Hub serves were evaluated from its files, pinned to the commit.
        let rb2 = try #require(results["datasets"]?["rewardbench2"]?.arrayValue?.first)
        #expect(rb2["repository"]?.stringValue == "allenai/reward-bench-2" && rb2["commit"]?.stringValue == Self.commit)
        #expect(rb2["split"]?.stringValue == "test" && rb2["config"]?.stringValue == "default")
        let shard = try Self.files("reward-bench-2")["data/test-00000-of-00001.parquet"] ?? []
        #expect(rb2["files"]?.arrayValue?.first?["sha256"]?.stringValue == FakeHub.sha256(shard))
        #expect(rb2["files"]?.arrayValue?.first?["path"]?.stringValue == "data/test-00000-of-00001.parquet")
        #expect(results["datasets"]?["rm-bench"]?.arrayValue?.first?["commit"]?.stringValue == Self.commit)
        let page = try String(contentsOf: dir.appendingPathComponent("hub-run/report.html"), encoding: .utf8)
        #expect(page.contains("Hugging Face dataset <code>allenai/reward-bench-2</code> split <code>test</code>"))
        #expect(page.contains("at commit <code>\(Self.commit)</code>"))
        // The data files of the report are those bytes.
        #expect(results["benchmarks"]?["rewardbench2"]?["data_files"]?.arrayValue?.first?["sha256"]?.stringValue == FakeHub.sha256(shard))

        // The others are skipped with the reason: not on this Hub, or not on the Hub at all.
        let skipped = (results["skipped"]?.arrayValue ?? []).map { ($0["benchmark"]?.stringValue ?? "", $0["reason"]?.stringValue ?? "") }
        #expect(Set(skipped.map(\.0)) == ["rewardbench", "ppe", "judgebench", "rmb"])
        #expect(skipped.first { $0.0 == "rewardbench" }?.1.contains("allenai/reward-bench: repository not found") == true)
        #expect(skipped.first { $0.0 == "rmb" }?.1.contains("not published as a Hugging Face dataset") == true)

        // The same rows from the local JSON copies give the same numbers.
        let local = try await Self.synpref(["eval", "--benchmark", "all", "--data", Self.modelEval.appendingPathComponent("data").path,
                                      "--scores", scores, "--output", dir.appendingPathComponent("local-run").path], environment: environment)
        try #require(local.status == 0, "\(local.output)")
        let localResults = try Self.json(dir.appendingPathComponent("local-run/results.json"))
        for benchmark in ["rewardbench2", "rm-bench"] {
            let a = Self.metrics(results, benchmark), b = Self.metrics(localResults, benchmark)
            #expect(!a.isEmpty && a.keys.sorted() == b.keys.sorted(), "\(benchmark)")
            for (k, v) in a { #expect(abs(v - (b[k] ?? .nan)) < 1e-9, "\(benchmark).\(k): \(v) vs \(b[k] ?? .nan)") }
        }
        #expect(localResults["datasets"]?.objectValue?.isEmpty == true)

        // Offline (the server is gone): the cache answers, with the same record.
        let offline = try await Self.synpref(["eval", "--benchmark", "rewardbench2", "--scores", scores, "--output", dir.appendingPathComponent("offline-run").path],
                                       environment: environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 })
        try #require(offline.status == 0, "\(offline.output)")
        let offlineResults = try Self.json(dir.appendingPathComponent("offline-run/results.json"))
        #expect(offlineResults["datasets"]?["rewardbench2"]?.arrayValue?.first?["commit"]?.stringValue == Self.commit)
        #expect(Self.metrics(offlineResults, "rewardbench2") == Self.metrics(results, "rewardbench2"))

        // One benchmark that cannot be fetched is an error that says what to do.
        let rmb = try await Self.synpref(["eval", "--benchmark", "rmb", "--scores", scores, "--output", dir.appendingPathComponent("x").path], environment: environment)
        #expect(rmb.status != 0 && rmb.output.contains("not published as a Hugging Face dataset") && rmb.output.contains("--data"))
        let rb1 = try await Self.synpref(["eval", "--benchmark", "rewardbench", "--scores", scores, "--output", dir.appendingPathComponent("y").path],
                                   environment: environment.merging(["HF_HUB_OFFLINE": "1"]) { $1 })
        #expect(rb1.status != 0 && rb1.output.contains("cannot fetch its dataset") && rb1.output.contains("HF_HUB_OFFLINE"))
    }

    @Test func dataImportReadsAHubDatasetSplit() async throws {
        let server = try HubTestServer { [hub = try Self.hub()] request, server in hub.respond(request, server: server) }
        defer { server.stop() }
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = ["HF_ENDPOINT": server.base.absoluteString, "HF_HUB_CACHE": dir.appendingPathComponent("hub").path]
        let store = "sqlite:" + dir.appendingPathComponent("s.db").path
        let common = ["--store", store, "--format", "trl-conversational", "--on-error", "skip", "--rejects", dir.appendingPathComponent("rejects.jsonl").path]
        func totals(_ output: String) -> [String] {
            output.split(separator: "\n").first { $0.hasPrefix("total") }.map { $0.split(separator: " ").map(String.init) } ?? []
        }
        let run = try await Self.synpref(["data", "import", "hf://datasets/org/hh-test"] + common, environment: environment)
        try #require(run.status == 0, "\(run.output)")
        #expect(run.output.contains("hf://datasets/org/hh-test: split test at commit \(Self.commit.prefix(12))"))
        // total | records | invalid | pairs | inserted | duplicate | already stored | in other sources
        #expect(totals(run.output) == ["total", "200", "2", "198", "198", "0", "0", "0"], "\(run.output)")
        // The same file imported from disk finds every pair stored, under the dataset's source
        // name (org/hh-test/test) rather than its own.
        let local = Self.root.appendingPathComponent("Tests/SynprefDataTests/Fixtures/parquet/hf-preference-hh-rlhf.parquet").path
        let again = try await Self.synpref(["data", "import", local] + common, environment: environment)
        try #require(again.status == 0, "\(again.output)")
        #expect(totals(again.output) == ["total", "200", "2", "198", "0", "0", "0", "198"], "\(again.output)")
        // A split the dataset lacks, and --split without a dataset, are clear errors.
        let bad = try await Self.synpref(["data", "import", "hf://datasets/org/hh-test", "--split", "train", "--dry-run"], environment: environment)
        #expect(bad.status != 0 && bad.output.contains("no split \"train\"; the dataset has test"), "\(bad.output)")
        let stray = try await Self.synpref(["data", "import", local, "--split", "train", "--dry-run"], environment: environment)
        #expect(stray.status != 0 && stray.output.contains("--split and --config apply to hf://datasets/"))
    }
}
