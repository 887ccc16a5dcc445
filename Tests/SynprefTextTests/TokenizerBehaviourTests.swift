import Foundation
import Testing
import SynprefCore
@testable import SynprefText

/// Hand-derived behaviour on tiny tokenizers (the expected ids are worked out in comments).
@Suite struct TokenizerBehaviourTests {
    static func tokenizer(model: [String: Any], added: [[String: Any]] = [], extra: [String: Any] = [:]) throws -> Tokenizer {
        var root: [String: Any] = ["version": "1.0", "added_tokens": added, "model": model]
        for (k, v) in extra { root[k] = v }
        return try Tokenizer(data: try JSONSerialization.data(withJSONObject: root))
    }

    static func addedToken(_ content: String, _ id: Int, special: Bool = true, lstrip: Bool = false, rstrip: Bool = false,
                           singleWord: Bool = false, normalized: Bool? = nil) -> [String: Any] {
        ["id": id, "content": content, "special": special, "lstrip": lstrip, "rstrip": rstrip,
         "single_word": singleWord, "normalized": normalized ?? !special]
    }

    @Test func bpeAppliesMergesByRank() throws {
        // vocab a b c ab bc abc; merges by rank: (a,b)=0 → ab, (b,c)=1 → bc, (ab,c)=2 → abc.
        // "abc": candidates (a,b)@0 rank 0 and (b,c)@1 rank 1; rank 0 wins → [ab, c];
        // then (ab,c) rank 2 → [abc] = [5]. "bcb": (b,c) → [bc, b] = [4, 1].
        let t = try Self.tokenizer(model: ["type": "BPE", "vocab": ["a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5],
                                           "merges": ["a b", "b c", "ab c"]])
        #expect(t.encode("abc") == [5])
        #expect(t.encode("bcb") == [4, 1])
        #expect(t.encode("") == [])
        #expect(t.decode([5, 4]) == "abc bc")     // no decoder: tokens joined by spaces
        #expect(t.tokenToID("ab") == 3 && t.idToToken(4) == "bc" && t.idToToken(99) == nil)
    }

    @Test func bpeUnknownsByteFallbackAndFusing() throws {
        let vocab: [String: Any] = ["<unk>": 0, "a": 1, "<0xC3>": 2, "<0xA9>": 3]
        // "aéxy": 'a' → 1; 'é' is unknown but its UTF-8 bytes C3 A9 have tokens → [2, 3];
        // 'x' and 'y' are unknown without byte tokens (78, 79 missing) → <unk> each, or one
        // fused <unk>.
        let fallback = try Self.tokenizer(model: ["type": "BPE", "vocab": vocab, "merges": [String](), "unk_token": "<unk>", "byte_fallback": true])
        #expect(fallback.encode("aéxy") == [1, 2, 3, 0, 0])
        let fused = try Self.tokenizer(model: ["type": "BPE", "vocab": vocab, "merges": [String](), "unk_token": "<unk>", "fuse_unk": true])
        #expect(fused.encode("aéxy") == [1, 0])   // é, x, y fuse into one <unk>
        let dropped = try Self.tokenizer(model: ["type": "BPE", "vocab": vocab, "merges": [String]()])
        #expect(dropped.encode("axa") == [1, 1])  // no unk token: unknown characters vanish
    }

    @Test func ignoreMergesTakesWholeWordsFromTheVocabulary() throws {
        // "abc" is in the vocabulary but no merge chain reaches it: with ignore_merges it is
        // taken whole; without, the merges give [ab, c].
        let model: [String: Any] = ["type": "BPE", "vocab": ["a": 0, "b": 1, "c": 2, "ab": 3, "abc": 4], "merges": ["a b"]]
        #expect(try Self.tokenizer(model: model).encode("abc") == [3, 2])
        var ignoring = model
        ignoring["ignore_merges"] = true
        #expect(try Self.tokenizer(model: ignoring).encode("abc") == [4])
    }

    @Test func wordPieceGreedyLongestMatch() throws {
        let model: [String: Any] = ["type": "WordPiece", "unk_token": "[UNK]", "max_input_chars_per_word": 9,
                                    "vocab": ["[UNK]": 0, "un": 1, "##aff": 2, "##able": 3, "##a": 4, "u": 5]]
        let t = try Self.tokenizer(model: model, extra: ["pre_tokenizer": ["type": "WhitespaceSplit"],
                                                         "decoder": ["type": "WordPiece", "prefix": "##", "cleanup": true]])
        // "unaffable": longest prefix in vocab "un", then "##aff", then "##able".
        #expect(t.encode("unaffable") == [1, 2, 3])
        // "unx": "un" then "##x" is not in the vocabulary → the whole word is [UNK].
        #expect(t.encode("unx un") == [0, 1])
        // 10 scalars > max_input_chars_per_word (9) → [UNK] without trying.
        #expect(t.encode("unaffablea") == [0])
        #expect(t.decode([1, 2, 3, 1]) == "unaffable un")
    }

    @Test func addedTokensOptions() throws {
        let vocab: [String: Any] = ["a": 0, "b": 1, " ": 2, "x": 3]
        let added = [
            Self.addedToken("<s>", 10),
            Self.addedToken("<L>", 11, lstrip: true),
            Self.addedToken("<R>", 12, rstrip: true),
            Self.addedToken("ab", 13, special: false, singleWord: true),
        ]
        let t = try Self.tokenizer(model: ["type": "BPE", "vocab": vocab, "merges": [String]()], added: added)
        // The ids come from tokenizer.json order after the model vocabulary (size 4): 4, 5, 6, 7.
        #expect(t.tokenToID("<s>") == 4 && t.tokenToID("ab") == 7)
        // "a <L>": lstrip swallows the space before <L> → [a, <L>].
        #expect(t.encode("a <L>") == [0, 5])
        // "<R> b": rstrip swallows the space after <R> → [<R>, b].
        #expect(t.encode("<R> b") == [6, 1])
        // single_word "ab": matched alone ("x ab x" → x, ' ', ab, ' ', x) but not inside "xabx".
        #expect(t.encode("x ab x") == [3, 2, 7, 2, 3])
        #expect(t.encode("xabx") == [3, 0, 1, 3])
        // Special tokens are recognized inside text and skipped by decode on request.
        #expect(t.encode("a<s>b") == [0, 4, 1])
        #expect(t.decode([0, 4, 1], skipSpecialTokens: true) == "a b")
        #expect(t.decode([0, 4, 1], skipSpecialTokens: false) == "a <s> b")
        #expect(t.isSpecialToken("<s>") && !t.isSpecialToken("ab"))
    }

    @Test func canonicallyEquivalentTokensStayDistinct() throws {
        // Swift's String == treats "é" (U+00E9) and "e" + U+0301 as equal; the crate compares
        // bytes, so they are two tokens with their own ids. (JSON written by hand so no
        // Foundation dictionary can merge the keys.)
        let json = #"{"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "\u00e9": 1, "e\u0301": 2, "e": 3}},"#
            + #" "pre_tokenizer": {"type": "WhitespaceSplit"}, "added_tokens": [{"id": 4, "content": "e\u0301e", "special": true}]}"#
        let t = try Tokenizer(data: Data(json.utf8))
        #expect(t.vocabularySize == 5)
        #expect(t.encode("\u{E9}") == [1])
        #expect(t.encode("e\u{301}") == [2])
        #expect(t.tokenToID("e\u{301}") == 2 && t.tokenToID("\u{E9}") == 1)
        // The added token "e\u{301}e" must not match the text "\u{E9}e".
        #expect(t.encode("\u{E9}e") == [0])
        #expect(t.encode("e\u{301}e") == [4])
    }

    @Test func longestAddedTokenWins() throws {
        let t = try Self.tokenizer(model: ["type": "BPE", "vocab": ["a": 0], "merges": [String]()],
                                   added: [Self.addedToken("<a>", 1), Self.addedToken("<a><a>", 2)])
        // At the same start, "<a><a>" (longer) wins over "<a>".
        #expect(t.encode("<a><a><a>") == [2, 1])
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer.json"), "needs real assets: run scripts/fetch-assets.sh"))
    func concurrentEncodingIsSafeAndDeterministic() async throws {
        let url = try Fixtures.asset("llama3/tokenizer.json")
        let t = try Tokenizer(tokenizerJSON: url)
        let texts = try Array(Fixtures.corpus().prefix(300))
        let serial = texts.map { t.encode($0) }
        let parallel = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (i, text) in texts.enumerated() { group.addTask { (i, t.encode(text)) } }
            var out = [[Int]](repeating: [], count: texts.count)
            for try await (i, ids) in group { out[i] = ids }
            return out
        }
        #expect(parallel == serial)
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer.json", "llama3/tokenizer_config.json"),
                   "needs real assets: run scripts/fetch-assets.sh"))
    func loadsAModelFolderWithItsConfig() throws {
        let dir = try Fixtures.asset("llama3")
        let t = try Tokenizer.load(directory: dir)
        #expect(t.config?.bosToken == "<|begin_of_text|>")
        #expect(t.encode("") == [128000])
        #expect(t.encode("<|begin_of_text|>Hi", addSpecialTokens: true).prefix(2) == [128000, 128000])
    }
}

