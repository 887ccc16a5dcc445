import Foundation
import SynprefCore
import Testing

@testable import SynprefJinja

/// The public API: what `render(messages:)` passes to the template.
@Suite struct ChatTemplateTests {
    static let probe = """
        {%- for m in messages %}{{ m.role }}={{ m.content }}{% if m.thinking is defined %} thinking={{ m.thinking }}{% endif %}
        {% endfor %}bos={{ bos_token }} eos={{ eos_token }} gen={{ add_generation_prompt }} tools={{ tools }}
        """

    @Test func generationPromptIsOffByDefault() throws {
        let t = try ChatTemplate(source: "{{ add_generation_prompt }}")
        #expect(try t.render(messages: [ChatMessage(role: .user, content: "x")]) == "False")
        #expect(try t.render(messages: [ChatMessage(role: .user, content: "x")], addGenerationPrompt: true) == "True")
    }

    @Test func chatMessagesAndGenericValuesRenderAlike() throws {
        let t = try ChatTemplate(source: Self.probe, specialTokens: ["bos_token": "<s>", "eos_token": "</s>"])
        let typed = [
            ChatMessage(role: .user, content: "Hi"),
            ChatMessage(role: .assistant, content: "Hello", reasoningContent: "greet back"),
        ]
        let generic: [JinjaValue] = [
            ["role": "user", "content": "Hi"],
            ["role": "assistant", "content": "Hello", "reasoning_content": "greet back"],
        ]
        let a = try t.render(messages: typed)
        #expect(a == (try t.render(messages: generic)))
        // reasoning_content is also offered as `thinking` (transformers aliases it). The
        // newline after `{% endif %}` is dropped by trim_blocks.
        #expect(a == "user=Hiassistant=Hello thinking=greet backbos=<s> eos=</s> gen=False tools=None")
    }

    @Test func explicitTokensOverrideSpecialTokens() throws {
        let t = try ChatTemplate(source: "{{ bos_token }}|{{ eos_token }}|{{ pad_token }}", specialTokens: ["bos_token": "<s>", "pad_token": "<pad>"])
        #expect(try t.render(messages: [["role": "user", "content": ""]], eosToken: "<e>") == "<s>|<e>|<pad>")
        #expect(try t.render(messages: [["role": "user", "content": ""]], bosToken: "<B>") == "<B>||<pad>")
    }

    @Test func nullKeysAreDroppedAndExtraFieldsPassThrough() throws {
        let t = try ChatTemplate(source: "{% for m in messages %}{{ m.content is defined }}{{ m.tool_calls[0].function.name }}{% endfor %}")
        let m: JinjaValue = ["role": "assistant", "content": nil, "tool_calls": [["function": ["name": "f", "arguments": ["x": 1]]]]]
        #expect(try t.render(messages: [m]) == "Falsef")
    }

    @Test func extraContextReachesTheTemplate() throws {
        let t = try ChatTemplate(source: "{{ enable_thinking }}|{{ tools|length }}|{{ documents }}")
        #expect(try t.render(messages: [["role": "user", "content": "q"]], extraContext: ["enable_thinking": false, "tools": [["type": "function"]]]) == "False|1|None")
    }

    @Test func badInputIsATypedError() throws {
        let t = try ChatTemplate(source: "x")
        #expect(throws: ChatTemplateError.emptyConversation) { try t.render(messages: [JinjaValue]()) }
        #expect(throws: ChatTemplateError.messageNotObject(index: 1)) {
            try t.render(messages: [["role": "user", "content": "a"], "not an object"])
        }
        #expect(throws: ChatTemplateError.reservedContextKey("messages")) {
            try t.render(messages: [["role": "user", "content": "a"]], extraContext: ["messages": []])
        }
    }

    @Test func llamaTemplateEmitsOneBOS() throws {
        // The Llama 3.1 template prints bos_token itself; tokenizing its output must not
        // add another one (see the README). The rendered text starts with exactly one.
        let t = try ChatTemplate(source: try Fixture.text("templates/llama-3.1-instruct.jinja"))
        let text = try t.render(messages: [ChatMessage(role: .user, content: "Hi")], bosToken: "<|begin_of_text|>", eosToken: "<|eot_id|>")
        #expect(text.hasPrefix("<|begin_of_text|><|start_header_id|>system"))
        #expect(text.components(separatedBy: "<|begin_of_text|>").count == 2)
    }

    @Test func templateIsSendableAndReusable() async throws {
        let t = try ChatTemplate(source: "{{ messages[0].content }}")
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<8 {
                group.addTask { try t.render(messages: [ChatMessage(role: .user, content: "m\(i)")]) }
            }
            var all: [String] = []
            for try await r in group { all.append(r) }
            return all.sorted()
        }
        #expect(results == (0..<8).map { "m\($0)" }.sorted())
    }
}
