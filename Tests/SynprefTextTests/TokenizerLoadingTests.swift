import Foundation
import Testing
import SynprefCore
@testable import SynprefText

/// Every kind of bad tokenizer.json / tokenizer_config.json gives a typed error that names
/// the file and field.
@Suite struct TokenizerLoadingTests {
    /// A minimal valid BPE tokenizer.json with `patch` merged into the top level.
    static func bpeJSON(_ patch: [String: Any] = [:], model modelPatch: [String: Any] = [:]) -> Data {
        var model: [String: Any] = [
            "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
            "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false,
            "vocab": ["a": 0, "b": 1, "ab": 2], "merges": ["a b"],
        ]
        for (k, v) in modelPatch { model[k] = v }
        var root: [String: Any] = ["version": "1.0", "added_tokens": [], "normalizer": NSNull(), "pre_tokenizer": NSNull(),
                                   "post_processor": NSNull(), "decoder": NSNull(), "model": model]
        for (k, v) in patch { root[k] = v }
        return try! JSONSerialization.data(withJSONObject: root)
    }

    func loadError(_ data: Data) -> TokenizerError? {
        do {
            _ = try Tokenizer(data: data)
            return nil
        } catch {
            return error
        }
    }

    @Test func minimalTokenizerLoads() throws {
        let t = try Tokenizer(data: Self.bpeJSON())
        // "ab": symbols a(0) b(1); merge "a b" has rank 0 and yields "ab" (2).
        #expect(t.encode("ab") == [2])
        #expect(t.vocabularySize == 3)
    }

    @Test func invalidJSONReportsLineAndColumn() {
        let error = loadError(Data("{\n  \"model\": [1,,2]\n}".utf8))
        guard case .invalidJSON(let file, let line, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == "tokenizer.json")
        #expect(line == 2)
    }

