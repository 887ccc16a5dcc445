import Testing
import Foundation
@testable import SynprefCLI
import SynprefTestSupport

/// `synpref score` on the bundled tiny checkpoint (examples/, made by
/// scripts/reference/make_tiny_models.py with transformers' scores in
/// examples/score-expected.jsonl), and every kind of bad input line.
@Suite(.computeThreads) struct ScoreCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let model = root.appendingPathComponent("examples/tiny-qwen3").path

    func temp(_ name: String, _ contents: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-score-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    func run(_ input: String, output: String, onError: String = "fail", model: String = ScoreCommandTests.model,
             _ extra: [String] = []) async throws {
        let cmd = try ScoreCommand.parse(["--model", model, "--input", input, "--output", output,
                                          "--threads", "2", "--on-error", onError] + extra)
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
        ("{\"id\": \"a\"}", "field \"messages\" or \"input_ids\" is missing"),
        ("{\"id\": \"a\", \"input_ids\": [1, 2.5]}", "must be an array of integers"),
        ("{\"id\": \"a\", \"input_ids\": \"1 2\"}", "must be an array of integers"),
        ("{\"id\": \"a\", \"input_ids\": [1, 300]}", "input_ids[1] = 300 is outside the model's vocabulary (0..<300)"),
        ("{\"id\": \"a\", \"input_ids\": []}", "input_ids is empty"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "needs the model's tokenizer, but"),
        ("{\"id\": \"a\", \"messages\": \"hi\"}", "messages: expected a list of messages, found string"),
        ("{\"id\": \"a\", \"messages\": []}", "messages: is empty"),
        ("{\"id\": \"a\", \"messages\": [3]}", "messages[0]: expected an object, found number"),
        ("{\"id\": \"a\", \"messages\": [{\"content\": \"x\"}]}", "messages[0].role: missing"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": 1, \"content\": \"x\"}]}", "messages[0].role: expected a string, found number"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"bot\", \"content\": \"x\"}]}", "messages[0].role: unknown role \"bot\"; expected system, user, assistant or tool"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"assistant\"}]}", "messages[1].content: missing"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": null}]}", "messages[0].content: is null; a message needs text content"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"reasoning_content\": 5}]}", "messages[0].reasoning_content: expected a string, found number"),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": \"n\"}]}", "messages[0]: has key \"name\""),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"input_ids\": [1]}", "both \"messages\" and \"input_ids\""),
        ("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"token_type_ids\": [0]}", "\"token_type_ids\" goes with \"input_ids\""),
        ("{\"id\": \"a\", \"input_ids\": [1, 2], \"token_type_ids\": [0, \"x\"]}", "field \"token_type_ids\" must be an array of integers, but element 1 is \"x\""),
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

    // MARK: - Conversations

    /// The bundled tiny Qwen3 with a hand-made tokenizer whose words are one token each:
    /// [CLS] 2, [SEP] 3, a 7, b 8, c 9, d 10, e 11 (BertProcessing adds [CLS] … [SEP]), and a
    /// template that prints each message's content followed by a space.
    func conversationModel(template: String = "{% for m in messages %}{{ m.content }} {% endfor %}") throws -> String {
        let dir = URL(fileURLWithPath: try temp("model"))
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: Self.model + "/" + f, toPath: dir.appendingPathComponent(f).path)
        }
        let tokenizer = #"""
            {"version": "1.0", "added_tokens": [
              {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
              {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
             "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
             "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}, "decoder": null,
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                       "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 7, "b": 8, "c": 9, "d": 10, "e": 11}}}
            """#
        try tokenizer.write(to: dir.appendingPathComponent("tokenizer.json"), atomically: true, encoding: .utf8)
        try template.write(to: dir.appendingPathComponent("chat_template.jinja"), atomically: true, encoding: .utf8)
        return dir.path
    }

    /// The same token ids scored at two positions of a packed batch. The arithmetic is the
    /// same but a BLAS may sum a row's products in another order at another tile position
    /// (OpenBLAS's SSE kernels do), so the two agree to f32 rounding of this tiny model's
    /// dot products (k ≤ 96: k·2⁻²⁴ ≈ 6e-6 relative per layer), not bit for bit.
    func samePosition(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b, a.isFinite, b.isFinite else { return false }
        return abs(a - b) <= 1e-5 * Swift.max(1, abs(a))
    }

    func scores(_ path: String) throws -> [String: Double] {
        Dictionary(uniqueKeysWithValues: try lines(path).map { ($0["id"] as? String ?? "", ($0["score"] as? NSNumber)?.doubleValue ?? .nan) })
    }

    /// A messages line scores exactly as the token ids the recipe gives for it ("a b" then
    /// "c" render as "a b c ", i.e. [CLS] a b c [SEP] = [2, 7, 8, 9, 3]); both kinds mix, in order.
    @Test func messagesLinesScoreAsTheirTokenIds() async throws {
        let model = try conversationModel()
        let input = try temp("in.jsonl", """
            {"id": "conv", "messages": [{"role": "user", "content": "a b"}, {"role": "assistant", "content": "c"}]}
            {"id": "ids", "input_ids": [2, 7, 8, 9, 3]}
            {"id": "other", "messages": [{"role": "system", "content": "d"}, {"role": "user", "content": "e"}, {"role": "assistant", "content": "a", "reasoning_content": null}]}
            {"id": "other-ids", "input_ids": [2, 10, 11, 7, 3]}
            """)
        let out = try temp("out.jsonl")
        try await run(input, output: out, model: model)
        #expect(try lines(out).map { $0["id"] as? String } == ["conv", "ids", "other", "other-ids"])
        let s = try scores(out)
        #expect(samePosition(s["conv"], s["ids"]) && samePosition(s["other"], s["other-ids"]) && s["conv"] != s["other"])
    }

    /// Over --max-length: an error naming the line, the conversation id and its length;
    /// --truncate left/right cut it (the special tokens stay).
    @Test func maxLengthAndTruncate() async throws {
        let model = try conversationModel()
        let input = try temp("in.jsonl", """
            {"id": "short", "messages": [{"role": "assistant", "content": "a"}]}
            {"id": "long-one", "messages": [{"role": "user", "content": "a b"}, {"role": "assistant", "content": "c"}]}
            {"id": "left", "input_ids": [2, 8, 9, 3]}
            {"id": "right", "input_ids": [2, 7, 8, 3]}
            """)
        let out = try temp("out.jsonl")
        await #expect {
            try await run(input, output: out, model: model, ["--max-length", "4"])
        } throws: { error in
            "\(error)".contains("\(input):2:") && "\(error)".contains("conversation \"long-one\" is 5 tokens, longer than --max-length 4")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        try await run(input, output: out, model: model, ["--max-length", "4", "--truncate", "left"])
        var s = try scores(out)
        #expect(samePosition(s["long-one"], s["left"]) && s["long-one"] != s["right"])
        try await run(input, output: out, model: model, ["--max-length", "4", "--truncate", "right"])
        s = try scores(out)
        #expect(samePosition(s["long-one"], s["right"]))
        // In skip mode the over-long conversation is left out and the rest is scored.
        try await run(input, output: out, onError: "skip", model: model, ["--max-length", "4"])
        #expect(try lines(out).map { $0["id"] as? String } == ["short", "left", "right"])
        #expect(throws: (any Error).self) { try ScoreCommand.parse(["--model", model, "--input", input, "--truncate", "middle"]) }
        #expect(throws: (any Error).self) { try ScoreCommand.parse(["--model", model, "--input", input, "--max-length", "0"]) }
    }

    /// A template that fails on a conversation is reported with the line and the id.
    @Test func templateFailureNamesTheLine() async throws {
        let model = try conversationModel(template: "{% if messages[0].role != 'user' %}{{ raise_exception('first turn must be the user') }}{% endif %}{{ messages[0].content }}")
        let input = try temp("in.jsonl", """
            {"id": "fine", "messages": [{"role": "user", "content": "a"}]}
            {"id": "bad", "messages": [{"role": "assistant", "content": "a"}]}
            """)
        let out = try temp("out.jsonl")
        await #expect {
            try await run(input, output: out, model: model)
        } throws: { error in
            "\(error)".contains("\(input):2:") && "\(error)".contains("conversation \"bad\"") && "\(error)".contains("first turn must be the user")
        }
    }
}
