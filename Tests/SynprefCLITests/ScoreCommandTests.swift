import Testing
import Foundation
@testable import SynprefCLI

/// `synpref score` on the bundled tiny checkpoint (examples/, made by
/// scripts/reference/make_tiny_models.py with transformers' scores in
/// examples/score-expected.jsonl), and every kind of bad input line.
@Suite struct ScoreCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("examples/tiny-qwen3").path

    func temp(_ name: String, _ contents: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-score-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    func run(_ input: String, output: String, onError: String = "fail") async throws {
        let cmd = try ScoreCommand.parse(["--model", Self.model, "--input", input, "--output", output,
                                          "--threads", "2", "--on-error", onError])
        try await cmd.run()
    }

    func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    @Test func scoresMatchTransformersInInputOrder() async throws {
        let out = try temp("scores.jsonl")
        try await run(Self.root.appendingPathComponent("examples/score-input.jsonl").path, output: out)
        let got = try lines(out)
        let want = try lines(Self.root.appendingPathComponent("examples/score-expected.jsonl").path)
        #expect(got.count == want.count && got.count == 6)
        for (g, w) in zip(got, want) {
            #expect(g["id"] as? String == w["id"] as? String)
            let a = (g["score"] as? NSNumber)?.doubleValue ?? .nan, b = (w["score"] as? NSNumber)?.doubleValue ?? .nan
            #expect(abs(a - b) <= 1e-4 * max(1, abs(b)), "\(g) vs \(w)")
        }
    }

    /// Each bad line kind: the error names the line, and nothing is written (an existing
    /// output file is left as it was).
    @Test(arguments: [
        ("{\"id\": \"a\", \"input_ids\": [1, 2", "not valid JSON"),
        ("[1, 2, 3]", "must be an object, found array"),
        ("{\"id\": \"a\", \"input_ids\": [1, true]}", "element 1 is true"),
        ("{\"input_ids\": [1, 2]}", "field \"id\" is missing"),
        ("{\"id\": 7, \"input_ids\": [1, 2]}", "field \"id\" must be a string"),
        ("{\"id\": \"a\"}", "field \"input_ids\" is missing"),
        ("{\"id\": \"a\", \"input_ids\": [1, 2.5]}", "must be an array of integers"),
        ("{\"id\": \"a\", \"input_ids\": \"1 2\"}", "must be an array of integers"),
        ("{\"id\": \"a\", \"input_ids\": [1, 300]}", "input_ids[1] = 300 is outside the model's vocabulary (0..<300)"),
        ("{\"id\": \"a\", \"input_ids\": []}", "input_ids is empty"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "\"messages\"} lines need the text front end"),
    ])
    func badLineFailsWithItsNumberAndWritesNothing(line: String, message: String) async throws {
        let input = try temp("in.jsonl", "{\"id\": \"ok\", \"input_ids\": [1, 2, 3]}\n\n\(line)\n{\"id\": \"ok2\", \"input_ids\": [4]}\n")
        let out = try temp("out.jsonl", "previous contents\n")
        await #expect {
            try await run(input, output: out)
        } throws: { error in
            let text = "\(error)"
            return text.contains("\(input):3:") && text.contains(message)
        }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous contents\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path)
        #expect(leftovers == ["out.jsonl"]) // no temporary file left behind
    }

    @Test func skipModeLeavesBadLinesOutAndKeepsOrder() async throws {
        let input = try temp("in.jsonl", """
            {"id": "first", "input_ids": [1, 2, 3]}
            not json
            {"id": "second", "input_ids": [5, 6]}
            {"id": "bad-token", "input_ids": [-4]}
            {"id": "third", "input_ids": [7]}
            """)
        let out = try temp("out.jsonl")
        try await run(input, output: out, onError: "skip")
        #expect(try lines(out).map { $0["id"] as? String } == ["first", "second", "third"])
    }

    @Test func missingInputAndBadOptionsAreErrors() async throws {
        let out = try temp("out.jsonl")
        await #expect(throws: (any Error).self) { try await run("/nonexistent/input.jsonl", output: out) }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(throws: (any Error).self) { try ScoreCommand.parse(["--model", Self.model, "--input", "x", "--threads", "0"]) }
        #expect(throws: (any Error).self) { try ScoreCommand.parse(["--model", Self.model, "--input", "x", "--on-error", "ignore"]) }
        let cmd = try ScoreCommand.parse(["--model", "/nonexistent/model", "--input", out])
        await #expect(throws: (any Error).self) { try await cmd.run() }
    }
}
