import Testing

@testable import SynprefJinja

/// JSON with Python's `json` semantics (what transformers reads and `tojson` writes).
@Suite struct JSONTests {
    @Test func keepsKeyOrderAndNumberKinds() throws {
        let v = try JinjaValue(json: #"{"z": 1, "a": 1.0, "m": [1e2, -0, 12345678901234567]}"#)
        guard case .object(let o) = v else {
            Issue.record("not an object")
            return
        }
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["z"] == .int(1))
        #expect(o["a"] == .double(1.0))
        #expect(o["m"] == .array([.double(100), .int(0), .int(12345678901234567)]))
    }

    @Test func duplicateKeysKeepTheFirstPositionAndLastValue() throws {
        let v = try JinjaValue(json: #"{"a": 1, "b": 2, "a": 3}"#)
        #expect(v.jsonString() == #"{"a": 3, "b": 2}"#)
    }

    @Test func escapesAndSurrogatePairs() throws {
        #expect(try JinjaValue(json: #""\u00e9\ud83d\ude00\n\"\\\/""#) == .string("é😀\n\"\\/"))
        #expect(throws: JinjaJSONError.self) { try JinjaValue(json: #""\ud83d""#) }  // lone surrogate
    }

    @Test func acceptsPythonsNonStandardConstants() throws {
        guard case .array(let a) = try JinjaValue(json: "[NaN, Infinity, -Infinity]") else {
            Issue.record("not an array")
            return
        }
        #expect(a.count == 3)
        if case .double(let d) = a[0] { #expect(d.isNaN) } else { Issue.record("NaN") }
        #expect(a[1] == .double(.infinity))
        #expect(a[2] == .double(-.infinity))
    }

    @Test func errorsNameTheOffset() {
        // Python: "Expecting ',' delimiter: line 1 column 7 (char 6)".
        #expect(throws: JinjaJSONError(message: "Expecting ',' delimiter", offset: 6)) {
            try JinjaValue(json: #"[1, 2 3]"#)
        }
        #expect(throws: JinjaJSONError(message: "Extra data", offset: 3)) { try JinjaValue(json: "{} x") }
        #expect(throws: JinjaJSONError(message: "Expecting value", offset: 0)) { try JinjaValue(json: "") }
        #expect(throws: JinjaJSONError(message: "Invalid control character at", offset: 2)) {
            try JinjaValue(json: "\"a\nb\"")
        }
        #expect(throws: JinjaJSONError.self) { try JinjaValue(json: "99999999999999999999") }  // beyond 64 bits
    }

    @Test func dumpsLikePythonJSON() throws {
        // Default separators ", " and ": "; non-ASCII kept; control characters escaped.
        let v: JinjaValue = ["a": [1, 2.5, "é\u{1}"], "b": nil, "c": true]
        #expect(v.jsonString() == #"{"a": [1, 2.5, "é\u0001"], "b": null, "c": true}"#)
        // With an indent the item separator becomes "," and empty containers stay "[]".
        var options = PythonJSON.Options()
        options.indent = "  "
        let text = try PythonJSON.dumps(Value(["x": [], "y": [1]]), options: options)
        #expect(text == "{\n  \"x\": [],\n  \"y\": [\n    1\n  ]\n}")
    }

    @Test func deepNestingIsBoundedAndStillRenders() async throws {
        #expect(throws: JinjaJSONError.self) { try JinjaValue(json: String(repeating: "[", count: 100_000)) }
        // 499 levels (the limit is 500) survive parsing, conversion, printing and tojson
        // on a concurrency thread.
        let text = String(repeating: "[", count: 499) + String(repeating: "]", count: 499)
        let v = try JinjaValue(json: text)
        let rendered = try await Task {
            try ChatTemplate(source: "{{ x|tojson }}{{ x == x }}{{ x|string|length }}").render(context: ["x": v])
        }.value
        #expect(rendered == text.replacingOccurrences(of: "][", with: "], [") + "True" + String(998))
    }
}
