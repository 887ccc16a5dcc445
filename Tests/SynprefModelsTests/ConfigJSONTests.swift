import Testing
@testable import SynprefModels

/// The strict JSON parser behind config.json, safetensors headers and index files.
@Suite struct ConfigJSONTests {
    func parse(_ text: String, allowNonFinite: Bool = false) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8), allowNonFinite: allowNonFinite)
    }

    @Test func keepsKeyOrderAndTypes() throws {
        let value = try parse(#" {"b": true, "a": [1, -2.5e3, null], "c": "x"} "#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"]?.boolValue == true)
        #expect(object["a"]?.arrayValue?.count == 3)
        #expect(object["a"]?.arrayValue?[1].doubleValue == -2500)
        #expect(object["a"]?.arrayValue?[1].intValue == nil)  // not an integer literal
        #expect(object["a"]?.arrayValue?[2].isNull == true)
    }

    @Test func integersAreExactAndBooleansAreNotNumbers() throws {
        #expect(try parse("9007199254740993").intValue == 9_007_199_254_740_993)  // 2^53 + 1, not rounded
        #expect(try parse("9223372036854775808").intValue == nil)  // Int.max + 1
        #expect(try parse("1.0").intValue == nil)
        #expect(try parse("true").intValue == nil)
        #expect(try parse("0").intValue == 0)
        #expect(try parse("1e-06").doubleValue == 1e-6)
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#).stringValue == "a\"b\\c/d\n\té😀")
        #expect(try parse("\"é\"").stringValue == "é")
        #expect(throws: JSONParseError.self) { try parse(#""\ud83d""#) }  // lone high surrogate
        #expect(throws: JSONParseError.self) { try parse(#""\ude00""#) }  // lone low surrogate
        #expect(throws: JSONParseError.self) { try parse(#""\x""#) }
        #expect(throws: JSONParseError.self) { try parse("\"tab\there\"") }  // raw control character
    }

    @Test func rejectsMalformedDocuments() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "{\"a\":1}x", "[1 2]", "{1:2}", "+1", ".5"] {
            #expect(throws: JSONParseError.self, "\(text)") { try parse(text) }
        }
    }

    @Test func rejectsDuplicateKeysWithPosition() throws {
        do {
            _ = try parse("{\n\"a\": 1,\n\"a\": 2}")
            Issue.record("duplicate key accepted")
        } catch {
            #expect(error.message == "duplicate key \"a\" in object")
            #expect(error.line == 3 && error.column == 1)
        }
    }

    @Test func depthLimitInsteadOfStackOverflow() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try parse(fine).arrayValue?.count == 1)
    }

    @Test func pythonNonFiniteNumbersOnlyWhenAllowed() throws {
        #expect(throws: JSONParseError.self) { try parse("NaN") }
        #expect(try parse("NaN", allowNonFinite: true).doubleValue?.isNaN == true)
        #expect(try parse("[Infinity, -Infinity]", allowNonFinite: true).arrayValue?.map(\.doubleValue) == [.infinity, -.infinity])
    }
}