    @Test func missingFileIsCannotRead() {
        do {
            _ = try Tokenizer(tokenizerJSON: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))
            Issue.record("expected an error")
        } catch {
            guard case .cannotRead(let file, _) = error else { Issue.record("got \(error)"); return }
            #expect(file == "/nonexistent/tokenizer.json")
            #expect(error.description.contains("tokenizer.json"))
        }
        do {
            _ = try Tokenizer.load(directory: URL(fileURLWithPath: "/nonexistent"))
            Issue.record("expected an error")
        } catch {
            guard case .cannotRead = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func missingModelIsNamed() {
        let data = try! JSONSerialization.data(withJSONObject: ["version": "1.0"])
        #expect(loadError(data) == .missingField(file: "tokenizer.json", field: "model"))
    }

    @Test(arguments: [
        (#"{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AA=="}}"#, "normalizer.type", "Precompiled"),
        (#"{"pre_tokenizer": {"type": "UnicodeScripts"}}"#, "pre_tokenizer.type", "UnicodeScripts"),
        (#"{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "FixedLength"}]}}"#, "pre_tokenizer.pretokenizers[1].type", "FixedLength"),
        (#"{"decoder": {"type": "CTC"}}"#, "decoder.type", "CTC"),
        (#"{"post_processor": {"type": "Unknown"}}"#, "post_processor.type", "Unknown"),
    ])
    func unsupportedComponentsAreNamed(patchJSON: String, field: String, what: String) throws {
        let patch = try #require(try JSONSerialization.jsonObject(with: Data(patchJSON.utf8)) as? [String: Any])
        let error = loadError(Self.bpeJSON(patch))
        guard case .unsupported(_, let f, let w)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(f == field)
        #expect(w.contains(what))
    }

    @Test func unsupportedModelTypes() {
        let unigram = try! JSONSerialization.data(withJSONObject: ["model": ["type": "Unigram", "vocab": [["a", -1.0]]]])
        guard case .unsupported(_, "model.type", let what)? = loadError(unigram) else { Issue.record("Unigram should be unsupported"); return }
        #expect(what.contains("Unigram"))
        let dropout = loadError(Self.bpeJSON(model: ["dropout": 0.1]))
        #expect(dropout == .unsupported(file: "tokenizer.json", field: "model.dropout", what: "BPE dropout (random merges)"))
    }

    @Test func mergesMustReferToTheVocabulary() throws {
        #expect(loadError(Self.bpeJSON(model: ["merges": ["a c"]])) == .tokenNotInVocabulary(file: "tokenizer.json", field: "model.merges[0]", token: "c"))
        // "b a" would produce "ba", which is not in the vocabulary.
        #expect(loadError(Self.bpeJSON(model: ["merges": ["b a"]])) == .tokenNotInVocabulary(file: "tokenizer.json", field: "model.merges[0]", token: "ba"))
        guard case .invalidField(_, "model.merges[0]", _)? = loadError(Self.bpeJSON(model: ["merges": ["a b c"]])) else {
            Issue.record("a merge with two spaces should be rejected"); return
        }
        guard case .invalidField(_, "model.merges[0]", _)? = loadError(Self.bpeJSON(model: ["merges": [["a"]]])) else {
            Issue.record("a one-element merge should be rejected"); return
        }
        // The pair form is accepted.
        #expect(try Tokenizer(data: Self.bpeJSON(model: ["merges": [["a", "b"]]])).encode("ab") == [2])
    }

    @Test func badVocabularyAndUnknownTokens() {
        guard case .invalidField(_, let field, _)? = loadError(Self.bpeJSON(model: ["vocab": ["a": "zero"]])) else {
            Issue.record("a non-integer id should be rejected"); return
        }
        #expect(field.hasPrefix("model.vocab"))
        #expect(loadError(Self.bpeJSON(model: ["unk_token": "<unk>"])) == .tokenNotInVocabulary(file: "tokenizer.json", field: "model.unk_token", token: "<unk>"))
        let wordPiece = try! JSONSerialization.data(withJSONObject: ["model": ["type": "WordPiece", "vocab": ["a": 0], "unk_token": "[UNK]"]])
        #expect(loadError(wordPiece) == .tokenNotInVocabulary(file: "tokenizer.json", field: "model.unk_token", token: "[UNK]"))
    }

    @Test func badRegexNamesTheField() {
        let patch: [String: Any] = ["pre_tokenizer": ["type": "Split", "pattern": ["Regex": "(?<=a)b"], "behavior": "Isolated", "invert": false]]
        guard case .invalidRegex(_, let field, let message)? = loadError(Self.bpeJSON(patch)) else { Issue.record("expected invalidRegex"); return }
        #expect(field == "pre_tokenizer.pattern.Regex")
        #expect(message.contains("lookbehind"))
    }

    @Test func badFieldValues() {
        let cases: [([String: Any], String)] = [
            (["pre_tokenizer": ["type": "Split", "pattern": ["Regex": "a"], "behavior": "Sideways"]], "pre_tokenizer.behavior"),
            (["pre_tokenizer": ["type": "Split", "pattern": ["Glob": "a"], "behavior": "Isolated"]], "pre_tokenizer.pattern"),
            (["pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": "yes"]], "pre_tokenizer.add_prefix_space"),
            (["pre_tokenizer": ["type": "Metaspace", "replacement": "ab"]], "pre_tokenizer.replacement"),
            (["pre_tokenizer": ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "sometimes"]], "pre_tokenizer.prepend_scheme"),
            (["pre_tokenizer": ["type": "Metaspace", "replacement": "▁", "add_prefix_space": false, "prepend_scheme": "always"]], "pre_tokenizer.add_prefix_space"),
            (["post_processor": ["type": "BertProcessing", "sep": ["[SEP]"], "cls": ["[CLS]", 1]]], "post_processor.sep"),
            (["post_processor": ["type": "TemplateProcessing", "single": [["SpecialToken": ["id": "<s>", "type_id": 0]]], "special_tokens": [:]]], "post_processor.single[0]"),
            (["normalizer": ["no_type": true]], "normalizer.type"),
            (["added_tokens": [["id": 5]]], "added_tokens[0].content"),
            (["added_tokens": "nope"], "added_tokens"),
        ]
        for (patch, field) in cases {
            let error = loadError(Self.bpeJSON(patch))
            switch error {
            case .invalidField(_, let f, _)?, .missingField(_, let f)?:
                #expect(f == field, "\(patch)")
            default:
                Issue.record("\(patch): got \(String(describing: error))")
            }
        }
    }

    @Test func metaspaceFirstWithANormalizerIsRefused() {
        let patch: [String: Any] = ["normalizer": ["type": "NFC"],
                                    "pre_tokenizer": ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false]]
        guard case .unsupported(_, "pre_tokenizer", let what)? = loadError(Self.bpeJSON(patch)) else { Issue.record("expected unsupported"); return }
        #expect(what.contains("first"))
    }

    @Test func errorDescriptionsNameFileAndField() {
        let e = TokenizerError.tokenNotInVocabulary(file: "/m/tokenizer.json", field: "model.merges[3]", token: "x")
        #expect(e.description.contains("/m/tokenizer.json") && e.description.contains("model.merges[3]"))
    }
}

@Suite struct TokenizerConfigTests {
    @Test func parsesTokensFlagsLengthAndTemplates() throws {
        let json = """
        {"bos_token": "<|begin_of_text|>", "eos_token": {"content": "<|eot_id|>", "lstrip": false, "__type": "AddedToken"},
         "pad_token": null, "add_bos_token": true, "add_eos_token": false, "model_max_length": 131072,
         "chat_template": [{"name": "default", "template": "{{ x }}"}, {"name": "tool_use", "template": "{{ y }}"}]}
        """
        let c = try TokenizerConfig(data: Data(json.utf8))
        #expect(c.bosToken == "<|begin_of_text|>")
        #expect(c.eosToken == "<|eot_id|>")
        #expect(c.padToken == nil && c.unkToken == nil)
        #expect(c.addBOSToken == true && c.addEOSToken == false)
        #expect(c.modelMaxLength == 131072)
        #expect(c.chatTemplate == .named([("default", "{{ x }}"), ("tool_use", "{{ y }}")]))
        let single = try TokenizerConfig(data: Data(#"{"chat_template": "{{ bos_token }}", "model_max_length": 1e30}"#.utf8))
        #expect(single.chatTemplate == .single("{{ bos_token }}"))
        #expect(single.modelMaxLength == nil)   // transformers' "unlimited"
        #expect(single.addBOSToken == nil)
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer_config.json"), "needs real assets: run scripts/fetch-assets.sh"))
    func realLlamaConfig() throws {
        let url = try Fixtures.asset("llama3/tokenizer_config.json")
        let c = try TokenizerConfig(url: url)
        #expect(c.bosToken == "<|begin_of_text|>")
        #expect(c.modelMaxLength == 131072)
    }

    @Test(arguments: [
        (#"{"bos_token": 5}"#, "bos_token"),
        (#"{"add_bos_token": "yes"}"#, "add_bos_token"),
        (#"{"model_max_length": "big"}"#, "model_max_length"),
        (#"{"chat_template": 3}"#, "chat_template"),
        (#"{"chat_template": [{"name": "x"}]}"#, "chat_template[0]"),
        ("[]", "(root)"),
    ])
    func badConfigFields(json: String, field: String) {
        do {
            _ = try TokenizerConfig(data: Data(json.utf8))
            Issue.record("\(json) should be rejected")
        } catch {
            guard case .invalidField(let file, let f, _) = error else { Issue.record("got \(error)"); return }
            #expect(file == "tokenizer_config.json")
            #expect(f == field)
        }
    }
}
