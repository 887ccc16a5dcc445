import Testing

@testable import SynprefJinja

/// The lexer: tokens, positions, and jinja2's whitespace rules with transformers'
/// settings (trim_blocks, lstrip_blocks). Expected data is derived by hand from the
/// rules stated in each test.
@Suite struct LexerTests {
    func kinds(_ source: String) throws -> [Token.Kind] {
        try Lexer.tokenize(source).map(\.kind)
    }

    func data(_ source: String) throws -> [String] {
        try Lexer.tokenize(source).compactMap {
            if case .data(let s) = $0.kind { return s }
            return nil
        }
    }

    @Test func variableTagTokens() throws {
        #expect(
            try kinds("a{{ x.y(1, 'z') }}b") == [
                .data("a"), .variableBegin, .name("x"), .op("."), .name("y"), .op("("), .integer(1), .op(","),
                .string("z"), .op(")"), .variableEnd, .data("b"), .eof,
            ])
    }

    @Test func operatorsLongestFirst() throws {
        #expect(
            try kinds("{{ a ** b // c == d != e >= f <= g }}").filter {
                if case .op = $0 { return true }
                return false
            } == [.op("**"), .op("//"), .op("=="), .op("!="), .op(">="), .op("<=")])
    }

    @Test func numbers() throws {
        // Floats need a fraction or an exponent; underscores separate digits; 0x/0o/0b prefixes.
        #expect(
            try kinds("{{ 1 1.5 1e3 1_000 0x1F 0o17 0b101 2.5E-1 }}") == [
                .variableBegin, .integer(1), .float(1.5), .float(1000), .integer(1000), .integer(31),
                .integer(15), .integer(5), .float(0.25), .variableEnd, .eof,
            ])
    }

    @Test func stringEscapesFollowPython() throws {
        // \n \t \' \x41 \u00e9 \101 (octal 'A') are decoded; an unknown escape keeps its backslash.
        #expect(try kinds(#"{{ 'a\nb\t\'\x41\u00e9\101\d' }}"#)[1] == .string("a\nb\t'Aé" + "A\\d"))
        #expect(try kinds(#"{{ "q\"q" }}"#)[1] == .string("q\"q"))
    }

    @Test func tokenPositionsAreLineAndColumn() throws {
        let tokens = try Lexer.tokenize("ab\n  {{ x }}\n{% if y %}")
        let x = tokens.first { $0.kind == .name("x") }
        let y = tokens.first { $0.kind == .name("y") }
        // "  {{ x }}": x is the 6th character of line 2; "{% if y %}": y is the 7th of line 3.
        #expect(x?.location == SourceLocation(line: 2, column: 6))
        #expect(y?.location == SourceLocation(line: 3, column: 7))
    }

    @Test func trimBlocksDropsOneNewlineAfterBlockTags() throws {
        // "{% if %}\n\nx": only the first newline after the tag goes.
        #expect(try data("{% if a %}\n\nx{% endif %}") == ["\nx"])
        // Not after variable tags.
        #expect(try data("{{ a }}\nx") == ["\nx"])
    }

    @Test func lstripBlocksDropsIndentationBeforeBlockTags() throws {
        // The spaces before "{% endif %}" on their own line go; text before a tag on the
        // same line stays.
        #expect(try data("a\n    {% if b %}c {% endif %}") == ["a\n", "c "])
        // A tab and an NBSP are whitespace for Python's \s.
        #expect(try data("a\n\t\u{00A0}{% if b %}{% endif %}") == ["a\n"])
        // Variables are not lstripped.
        #expect(try data("a\n  {{ b }}") == ["a\n  "])
        // "+" disables it.
        #expect(try data("a\n  {%+ if b %}{% endif %}") == ["a\n  "])
    }

    @Test func minusStripsAllWhitespace() throws {
        #expect(try data("a \n\t {%- if b -%} \n c{% endif %}") == ["a", "c"])
        #expect(try data("a  {{- b -}}  c") == ["a", "c"])
    }

    @Test func commentsAndRaw() throws {
        #expect(try data("a{# x #}b") == ["a", "b"])
        #expect(try data("{% raw %}{{ x }}{% endraw %}") == ["{{ x }}"])
        // A comment alone on a line vanishes with its indentation and newline.
        #expect(try data("a\n  {# c #}\nb") == ["a\n", "b"])
    }

    @Test func newlinesAreNormalizedAndOneTrailingNewlineRemoved() throws {
        #expect(try data("a\r\nb\rc\n") == ["a\nb\nc"])
        #expect(try data("a\n\n") == ["a\n"])
    }

    @Test func bracketsMustBalanceBeforeTheTagEnds() throws {
        // "}}" inside an open "{" is two closing braces, not the end of the tag.
        #expect(
            try kinds("{{ {'a': {'b': 1}} }}") == [
                .variableBegin, .op("{"), .string("a"), .op(":"), .op("{"), .string("b"), .op(":"), .integer(1),
                .op("}"), .op("}"), .variableEnd, .eof,
            ])
        // "{{ (1 + 2 }}": the first "}" is the 11th character.
        #expect(throws: JinjaError.syntax("unexpected '}', expected ')'", at: SourceLocation(line: 1, column: 11))) {
            try Lexer.tokenize("{{ (1 + 2 }}")
        }
    }

    @Test func lexicalErrorsHavePositions() {
        #expect(throws: JinjaError.syntax("unexpected char '&'", at: SourceLocation(line: 1, column: 6))) {
            try Lexer.tokenize("{{ 1 & 2 }}")
        }
        #expect(throws: JinjaError.syntax("Missing end of comment tag", at: SourceLocation(line: 2, column: 1))) {
            try Lexer.tokenize("ab\n{# x")
        }
        #expect(throws: JinjaError.syntax("Missing end of raw directive", at: SourceLocation(line: 1, column: 2))) {
            try Lexer.tokenize("a{% raw %}b")
        }
    }
}
