import Testing

@testable import SynprefJinja

/// jinja2's `is` tests with Python's type rules.
@Suite struct TestsTests {
    func render(_ source: String, _ context: [String: JinjaValue] = [:]) throws -> String {
        try ChatTemplate(source: source).render(context: context)
    }

    @Test func typeTests() throws {
        // bool is a Number in Python; `1 is true` is an identity check with True.
        #expect(try render("{{ true is number }}{{ 1 is true }}{{ 1.0 is integer }}{{ 'a' is iterable }}{{ {} is sequence }}") == "TrueFalseFalseTrueTrue")
        #expect(try render("{{ x is mapping }}{{ x.content is string }}", ["x": ["content": ["a"]]]) == "TrueFalse")
    }

    @Test func definedOnMissingKeysAndAttributes() throws {
        let m: JinjaValue = ["role": "assistant", "reasoning_content": nil]
        #expect(try render("{{ m.reasoning_content is defined }}{{ m.reasoning_content is none }}{{ m.tool_calls is defined }}", ["m": m]) == "TrueTrueFalse")
    }

    @Test func comparisonTestsForSelect() throws {
        #expect(try render("{{ [1, 5, 10]|select('gt', 3)|list }}{{ ['a', 'b']|reject('equalto', 'a')|list }}") == "[5, 10]['b']")
    }
}
