import Testing
@testable import SynprefText

/// The Oniguruma-compatible engine: semantics derived by hand from Oniguruma's rules
/// (leftmost match, first alternative wins, greedy by default), and typed errors for
/// what it does not support. Corpus-level parity with Oniguruma is in
/// RegexSplitParityTests.
@Suite struct RegexTests {
    func scalars(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    func length(_ pattern: String, _ text: String, at start: Int = 0) throws -> Int? {
        try Regex(pattern).matchLength(scalars(text), at: start)
    }

    func matches(_ pattern: String, _ text: String) throws -> [String] {
        let s = scalars(text)
        return try Regex(pattern).matches(in: s).map { String(scalars: Array(s[$0.0..<$0.1])) }
    }

    @Test func firstAlternativeWinsNotLongest() throws {
        // `a|ab` on "ab": the first alternative matches one scalar, so the match is "a".
        #expect(try length("a|ab", "ab") == 1)
        #expect(try length("ab|a", "ab") == 2)
    }

    @Test func greedyLazyAndCountedRepetition() throws {
        #expect(try length("a+", "aaa") == 3)
        #expect(try length("a+?", "aaa") == 1)
        #expect(try length("a*?b", "aab") == 3)       // lazy grows until b can match
        #expect(try length("a{2,3}", "aaaa") == 3)
        #expect(try length("a{2}", "aaaa") == 2)
        #expect(try length("a{2,}", "aaaa") == 4)
        #expect(try length("a{,2}", "aaaa") == 2)     // Ruby syntax: {,n} is {0,n}
        #expect(try length("(?:ab){2}", "ababab") == 4)
        #expect(try length("(?:ab)+?c", "ababc") == 5)
        #expect(try length("x{", "x{") == 2)          // '{' that is not an interval is literal
    }

    @Test func negativeLookaheadBacktracksIntoGreedyRun() throws {
        // `\s+(?!\S)` on "   x": \s+ takes 3 spaces, then 'x' is \S so the lookahead fails;
        // giving one space back leaves ' ' next, which is not \S: the match is 2 spaces.
        #expect(try length(#"\s+(?!\S)"#, "   x") == 2)
        #expect(try length(#"\s+(?!\S)"#, "   ") == 3)
        #expect(try length(#"a(?=b)"#, "ab") == 1)
        #expect(try length(#"a(?=b)"#, "ac") == nil)
    }

    @Test func atomicGroupsAndPossessiveQuantifiersDoNotGiveBack() throws {
        #expect(try length("(?>a+)a", "aaa") == nil)
        #expect(try length("a++a", "aaa") == nil)
        #expect(try length("a+a", "aaa") == 3)
    }

    @Test func caseInsensitiveLiteralsUseOnigurumaFolds() throws {
        let p = "(?i:'s|'t|'re|'ve|'m|'ll|'d)"
        for text in ["'s", "'S", "'T", "'Re", "'rE", "'VE", "'M", "'Ll", "'D"] {
            #expect(try length(p, text) == text.unicodeScalars.count, "\(text)")
        }
        // Oniguruma also folds U+017F LATIN SMALL LETTER LONG S to 's' (and the Kelvin sign
        // to 'k'); reference: ReferenceUnicodeData.asciiCaseFoldExtras.
        #expect(try length(p, "'\u{17F}") == 2)
        #expect(try length("(?i:k)", "\u{212A}") == 1)
        #expect(try length(p, "'x") == nil)
        #expect(try length("(?i:a)b", "AB") == nil)   // the flag ends with the group
        #expect(try length("(?i)ab", "AB") == 2)
    }

    @Test func classesAndProperties() throws {
        #expect(try matches(#"\p{L}+"#, "héllo wörld 42") == ["héllo", "wörld"])
        #expect(try matches(#"\p{N}{1,3}"#, "12345") == ["123", "45"])
        #expect(try matches(#"[^\r\n\p{L}\p{N}]?\p{L}+"#, " a\nb") == [" a", "b"])
        #expect(try matches(#"[a-c\d]+"#, "abcd123") == ["abc", "123"])
        #expect(try matches(#"\P{L}+"#, "ab12cd") == ["12"])
        #expect(try matches(#"\p{^L}+"#, "ab12cd") == ["12"])
        #expect(try matches(#"[[a-b][x]]+"#, "axbyc") == ["axb"])
        #expect(try matches(#"\x{4E2D}|\u6587"#, "中文") == ["中", "文"])
        #expect(try matches(".", "a\nb") == ["a", "b"])      // '.' excludes newline
        #expect(try matches("(?m:.)+", "a\nb") == ["a\nb"])  // Ruby (?m) lets '.' match it
    }

    @Test func unicodeVersionFollowsOniguruma() throws {
        // U+088F is a letter in Swift 6.3's Unicode 17 tables but unassigned for the
        // Oniguruma in tokenizers 0.23.3; the engine must side with Oniguruma.
        #expect(Unicode.Scalar(0x88F)!.properties.generalCategory != .unassigned)
        #expect(try length(#"\p{L}"#, "\u{88F}") == nil)
        #expect(try length(#"\p{Cn}"#, "\u{88F}") == 1)
    }

    @Test func anchorsUseRubyLineSemantics() throws {
        #expect(try matches("^a", "a\na") == ["a", "a"])
        #expect(try matches(#"\Aa"#, "a\na") == ["a"])
        #expect(try matches("a$", "a\na") == ["a", "a"])
        #expect(try matches(#"a\z"#, "a\na") == ["a"])
        #expect(try matches(#"\bab\b"#, "ab cab ab") == ["ab", "ab"])
    }

    @Test func emptyMatchesAdvanceLikeTheOnigCrate() throws {
        // `x*` on "ab": empty at 0, empty at 1, empty at 2 (an empty match right where
        // the previous one ended is skipped by moving one scalar on).
        let r = try Regex("x*")
        #expect(r.matches(in: scalars("ab")).map { [$0.0, $0.1] } == [[0, 0], [1, 1], [2, 2]])
        #expect(r.matches(in: scalars("xab")).map { [$0.0, $0.1] } == [[0, 1], [2, 2], [3, 3]])
        // A nullable body under `*` stops after an empty iteration instead of looping.
        #expect(try length("(?:a?)*b", "aab") == 3)
    }

    @Test(arguments: [
        ("(?<=a)b", "lookbehind"),
        (#"\p{Han}"#, "Han"),
        ("[a", "unterminated"),
        ("a{3,2}", "invalid repetition"),
        ("(?x)a", "flag"),
        ("[[:alpha:]]", "POSIX"),
        (#"(a)\1"#, "\\1"),
        ("(?i:[a-z])", "(?i)"),
        ("(?i:ss)", "multi-character"),
        ("a)", "unmatched"),
        ("*a", "anything to repeat"),
        ("[a&&b]", "intersection"),
        (#"\xff"#, "raw byte"),
        ("(a", "unterminated"),
        ("[]", "empty"),
        (String(repeating: "(", count: 300) + String(repeating: ")", count: 300), "nested deeper"),
    ])
    func unsupportedOrInvalidPatternsAreTypedErrors(pattern: String, fragment: String) {
        do {
            _ = try Regex(pattern)
            Issue.record("\(pattern) should be rejected")
        } catch {
            #expect(error.pattern == pattern)
            #expect(error.description.contains(fragment), "\(error.description)")
        }
    }
}
