import Testing

@testable import SynprefJinja

/// Each kind of bad input line gets its own error naming the file and line.
@Suite struct ChatTemplateJSONLTests {
    let renderer = ChatTemplateJSONL(template: try! ChatTemplate(source: "{% for m in messages %}{{ m.content }}{% endfor %}{{ tools|length if tools else '' }}"))

    func line(_ text: String) throws -> String? {
        try renderer.renderLine(Array(text.utf8), path: "in.jsonl", lineNumber: 3)
    }

    @Test func rendersAndEchoesTheId() throws {
        #expect(try line(#"{"id": "x", "messages": [{"role": "user", "content": "a"}]}"#) == #"{"id": "x", "text": "a"}"#)
        #expect(try line(#"{"id": [1], "messages": [{"role": "user", "content": "a"}], "tools": [{}]}"#) == #"{"id": [1], "text": "a1"}"#)
        #expect(try line("  \r") == nil)
    }

    @Test func badLines() {
        func expectMalformed(_ text: String, _ reason: String) {
            #expect(throws: ChatTemplateInputError.malformedLine(path: "in.jsonl", line: 3, reason: reason)) { try line(text) }
        }
        expectMalformed("{", "invalid JSON: Expecting property name enclosed in double quotes (at byte 2)")
        expectMalformed("[1]", "expected a JSON object {\"id\", \"messages\"}")
        expectMalformed(#"{"messages": []}"#, "missing \"id\"")
        expectMalformed(#"{"id": 1}"#, "\"messages\" must be a list of {\"role\", \"content\"} objects")
        expectMalformed(#"{"id": 1, "messages": []}"#, "\"messages\" is empty")
        expectMalformed(#"{"id": 1, "messages": ["a"]}"#, "messages[0] is not an object")
        expectMalformed(#"{"id": 1, "messages": [{"role": 5}]}"#, "messages[0] has no string \"role\"")
    }

    @Test func templateFailuresNameTheConversation() throws {
        let strict = ChatTemplateJSONL(template: try ChatTemplate(source: "{{ raise_exception('no') }}"))
        do {
            _ = try strict.renderLine(Array(#"{"id": "q", "messages": [{"role": "user"}]}"#.utf8), path: "f", lineNumber: 9)
            Issue.record("expected an error")
        } catch let e as ChatTemplateInputError {
            guard case .renderFailed(let path, let line, let id, let reason) = e else {
                Issue.record("wrong case \(e)")
                return
            }
            #expect(path == "f" && line == 9 && id == "\"q\"")
            #expect(reason.contains("no"))
            #expect(e.description.hasPrefix("f:9: conversation \"q\""))
        }
    }
}
