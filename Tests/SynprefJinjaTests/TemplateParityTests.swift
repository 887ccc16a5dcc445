import Foundation
import SynprefCore
import Testing

@testable import SynprefJinja

/// The three real chat templates (Qwen3 release and revision, Llama 3.1 Instruct) on
/// seeded random conversations, against transformers' `apply_chat_template` output
/// recorded by scripts/reference/chat_template_parity.py.
@Suite struct TemplateParityTests {
    struct Outcome {
        var rendered = 0
        var raised = 0
        var withGenerationPrompt = 0
    }

    /// Renders every recorded conversation and records an issue for each difference.
    func check(_ name: String) throws -> Outcome {
        let source = try Fixture.text("templates/\(name).jinja")
        let path = Fixture.directory.appendingPathComponent("parity/\(name).jsonl.gz").path
        var outcome = Outcome()
        let templateCache = try ChatTemplate(source: source)
        for (lineNumber, bytes) in try LineReader(path: path) {
            let entry = try JinjaValue(json: bytes)
            let id = entry["id"]?.stringValue ?? "line \(lineNumber)"
            guard case .array(let messages)? = entry["messages"] else {
                Issue.record("\(id): no messages")
                continue
            }
            var special: [String: String] = [:]
            if case .object(let o)? = entry["special_tokens"] {
                for (k, v) in o.pairs { special[k] = v.stringValue }
            }
            var kwargs: [String: JinjaValue] = [:]
            if case .object(let o)? = entry["kwargs"] {
                for (k, v) in o.pairs { kwargs[k] = v }
            }
            let gen = entry["add_generation_prompt"] == .bool(true)
            var template = templateCache
            template.specialTokens = special
            let result = Result {
                try template.render(messages: messages, addGenerationPrompt: gen, extraContext: kwargs)
            }
            if let expected = entry["expected"]?.stringValue {
                switch result {
                case .success(let text) where text == expected:
                    outcome.rendered += 1
                    if gen { outcome.withGenerationPrompt += 1 }
                case .success(let text):
                    Issue.record("\(id): output differs\n  expected: \(visible(expected))\n  got:      \(visible(text))")
                case .failure(let e):
                    Issue.record("\(id): transformers rendered, we threw \(e)")
                }
            } else {
                let pyType = entry["error"]?["type"]?.stringValue ?? "?"
                let pyMessage = entry["error"]?["message"]?.stringValue ?? ""
                switch result {
                case .success(let text):
                    Issue.record("\(id): transformers raised \(pyType): \(pyMessage); we rendered \(visible(text))")
                case .failure(let e as JinjaError):
                    let want = expectedErrorKind(pyType)
                    if kind(of: e) != want || (want == "raised" && e.message != pyMessage) {
                        Issue.record("\(id): transformers raised \(pyType): \(pyMessage); we threw \(e)")
                    } else {
                        outcome.raised += 1
                    }
                case .failure(let e):
                    Issue.record("\(id): threw a non-JinjaError \(e)")
                }
            }
        }
        return outcome
    }

    @Test func qwen3() throws {
        let o = try check("qwen3")
        #expect(o.rendered == 204 && o.raised == 57)
        #expect(o.rendered - o.withGenerationPrompt >= 100)
    }

    @Test func qwen3Revised() throws {
        let o = try check("qwen3-revised")
        #expect(o.rendered == 261 && o.raised == 0)
        #expect(o.rendered - o.withGenerationPrompt >= 100)
    }

    @Test func llama31Instruct() throws {
        let o = try check("llama-3.1-instruct")
        #expect(o.rendered == 222 && o.raised == 39)
        #expect(o.rendered - o.withGenerationPrompt >= 100)
    }

    /// A template that prints what it receives: pins down the message preprocessing
    /// (null keys dropped, reasoning aliases and their key order) and the variables.
    @Test func probeOfPreprocessing() throws {
        let o = try check("probe")
        #expect(o.rendered == 43 && o.raised == 0)
    }
}
