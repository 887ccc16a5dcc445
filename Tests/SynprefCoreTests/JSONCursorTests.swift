import Testing
@testable import SynprefCore

@Suite struct JSONCursorTests {
    @Test func walksObjectsAndArraysWithoutATree() throws {
        let text = Array(#"{"name": "x\ny", "list": [1, 2.5, -3], "skip": {"deep": [true, null]}, "none": null}"#.utf8)
        let (name, list, none) = try JSONCursor.read(text) { (c: inout JSONCursor) throws(JSONError) -> (String, [Double], Bool) in
            var name = ""
            var list: [Double] = []
            var none = false
            try c.beginObject()
            while let key = try c.nextKey() {
                switch key {
                case "name": name = try c.readString()
                case "list":
                    try c.beginArray()
                    while try c.nextElement() { list.append(try c.readNumber()) }
                case "none": none = try c.readNull()
                default: try c.skipValue()
                }
            }
            try c.end()
            return (name, list, none)
        }
        #expect(name == "x\ny")
        #expect(list == [1, 2.5, -3])
        #expect(none)
    }

    @Test func isAsStrictAsTheParser() {
        func fails(_ s: String) -> Bool {
            do {
                try JSONCursor.read(Array(s.utf8)) { (c: inout JSONCursor) throws(JSONError) in
                    try c.beginArray()
                    while try c.nextElement() { _ = try c.readValue() }
                    try c.end()
                }
                return false
            } catch {
                return true
            }
        }
        #expect(!fails("[1, \"a\", {\"b\": []}]"))
        #expect(!fails("[]"))
        for bad in ["[1,]", "[,1]", "[1 2]", "[1] x", "[", "{}", "[\"\\ud800\"]"] { #expect(fails(bad), "\(bad)") }
    }

    @Test func readValueAgreesWithTheParserOnEveryReferenceCase() {
        for (input, expected) in jsonReferenceCases {
            let viaCursor = try? JSONCursor.read(input) { (c: inout JSONCursor) throws(JSONError) -> JSONValue in
                let v = try c.readValue()
                try c.end()
                return v
            }
            if expected == nil {
                #expect(viaCursor == nil, "\(String(decoding: input, as: UTF8.self))")
            } else {
                #expect(viaCursor == (try? JSONParser.parse(input)), "\(String(decoding: input, as: UTF8.self))")
            }
        }
    }

    @Test func errorsCarryPositions() {
        do {
            try JSONCursor.read(Array("{\"a\" 1}".utf8)) { (c: inout JSONCursor) throws(JSONError) in
                try c.beginObject()
                _ = try c.nextKey()
            }
            Issue.record("must fail")
        } catch {
            #expect(error.offset == 5)
            #expect(error.reason == .unexpectedByte(UInt8(ascii: "1"), expected: "':'"))
        }
    }
}
