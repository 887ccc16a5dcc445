import Testing
@testable import SynprefCore

/// The parser's options for readers that must match serde_json (tokenizer.json) or
/// Python's `json` (chat templates), and the strict defaults they depart from.
@Suite struct JSONParserOptionsTests {
    @Test func repeatedKeysAreMergedByDefaultAndKeptWhenAsked() throws {
        let text = #"{"a": 1, "b": 2, "a": 3}"#
        let merged = try #require(try JSONParser.parse(text).objectValue)
        #expect(merged.keys == ["a", "b"] && merged["a"] == .integer(3))
        var options = JSONParser.Options()
        options.keepDuplicateKeys = true
        let kept = try #require(try JSONParser.parse(text, options: options).objectValue)
        #expect(kept.map(\.key) == ["a", "b", "a"] && kept.map(\.value) == [1, 2, 3])
        #expect(kept["a"] == .integer(3))  // lookups find the last
        // Large objects too (the default path indexes them).
        let big = "{" + (0..<40).map { "\"k\($0 % 20)\": \($0)" }.joined(separator: ", ") + "}"
        let all = try #require(try JSONParser.parse(big, options: options).objectValue)
        #expect(all.count == 40 && all["k3"] == .integer(23))
        #expect(try JSONParser.parse(big).objectValue?.count == 20)
    }

    @Test func loneSurrogatesAreErrorsUnlessReplaced() throws {
        let text = #"["\ud83d", "\ude00x", "\ud83d\ude00"]"#
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
        var options = JSONParser.Options()
        options.replaceLoneSurrogates = true
        #expect(try JSONParser.parse(text, options: options) == ["\u{FFFD}", "\u{FFFD}x", "😀"])
    }

    @Test func pythonsNonFiniteNumbersWhenAsked() throws {
        let text = "[NaN, Infinity, -Infinity, 1e400, -1e400, -5]"
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
        #expect(throws: JSONError.self) { try JSONParser.parse("1e400") }
        var options = JSONParser.Options()
        options.allowNonFiniteNumbers = true
        let a = try #require(try JSONParser.parse(text, options: options).arrayValue)
        #expect(a[0].doubleValue?.isNaN == true)
        #expect(Array(a[1...]) == [.double(.infinity), .double(-.infinity), .double(.infinity), .double(-.infinity), .integer(-5)])
        #expect(throws: JSONError.self) { try JSONParser.parse("[Inf]", options: options) }
        #expect(throws: JSONError.self) { try JSONParser.parse("[-Infinit]", options: options) }
    }

    @Test func integersBeyondIntBecomeDoublesUnlessExactnessIsAsked() throws {
        #expect(try JSONParser.parse("99999999999999999999") == .double(1e20))
        var options = JSONParser.Options()
        options.rejectInexactIntegers = true
        #expect(throws: JSONError.self) { try JSONParser.parse("99999999999999999999", options: options) }
        #expect(try JSONParser.parse("[-9223372036854775808, 1.5e300]", options: options) == [.integer(Int.min), .double(1.5e300)])
    }
}