/// `synpref tokenize`'s JSON lines contract.
@Suite struct JSONLinesTokenizationTests {
    func tempFile(_ content: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tok-\(UUID()).jsonl")
        try Data(content.utf8).write(to: url)
        return url.path
    }

    var tokenizer: Tokenizer {
        get throws {
            try TokenizerBehaviourTests.tokenizer(
                model: ["type": "BPE", "vocab": ["a": 0, "b": 1, "ab": 2, "<s>": 3], "merges": ["a b"]],
                added: [TokenizerBehaviourTests.addedToken("<s>", 3)],
                extra: ["post_processor": ["type": "TemplateProcessing", "single": [["SpecialToken": ["id": "<s>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                                           "special_tokens": ["<s>": ["id": "<s>", "ids": [3], "tokens": ["<s>"]]]]])
        }
    }

    @Test func echoesIdsAndHonoursAddSpecialTokens() throws {
        let path = try tempFile("""
        {"id": "x1", "text": "ab"}

        {"id": 7, "text": "aab", "add_special_tokens": false}
        """)
        var lines: [String] = []
        let n = try JSONLinesTokenization.run(tokenizer: try tokenizer, input: try LineReader(path: path)) { lines.append($0) }
        #expect(n == 2)
        // "ab" → <s>(3) + ab(2); "aab" → a(0) + ab(2) without the template.
        #expect(lines == [#"{"id":"x1","input_ids":[3,2]}"#, #"{"id":7,"input_ids":[0,2]}"#])
    }

    @Test(arguments: [
        ("{\"id\": 1, \"text\": \"a\"}\n{\"id\": 2, \"text\": }", 2, "invalid JSON"),
        ("[1, 2]", 1, "expected a JSON object"),
        ("{\"text\": \"a\"}", 1, "missing \"id\""),
        ("{\"id\": [1], \"text\": \"a\"}", 1, "\"id\" must be a string or a number"),
        ("{\"id\": 1}", 1, "missing \"text\""),
        ("{\"id\": 1, \"text\": 5}", 1, "\"text\" must be a string"),
        ("{\"id\": 1, \"text\": \"a\", \"add_special_tokens\": \"no\"}", 1, "\"add_special_tokens\" must be true or false"),
    ])
    func malformedLinesNameTheLine(content: String, line: Int, message: String) throws {
        let path = try tempFile(content)
        var written = 0
        do {
            try JSONLinesTokenization.run(tokenizer: try tokenizer, input: try LineReader(path: path)) { _ in written += 1 }
            Issue.record("expected an error")
        } catch let error as JSONLinesInputError {
            #expect(error.file == path)
            #expect(error.line == line)
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.description.contains("\(path):\(line):"))
            #expect(written == line - 1)
        }
    }
}
