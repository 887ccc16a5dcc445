import ArgumentParser
import Foundation
import SynprefCore
import SynprefText
import Testing

@testable import SynprefCLI

/// `synpref tokenize` end to end with the real all-MiniLM-L6-v2 tokenizer.
@Suite struct TokenizeCommandTests {
    /// The MiniLM tokenizer folder and a scratch folder. A missing asset is a failure.
    func setUp() throws -> (tokenizer: URL, dir: URL) {
        let file = try #require(SynprefAssets.locate("minilm/tokenizer.json"), "asset minilm/tokenizer.json missing; run scripts/fetch-assets.sh")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-tokenize-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (file.deletingLastPathComponent(), dir)
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func writesIdsAndMatchesTheLibrary() async throws {
        let (tokenizer, dir) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data(#"{"id": "a", "text": "Hello world"}"#.utf8 + [0x0A]).write(to: input)
        let out = dir.appendingPathComponent("out.jsonl")
        try await runSynpref(["tokenize", "--tokenizer", tokenizer.path, "--input", input.path, "--output", out.path])
        // The command writes what Tokenizer.encode gives (whose parity with the Python
        // library is TokenizerParityTests' business).
        let expected = try Tokenizer.load(directory: tokenizer).encode("Hello world", addSpecialTokens: true)
        let line = try String(contentsOf: out, encoding: .utf8)
        #expect(line == #"{"id":"a","input_ids":["# + expected.map(String.init).joined(separator: ",") + "]}\n"
            || line == #"{"id": "a", "input_ids": ["# + expected.map(String.init).joined(separator: ", ") + "]}\n")
    }

    /// A line of spaces, tabs and a carriage return is blank, as in every JSON Lines reader.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func whitespaceOnlyLinesAreSkipped() async throws {
        let (tokenizer, dir) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data((#"{"id": "a", "text": "Hi"}"# + "\n \r \t\r\n" + #"{"id": "b", "text": "there"}"# + "\n").utf8).write(to: input)
        let out = dir.appendingPathComponent("out.jsonl")
        try await runSynpref(["tokenize", "--tokenizer", tokenizer.path, "--input", input.path, "--output", out.path])
        #expect(try String(contentsOf: out, encoding: .utf8).split(separator: "\n").count == 2)
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func badLineLeavesNoPartialOutput() async throws {
        let (tokenizer, dir) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.jsonl")
        try Data((#"{"id": "a", "text": "fine"}"# + "\n" + #"{"id": "b", "text": 5}"# + "\n").utf8).write(to: input)
        let out = dir.appendingPathComponent("out.jsonl")
        await #expect {
            try await runSynpref(["tokenize", "--tokenizer", tokenizer.path, "--input", input.path, "--output", out.path])
        } throws: { error in
            "\(error)".contains("2")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["in.jsonl"])
    }
}
