import Testing
@testable import SynprefCore

/// One reader and one writer of conversations: the rules each caller picks, errors that
/// name the field path, and the canonical bytes every hash is computed on.
@Suite struct ConversationCodecTests {
    func parse(_ json: String, _ rules: ConversationCodec.Rules) throws -> [ChatMessage] {
        try ConversationCodec.messages(try JSONParser.parse(json), field: "messages", rules: rules)
    }

    func issue(_ json: String, _ rules: ConversationCodec.Rules) -> String? {
        do {
            _ = try parse(json, rules)
            return nil
        } catch let e as FieldIssue {
            return e.description
        } catch {
            return "\(error)"
        }
    }

    @Test func readsRolesContentAndReasoning() throws {
        let m = try parse(#"[{"role":"system","content":"s"},{"role":"user","content":"q"},{"role":"assistant","content":"a","reasoning_content":"r"},{"role":"tool","content":"t","reasoning_content":null}]"#, .scoring)
        #expect(m == [ChatMessage(role: .system, content: "s"), ChatMessage(role: .user, content: "q"),
                      ChatMessage(role: .assistant, content: "a", reasoningContent: "r"), ChatMessage(role: .tool, content: "t")])
    }

    @Test(arguments: [
        (#"{"role":"user"}"#, "messages: expected a list of messages, found object"),
        ("[]", "messages: is empty; give at least the response being scored"),
        ("[3]", "messages[0]: expected an object, found number"),
        (#"[{"content":"x"}]"#, "messages[0].role: missing (the record has: content)"),
        (#"[{"role":1,"content":"x"}]"#, "messages[0].role: expected a string, found number"),
        (#"[{"role":"user","content":"x"},{"role":"bot","content":"y"}]"#, #"messages[1].role: unknown role "bot"; expected system, user, assistant or tool"#),
        (#"[{"role":"user","content":null}]"#, "messages[0].content: is null; a message needs text content"),
        (#"[{"role":"user","content":[{"type":"text","text":"x"}]}]"#, "messages[0].content: expected a string, found array"),
        (#"[{"role":"user","content":"x","reasoning_content":5}]"#, "messages[0].reasoning_content: expected a string, found number"),
        (#"[{"role":"user","content":"x","name":"n"}]"#, #"messages[0]: has key "name", which the chat template would not see; keys allowed: role, content, reasoning_content"#),
    ])
    func scoringInputErrorsNameTheField(json: String, message: String) {
        #expect(issue(json, .scoring) == message)
    }

    /// Datasets: extra keys ignored, text parts joined, an empty context allowed.
    @Test func datasetRules() throws {
        let m = try parse(#"[{"role":"user","content":[{"type":"text","text":"a"},{"text":"b"}],"name":"n"}]"#, .dataset)
        #expect(m == [ChatMessage(role: .user, content: "ab")])
        #expect(try parse("[]", .dataset).isEmpty)
        #expect(issue(#"[{"role":"user","content":[{"type":"image_url","image_url":"x"}]}]"#, .dataset)
                == #"messages[0].content[0].type: content part of type "image_url" is not supported; only text parts are"#)
        #expect(issue(#"[{"role":"human","content":"x"}]"#, .dataset) == #"messages[0].role: unknown role "human"; expected system, user, assistant or tool"#)
    }

    /// Benchmark exports spell roles their own way.
    @Test func benchmarkRoleAliases() throws {
        let m = try parse(#"[{"role":"Human","content":"q"},{"role":"gpt","content":"a"},{"role":"bot","content":"b"},{"role":"model","content":"c"}]"#, .benchmark)
        #expect(m.map(\.role) == [.user, .assistant, .assistant, .assistant])
    }

    /// The canonical text: fixed key order, no whitespace, only the escapes JSON needs
    /// (as Python's json.dumps(..., ensure_ascii=False, separators=(",", ":"))).
    @Test func canonicalBytes() throws {
        let messages = [ChatMessage(role: .user, content: "a\"b\\c\nd\u{1}é/\t"),
                        ChatMessage(role: .assistant, content: "ok", reasoningContent: "r")]
        let text = ConversationCodec.canonical(messages)
        #expect(text == #"[{"role":"user","content":"a\"b\\c\nd\u0001é/\t"},{"role":"assistant","content":"ok","reasoning_content":"r"}]"#)
        // Reading the canonical text gives the messages back, and writing them again the same bytes.
        let again = try parse(text, .scoring)
        #expect(again == messages && ConversationCodec.canonical(again) == text)
        #expect(ConversationCodec.value(messages).serialized() == text)
    }

    /// Byte-wise text identity: canonically equivalent but different code points differ.
    @Test func exactTextComparesBytes() {
        #expect("e\u{301}" == "é")  // Swift's String equality merges them
        #expect(!ExactText.same("e\u{301}", "é"))
        #expect(ExactText("e\u{301}") != ExactText("é"))
        #expect(Set([ExactText("K"), ExactText("\u{212A}")]).count == 2)
        #expect(ExactText.same(nil, nil) && !ExactText.same("a", nil))
    }

    @Test func blankLines() {
        #expect(LineReader.isBlank(Array(" \t\r".utf8)) && LineReader.isBlank([UInt8]()))
        #expect(!LineReader.isBlank(Array(" {} ".utf8)))
    }
}
