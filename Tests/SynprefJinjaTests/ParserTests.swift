import Testing

@testable import SynprefJinja

/// The parser: precedence and statement structure as jinja2 builds them, and syntax
/// errors with positions. Checked by rendering, which makes the structure observable.
@Suite struct ParserTests {
    func render(_ source: String, _ context: [String: JinjaValue] = [:]) throws -> String {
        try ChatTemplate(source: source).render(context: context)
    }

    @Test func filtersBindTighterThanArithmetic() throws {
        // a + (b|length), not (a + b)|length: 1 + 3 = 4.
        #expect(try render("{{ 1 + 'abc'|length }}") == "4")
        // Unary minus applies before the filter: (-2)|abs = 2, while -(2|abs) would be -2.
        #expect(try render("{{ -2|abs }}") == "2")
    }

    @Test func concatBindsTighterThanPlusAndPowIsLeftAssociative() throws {
        // `~` sits between `+` and `*`: 2 * 3 ~ 4 is (2 * 3) ~ 4 = "64", and
        // 1 + 2 ~ 3 is 1 + (2 ~ 3) = 1 + "23", a TypeError.
        #expect(try render("{{ 2 * 3 ~ 4 }}") == "64")
        #expect(throws: JinjaError.self) { try render("{{ 1 + 2 ~ 3 }}") }
        // 2 ** 3 ** 2 is (2 ** 3) ** 2 = 64 in jinja2 (Python would give 512).
        #expect(try render("{{ 2 ** 3 ** 2 }}") == "64")
    }

    @Test func testsAndNot() throws {
        // `not x is defined` is not (x is defined); `is not` negates the test.
        #expect(try render("{{ not x is defined }}{{ x is not defined }}") == "TrueTrue")
        // A test takes one argument without parentheses.
        #expect(try render("{{ 9 is divisibleby 3 }}") == "True")
    }

    @Test func conditionalExpressionChains() throws {
        #expect(try render("{{ 'a' if 0 else 'b' if 1 else 'c' }}") == "b")
    }

    @Test func forLoopWithFilterAndElse() throws {
        #expect(try render("{% for i in [1, 2, 3] if i > 1 %}{{ i }}{% else %}none{% endfor %}") == "23")
        #expect(try render("{% for i in [] %}{{ i }}{% else %}none{% endfor %}") == "none")
    }

    @Test func syntaxErrorsReportLineAndColumn() {
        // "{{ 1 + }}": the parser meets "}}" (column 8) where an operand belongs.
        #expect(throws: JinjaError.syntax("unexpected 'end of print statement'", at: SourceLocation(line: 1, column: 8))) {
            try ChatTemplate(source: "{{ 1 + }}")
        }
        // Unknown filter: reported at its name (line 2, column 6).
        #expect(throws: JinjaError.syntax("No filter named 'nosuch'.", at: SourceLocation(line: 2, column: 6))) {
            try ChatTemplate(source: "x\n{{ x|nosuch }}")
        }
        // A missing {% endfor %}: reported at the end of the template (16 characters, so column 17).
        #expect(
            throws: JinjaError.syntax(
                "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'.",
                at: SourceLocation(line: 1, column: 17))
        ) {
            try ChatTemplate(source: "{% for i in x %}")
        }
        #expect(throws: JinjaError.syntax("'break' outside loop", at: SourceLocation(line: 1, column: 4))) {
            try ChatTemplate(source: "{% break %}")
        }
        #expect(throws: JinjaError.syntax("can't assign to 'const'", at: SourceLocation(line: 1, column: 8))) {
            try ChatTemplate(source: "{% set true = 1 %}")
        }
    }

    @Test func unsupportedTagsAreRefusedAtParseTime() {
        #expect(throws: JinjaError.unsupported(
            "the 'include' tag (chat templates are rendered standalone, without a loader)",
            at: SourceLocation(line: 1, column: 4))
        ) {
            try ChatTemplate(source: "{% include 'x' %}")
        }
        // "recursive" starts at column 16 of "{% for x in xs recursive %}".
        #expect(throws: JinjaError.unsupported("recursive for loops", at: SourceLocation(line: 1, column: 16))) {
            try ChatTemplate(source: "{% for x in xs recursive %}{% endfor %}")
        }
    }
}
