import Foundation
import Testing
import SynprefCore
import SynprefTestSupport
@testable import SynprefCLI

/// `synpref judge` as a user runs it, against Tests/JudgeServer/fault_server.py: a run
/// killed with SIGKILL in the middle and started again finishes without paying for any
/// answer twice (the server counts the 200 answers per distinct request).
@Suite(.serialized) struct JudgeCommandTests {
    static let root = ScoreCommandTests.root

    func temp(_ name: String, _ contents: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-judge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    func lineCount(_ path: String) -> Int {
        (try? String(contentsOfFile: path, encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    @Test func aKilledRunResumesWithoutRepeatingPaidCalls() async throws {
        let server = try FaultServer(delayMilliseconds: 250)
        let judges = try temp("judges.json", """
            [{"name": "fault", "endpoint": "\(server.base)/v1", "model": "m", "max_concurrency": 4, "samples": 2,
              "structured_output": "json_object"}]
            """)
        var input = ""
        for i in 0..<40 {
            input += "{\"id\": \"p\(i)\", \"prompt\": \"What is \(i) + \(i)?\", \"chosen\": \"GOOD: \(2 * i)\", \"rejected\": \"\(2 * i + 1)\"}\n"
        }
        let inputPath = try temp("pairs.jsonl", input)
        let output = try temp("labels.jsonl"), cache = output + ".cache.jsonl"
        let exe = try ServeCommandTests.executable()
        func start() throws -> Process {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["judge", "preference", "--judges", judges, "--input", inputPath, "--output", output, "--seed", "5"]
            p.standardError = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        let first = try start()
        // Kill it once a quarter of the 80 answers are cached. A thread of its own watches the
        // cache, so a busy test process (the whole suite runs at once) cannot miss the moment.
        let pid = first.processIdentifier, cacheFile = cache
        let watcher = Thread {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                let lines = (try? String(contentsOfFile: cacheFile, encoding: .utf8))?.split(separator: "\n").count ?? 0
                if lines >= 20 { kill(pid, SIGKILL); return }
                usleep(2_000)
            }
        }
        watcher.start()
        await first.waitForExit()
        #expect(first.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: output), "a killed run writes no output")
        let cachedAtKill = lineCount(cache)
        #expect(cachedAtKill >= 20 && cachedAtKill < 80)

        let second = try start()
        await second.waitForExit()
        #expect(second.terminationStatus == 0)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(lines.count == 40)
        #expect(lines.map { $0["id"]?.stringValue } == (0..<40).map { "p\($0)" })
        #expect(lines.allSatisfy { $0["label"]?.stringValue == "chosen" && $0["votes"]?["chosen"]?.intValue == 2 })
        // Every distinct request was answered once, except those in flight at the kill
        // (sent, not yet answered: at most max_concurrency).
        let byKey = try #require(try server.stats()["by_key"]?.objectValue)
        #expect(byKey.count == 80)
        let repeated = byKey.values.filter { ($0["ok_200"]?.intValue ?? 0) > 1 }.count
        #expect(repeated <= 4, "\(repeated) answers paid for twice")
        let sent = byKey.values.reduce(0) { $0 + ($1["requests"]?.intValue ?? 0) }
        print("judge resume after SIGKILL: \(cachedAtKill) answers cached at the kill, \(repeated) answered twice, \(sent) requests for 80 distinct calls")
        #expect(sent <= 80 + 4)
    }

    /// The OpenAI Batch API round trip: the calls go out as a JSONL file instead of
    /// requests, the batch's output file (in the documented output shape) fills the cache,
    /// and the same command then finishes from the cache without any server.
    @Test func batchRequestsOutAndBatchResultsIn() async throws {
        let judges = try temp("judges.json", "[{\"name\": \"b\", \"endpoint\": \"http://127.0.0.1:9/v1\", \"model\": \"gpt-x\", \"samples\": 2, \"max_retries\": 0}]")
        let input = try temp("pairs.jsonl", (0..<3).map { "{\"id\": \"p\($0)\", \"prompt\": \"q\($0)\", \"chosen\": \"a\($0)\", \"rejected\": \"b\($0)\"}\n" }.joined())
        let output = try temp("labels.jsonl"), requests = try temp("batch-in.jsonl")
        try await runSynpref(["judge", "preference", "--judges", judges, "--input", input, "--output", output, "--batch-requests", requests])
        #expect(!FileManager.default.fileExists(atPath: output))
        let calls = try String(contentsOfFile: requests, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(calls.count == 6)
        for c in calls {
            #expect(c["custom_id"]?.stringValue?.count == 64 && c["method"]?.stringValue == "POST" && c["url"]?.stringValue == "/v1/chat/completions")
            #expect(c["body"]?["model"]?.stringValue == "gpt-x" && c["body"]?["messages"]?.arrayValue?.count == 1)
        }
        // The batch's output: every call answered "tie", plus one failed line.
        var results = calls.enumerated().map { i, c -> String in
            let completion: JSONValue = ["id": .string("chatcmpl-\(i)"), "object": "chat.completion", "model": "gpt-x",
                                         "choices": [["index": 0, "message": ["role": "assistant", "content": "{\"rationale\": \"same\", \"verdict\": \"tie\"}"], "finish_reason": "stop"]],
                                         "usage": ["prompt_tokens": 100, "completion_tokens": 9, "total_tokens": 109]]
            let line: JSONValue = ["id": .string("batch_req_\(i)"), "custom_id": c["custom_id"] ?? .null,
                                   "response": ["status_code": 200, "request_id": .string("req_\(i)"), "body": completion], "error": .null]
            return line.serialized()
        }
        results.append(#"{"id": "batch_req_x", "custom_id": "unknown", "response": null, "error": {"code": "batch_expired", "message": "This request could not be executed before the completion window expired."}}"#)
        let batchOut = try temp("batch-out.jsonl", results.joined(separator: "\n") + "\n")
        try await runSynpref(["judge", "preference", "--judges", judges, "--input", input, "--output", output, "--batch-results", batchOut])
        let labels = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(labels.map { $0["id"]?.stringValue } == ["p0", "p1", "p2"])
        #expect(labels.allSatisfy { $0["label"]?.stringValue == "tie" && $0["votes"]?["tie"]?.intValue == 2 })
    }

    @Test func aJudgesFileWithATypoIsAnErrorNamingTheField() async throws {
        let judges = try temp("judges.json", "[{\"name\": \"a\", \"endpoint\": \"http://127.0.0.1:9/v1\", \"model\": \"m\", \"temprature\": 0.2}]")
        let input = try temp("pairs.jsonl", "{\"prompt\": \"q\", \"chosen\": \"a\", \"rejected\": \"b\"}\n")
        await #expect {
            try await runSynpref(["judge", "attributes", "--judges", judges, "--input", input, "--output", try temp("o.jsonl")])
        } throws: { "\($0)".contains("[0].temprature: unknown field") }
    }
}
