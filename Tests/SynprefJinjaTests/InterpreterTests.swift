import Testing

@testable import SynprefJinja

/// The interpreter: jinja2's scoping, undefined values, the sandbox, and runtime errors
/// with the template position of the failing construct.
@Suite struct InterpreterTests {
    func render(_ source: String, _ context: [String: JinjaValue] = [:]) throws -> String {
        try ChatTemplate(source: source).render(context: context)
    }

    @Test func loopBodiesGetAFreshScopePerIteration() throws {
        // A `set` in a loop body is gone in the next iteration and after the loop; before
        // its `set`, a name still reads the outer value.
        #expect(try render("{% set x = 0 %}{% for i in [1, 2] %}[{{ x }}]{% set x = i %}{% endfor %}[{{ x }}]") == "[0][0][0]")
        // `if` does not open a scope.
        #expect(try render("{% if true %}{% set y = 5 %}{% endif %}{{ y }}") == "5")
    }

    @Test func namespacesCarryStateOutOfLoops() throws {
        let source = "{% set ns = namespace(total=0) %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}"
        #expect(try render(source) == "6")  // 1 + 2 + 3
    }

    @Test func macrosSeeTheirDefiningScopeAtCallTime() throws {
        #expect(try render("{% macro m() %}{{ y }}{% endmacro %}{% set y = 3 %}{{ m() }}") == "3")
        // Not the caller's loop scope.
        #expect(
            try render("{% set y = 1 %}{% macro m() %}{{ y }}{% endmacro %}{% for i in [1] %}{% set y = 2 %}{{ m() }}{% endfor %}")
                == "1")
    }

    @Test func undefinedPrintsEmptyButFailsWhenUsed() throws {
        #expect(try render("[{{ missing }}][{{ d.missing }}]", ["d": ["k": 1]]) == "[][]")
        #expect(try render("{{ missing is defined }}|{{ missing|default('x') }}|{{ missing|length }}") == "False|x|0")
        // "{{ foo.bar }}": the attribute access at the dot (column 7) fails.
        #expect(throws: JinjaError.runtime("UndefinedError: 'foo' is undefined", at: SourceLocation(line: 1, column: 7))) {
            try render("{{ foo.bar }}")
        }
    }

    @Test func runtimeErrorsNameTheFailingOperator() {
        // Line 2 is "  {{ 'x' + 1 }}": the "+" is its 10th character.
        #expect(
            throws: JinjaError.runtime(
                "TypeError: can only concatenate str (not \"int\") to str", at: SourceLocation(line: 2, column: 10))
        ) {
            try render("a\n  {{ 'x' + 1 }}")
        }
    }

    @Test func raiseExceptionSurfacesTheTemplatesMessage() {
        // Reported at the call's name: column 4 of line 2.
        #expect(throws: JinjaError.raised("bad role", at: SourceLocation(line: 2, column: 4))) {
            try render("{% if true %}\n{{ raise_exception('bad ' ~ 'role') }}{% endif %}")
        }
        do {
            _ = try render("{{ raise_exception('Conversation roles must alternate') }}")
            Issue.record("expected an error")
        } catch let e as JinjaError {
            #expect(e.message == "Conversation roles must alternate")
            #expect(e.description.contains("Conversation roles must alternate"))
            #expect(e.description.contains("line 1, column 4"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func sandboxRefusesMutation() {
        #expect(
            throws: JinjaError.runtime(
                "SecurityError: access to attribute 'append' of 'list' object is unsafe.",
                at: SourceLocation(line: 1, column: 23))
        ) {
            // "{% set xs = [] %}" is 17 characters; in "{{ xs.append(1) }}" the dot is the
            // 6th: column 23.
            try render("{% set xs = [] %}{{ xs.append(1) }}")
        }
    }

    @Test func generatorsAreTruthyAndUnsized() throws {
        // jinja2's select returns a generator: truthy even when empty.
        #expect(try render("{% if []|select %}yes{% endif %}") == "yes")
        #expect(throws: JinjaError.self) { try render("{{ [1]|select|length }}") }
        // Printing one would show a memory address; refused (reported at the filter name,
        // column 8 of "{{ [1]|map('string') }}").
        #expect(throws: JinjaError.unsupported(
            "printing a 'generator' object (jinja2 would print its memory address; add '|list')",
            at: SourceLocation(line: 1, column: 8))
        ) {
            try render("{{ [1]|map('string') }}")
        }
    }

    @Test func strftimeNowFormatsLocalTime() throws {
        // The year printed now is this year (the C library's localtime).
        let year = try render("{{ strftime_now('%Y') }}")
        #expect(year.count == 4 && Int(year) != nil)
        #expect(try render("{{ strftime_now('%d %b %Y')|length }}") == "11")  // e.g. "26 Jul 2024"
        #expect(try render("{{ strftime_now('%%|%z|%Z') }}") == "%||")  // naive datetime: no zone
    }

    @Test func integersStayExactOrFailLoudly() throws {
        #expect(try render("{{ 2 ** 62 }}") == "4611686018427387904")
        #expect(throws: JinjaError.self) { try render("{{ 2 ** 64 }}") }
    }

    @Test func runawayRecursionIsAnErrorNotACrash() async throws {
        let source = "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% else %}bottom{% endif %}{% endmacro %}{{ f(depth) }}"
        // Run on a concurrency thread (smaller stack than the main thread), like the CLI.
        let deep = try await Task { try render(source, ["depth": 240]) }.value
        #expect(deep == "bottom")
        await #expect(throws: JinjaError.self) { try await Task { try render(source, ["depth": 100_000]) }.value }
        // Deeply nested expressions and blocks are syntax errors (jinja2 raises RecursionError).
        #expect(throws: JinjaError.self) { try render("{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}") }
        #expect(throws: JinjaError.self) { try render(String(repeating: "{% if true %}", count: 5000)) }
        // Just inside the limits (deeper than jinja2 itself manages), on a concurrency thread.
        let parens = try await Task { try render("{{ " + String(repeating: "(", count: 120) + "1" + String(repeating: ")", count: 120) + " }}") }.value
        #expect(parens == "1")
        let ifs = try await Task { try render(String(repeating: "{% if true %}", count: 250) + "x" + String(repeating: "{% endif %}", count: 250)) }.value
        #expect(ifs == "x")
    }

    @Test func hostileSizesAreErrorsNotCrashes() throws {
        for source in [
            "{{ 'a' * 10 ** 15 }}", "{{ [0] * 10 ** 12 }}", "{{ 'x'.center(10 ** 12) }}", "{{ 'x'|indent(10 ** 12) }}",
            "{{ '%99999999999999999999d' % 1 }}", "{{ '{:99999999999999999999}'.format(1) }}",
            "{{ range(-9223372036854775807, 9223372036854775807)|length }}", "{{ 9223372036854775807 + 1 }}",
            "{{ (-9223372036854775807 - 1) // -1 }}", "{{ [1]|batch(10 ** 12, 0)|list }}",
        ] {
            #expect(throws: JinjaError.self, "\(source)") { try render(source) }
        }
        // Values nested by a loop deeper than Python's recursion limit.
        let nest = "{% set ns = namespace(x=[]) %}{% for i in range(2000) %}{% set ns.x = [ns.x] %}{% endfor %}"
        for use in ["{{ ns.x }}", "{{ ns.x|tojson }}", "{{ ns.x == ns.x }}", "{{ ns.x < ns.x }}"] {
            #expect(throws: JinjaError.self, "\(use)") { try render(nest + use) }
        }
        // A huge slice step is fine: Python's slice arithmetic, no overflow.
        #expect(try render("{{ [1, 2, 3][1::9223372036854775807] }}") == "[2]")
        #expect(try render("{{ 'abc'|truncate(9223372036854775807) }}") == "abc")
    }

    @Test func valuesCannotBeNestedDeepEnoughToOverflowTheStack() async throws {
        // jinja2 would build this; freeing or printing it recursively would overflow the
        // stack here, so the nesting is refused when it is stored.
        for src in [
            "{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}done",
            "{% set ns = namespace(x=[1]) %}{% for i in range(100000) %}{% set ns.x = ns.x|batch(1)|list %}{% endfor %}done",
            "{% macro f(n, x) %}{% if n %}{{ f(n - 1, [[[[x]]]]) }}{% endif %}{% endmacro %}{{ f(240, []) }}done",
        ] {
            await #expect(throws: JinjaError.self) { try await Task { try render(src) }.value }
        }
        // Ordinary accumulation is unaffected.
        let ok = "{% set ns = namespace(x=[]) %}{% for i in range(1000) %}{% set ns.x = ns.x + [[i]] %}{% endfor %}{{ ns.x|length }}"
        #expect(try render(ok) == "1000")
    }
}
