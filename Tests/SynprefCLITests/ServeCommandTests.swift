import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import SynprefTestSupport
@testable import SynprefCLI

/// `synpref serve` as a user runs it: the built executable on the bundled tiny checkpoint,
/// scores equal to transformers' (examples/score-expected.jsonl), and SIGTERM draining and
/// exiting 0.
@Suite struct ServeCommandTests {
    static let root = ScoreCommandTests.root

    static func executable() throws -> URL {
        var candidates: [URL] = []
        if let exe = Bundle.main.executableURL { candidates.append(exe.deletingLastPathComponent().appendingPathComponent("synpref")) }
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        candidates.append(arg0.deletingLastPathComponent().appendingPathComponent("synpref"))
        for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "synpref was not built (looked at \(candidates.map(\.path))); run `swift build`"])
    }

    @Test func servesTransformersScoresAndDrainsOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["serve", "--model", Self.root.appendingPathComponent("examples/tiny-qwen3").path, "--port", "0", "--threads", "2"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let log = LogCollector(pipe.fileHandleForReading)
        // "listening on http://127.0.0.1:PORT", then "model ready".
        let port = try await log.waitFor(#/listening on http://127\.0\.0\.1:(\d+)/#).map { Int($0.1)! }
        _ = try await log.waitFor(#/model ready/#)
        let base = "http://127.0.0.1:\(try #require(port))"

        let inputs = try String(contentsOf: Self.root.appendingPathComponent("examples/score-input.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { String($0) }
        let expected = try String(contentsOf: Self.root.appendingPathComponent("examples/score-expected.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["score"] as? Double }
        let body = "{\"inputs\": [" + inputs.map { line -> String in
            let ids = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["input_ids"] as? [Int] ?? []
            return "{\"input_ids\": \(ids)}"
        }.joined(separator: ",") + "]}"
        var request = URLRequest(url: URL(string: "\(base)/v1/score")!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let scores = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["scores"] as? [Double])
        #expect(scores.count == expected.count && scores.count == 6)
        for (got, want) in zip(scores, expected) {
            let w = try #require(want)
            #expect(abs(got - w) <= 1e-4 * max(1, abs(w)), "\(got) vs transformers \(w)")
        }

        kill(process.processIdentifier, SIGTERM)
        _ = try await log.waitFor(#/draining/#)
        await process.waitForExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(log.text)")
    }

    @Test func anAPIKeyVariableThatIsNotSetIsAnError() async throws {
        let cmd = try ServeCommand.parse(["--model", "x", "--api-key-env", "SYNPREF_TEST_KEY_THAT_IS_NOT_SET"])
        await #expect {
            try await cmd.run()
        } throws: { error in
            "\(error)".contains("SYNPREF_TEST_KEY_THAT_IS_NOT_SET is not set")
        }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--model", "x", "--port", "70000"]) }
        #expect(throws: (any Error).self) { try ServeCommand.parse(["--model", "x", "--log-level", "loud"]) }
    }
}

/// Collects a child's stderr and waits for lines matching a pattern.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.buffer += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { lock.withLock { buffer } }

    func waitFor<Output>(_ pattern: Regex<Output>, timeout: Duration = .seconds(180)) async throws -> Output? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = text.firstMatch(of: pattern) { return match.output }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for \(pattern) in:\n\(text)")
        return nil
    }
}
