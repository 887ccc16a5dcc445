import Testing

@testable import SynprefJinja

/// Filters whose exact semantics matter for chat templates (the full set is checked
/// against jinja2 in FeatureParityTests).
@Suite struct FiltersTests {
    func render(_ source: String, _ context: [String: JinjaValue] = [:]) throws -> String {
        try ChatTemplate(source: source).render(context: context)
    }

    @Test func tojsonIsTransformersJSONDumps() throws {
        // ensure_ascii=False, ", " and ": " separators, key order kept.
        #expect(try render("{{ x|tojson }}", ["x": ["b": "é", "a": [1, 2.0, nil]]]) == #"{"b": "é", "a": [1, 2.0, null]}"#)
        // indent=2: item separator ",", nested levels indented by 2 more.
        #expect(try render("{{ x|tojson(indent=2) }}", ["x": ["a": [1]]]) == "{\n  \"a\": [\n    1\n  ]\n}")
        // The first positional argument is ensure_ascii, not indent.
        #expect(try render("{{ 'é'|tojson(2) }}") == #""\u00e9""#)
    }

    @Test func indentFollowsJinja31() throws {
        // Lines after the first are indented; blank lines are not (unless blank=true).
        #expect(try render("{{ 'a\\n\\nb'|indent(2) }}") == "a\n\n  b")
        #expect(try render("{{ 'a\\n\\nb'|indent(2, blank=true) }}") == "a\n  \n  b")
        #expect(try render("{{ 'a\\nb'|indent(2, first=true) }}") == "  a\n  b")
    }

    @Test func defaultOnlyReplacesUndefinedUnlessBoolean() throws {
        #expect(try render("{{ none|default('x') }}|{{ none|default('x', true) }}|{{ y|d('z') }}") == "None|x|z")
    }

    @Test func selectattrAndMap() throws {
        let messages: JinjaValue = [["role": "user", "content": "a"], ["role": "assistant", "content": "b"], ["role": "user", "content": "c"]]
        #expect(
            try render("{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(',') }}", ["messages": messages])
                == "a,c")
        #expect(try render("{{ messages|rejectattr('role', 'eq', 'user')|list|length }}", ["messages": messages]) == "1")
    }

    @Test func sortIsStableAndCaseInsensitiveByDefault() throws {
        #expect(try render("{{ ['b', 'A', 'a', 'B']|sort|join }}") == "AabB")  // A/a and b/B keep their order
        #expect(try render("{{ ['b', 'A', 'a']|sort(case_sensitive=true)|join }}") == "Aab")
    }

    @Test func roundIsCorrectlyRounded() throws {
        // 2.5 rounds to even; 2.675 is 2.67499999... in binary, so it rounds down.
        #expect(try render("{{ 2.5|round }}|{{ 3.5|round }}|{{ 2.675|round(2) }}|{{ 5|round }}") == "2.0|4.0|2.67|5")
    }

    @Test func unsupportedFiltersAreRefusedWhenReached() throws {
        #expect(throws: JinjaError.unsupported("the 'wordwrap' filter", at: SourceLocation(line: 1, column: 8))) {
            try render("{{ 'a'|wordwrap }}")
        }
        // Not reached: no error.
        #expect(try render("{% if false %}{{ 'a'|wordwrap }}{% endif %}ok") == "ok")
    }
}
