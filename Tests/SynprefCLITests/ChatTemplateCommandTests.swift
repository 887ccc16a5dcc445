import Foundation
import ArgumentParser
import SynprefJinja
import Testing

@testable import SynprefCLI

/// `synpref chat-template` end to end on a temporary tokenizer folder.
@Suite struct ChatTemplateCommandTests {
    /// A folder whose template prints role/content pairs, bos/eos and the prompt flag.
    func tokenizerFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let template = "{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m.content }}]{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant:{% endif %}"
        let config: [String: Any] = [
            "bos_token": "<s>",
            "eos_token": ["__type": "AddedToken", "content": "</s>", "lstrip": false],
            "chat_template": template,
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        return dir
    }

    func write(_ lines: [String], in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("in.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url
    }

    @Test func rendersEachLineWithoutGenerationPrompt() async throws {
        let dir = try tokenizerFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try write([
            #"{"id": "a", "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hé"}]}"#,
            "",
            #"{"id": 7, "messages": [{"role": "user", "content": "x\ny"}], "extra": true}"#,
        ], in: dir)
        let out = dir.appendingPathComponent("out.jsonl")
        try await runSynpref(["chat-template", "--tokenizer", dir.path, "--input", input.path, "--output", out.path])
        let text = try String(contentsOf: out, encoding: .utf8)
        // bos from the string, eos from the AddedToken's content; ids echoed as given;
        // the blank line is skipped; JSON as Python's json.dumps writes it.
        #expect(
            text == """
                {"id": "a", "text": "<s>[user:Hi]</s>[assistant:Hé]</s>"}
                {"id": 7, "text": "<s>[user:x\\ny]</s>"}

                """)
    }

    @Test func generationPromptOnRequest() async throws {
        let dir = try tokenizerFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try write([#"{"id": "a", "messages": [{"role": "user", "content": "Hi"}]}"#], in: dir)
        let out = dir.appendingPathComponent("out.jsonl")
        try await runSynpref(["chat-template", "--tokenizer", dir.path, "--input", input.path, "--output", out.path, "--add-generation-prompt"])
        #expect(try String(contentsOf: out, encoding: .utf8) == #"{"id": "a", "text": "<s>[user:Hi]</s>[assistant:"}"# + "\n")
    }

    @Test func malformedLinesNameTheFileAndLine() async throws {
        let dir = try tokenizerFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try write([
            #"{"id": "a", "messages": [{"role": "user", "content": "Hi"}]}"#,
            #"{"id": "b", "messages": [{"content": "no role"}]}"#,
        ], in: dir)
        let out = dir.appendingPathComponent("out.jsonl")
        await #expect(throws: ChatTemplateInputError.malformedLine(path: input.path, line: 2, reason: "messages[0] has no string \"role\"")) {
            try await runSynpref(["chat-template", "--tokenizer", dir.path, "--input", input.path, "--output", out.path])
        }
        // No partial output is left behind.
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.sorted() == ["in.jsonl", "tokenizer_config.json"], "leftover files: \(files)")
    }

    @Test func folderWithoutTemplateIsAClearError() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let input = try write([#"{"id": "a", "messages": [{"role": "user", "content": "Hi"}]}"#], in: dir)
        await #expect(throws: ChatTemplateError.noChatTemplate(directory: dir.path)) {
            try await runSynpref(["chat-template", "--tokenizer", dir.path, "--input", input.path])
        }
    }

    @Test func templateFileOverridesTheFolder() async throws {
        let dir = try tokenizerFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.jinja")
        try Data("{{ eos_token }}{{ messages|length }}".utf8).write(to: file)
        let input = try write([#"{"id": 1, "messages": [{"role": "user", "content": "Hi"}]}"#], in: dir)
        let out = dir.appendingPathComponent("out.jsonl")
        try await runSynpref(["chat-template", "--tokenizer", dir.path, "--input", input.path, "--output", out.path, "--template-file", file.path])
        #expect(try String(contentsOf: out, encoding: .utf8) == #"{"id": 1, "text": "</s>1"}"# + "\n")
    }
}
