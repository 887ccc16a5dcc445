import Testing
@testable import SynprefCore

@Suite struct JSONWriterTests {
    @Test func escapesExactlyWhatPythonEscapes() {
        // json.dumps("\"\\\n\r\t\b\f\u0001\u007f é\u2028", ensure_ascii=False) gives the text below:
        // the seven short escapes, \u0001 in lower-case hex, DEL, é and U+2028 raw.
        let s = "\"\\\n\r\t\u{8}\u{C}\u{1}\u{7F} é\u{2028}"
        let expected = "\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\u{7F} é\u{2028}\""
        #expect(JSONValue.string(s).serialized() == expected)
    }

    @Test func writesCompactlyInMemberOrder() {
        let v: JSONValue = ["z": 1, "a": [true, nil, 1.5, "x"]]
        #expect(v.serialized() == "{\"z\":1,\"a\":[true,null,1.5,\"x\"]}")
    }

    @Test func doublesUseTheShortestRoundTripForm() {
        // Python: repr(1.0)='1.0', repr(1e-05)='1e-05', repr(1e16)='1e+16', repr(0.1)='0.1'.
        #expect(JSONValue.double(1).serialized() == "1.0")
        #expect(JSONValue.double(0.00001).serialized() == "1e-05")
        #expect(JSONValue.double(1e16).serialized() == "1e+16")
        #expect(JSONValue.double(0.1).serialized() == "0.1")
        #expect(JSONValue.double(.nan).serialized() == "null")
    }

    @Test func objectSubscriptSetsReplacesAndRemoves() {
        var o = JSONObject()
        o["a"] = 1
        o["b"] = 2
        o["a"] = 3
        #expect(o.keys == ["a", "b"])
        #expect(o["a"] == .integer(3))
        o["a"] = nil
        #expect(o.keys == ["b"])
        for i in 0..<40 { o["k\(i)"] = .integer(i) }  // crosses the index threshold
        #expect(o["k39"] == .integer(39))
        o["k39"] = "x"
        #expect(o["k39"] == .string("x"))
        #expect(o.count == 41)
    }

    @Test func indentedAsPythonIndent2() {
        // Python: json.dumps({"a": [1, {"b": []}], "c": {}, "d": "é\n", "e": 0.5}, ensure_ascii=False, indent=2)
        // puts each member on its own line indented by 2 per level, ": " after keys, "," at
        // line ends, and writes empty containers as [] and {}.
        let v: JSONValue = .object([("a", [1, .object([("b", [])])]), ("c", .object(JSONObject())), ("d", "é\n"), ("e", 0.5)])
        let expected = "{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    }\n  ],\n  \"c\": {},\n  \"d\": \"é\\n\",\n  \"e\": 0.5\n}"
        #expect(v.serialized(indent: 2) == expected)
        #expect(v.serialized(indent: 0) == v.serialized())
    }
}
