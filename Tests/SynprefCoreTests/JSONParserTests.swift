import Testing
@testable import SynprefCore

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONParser.parse(s) }

    func error(_ bytes: [UInt8]) -> JSONError? {
        do {
            _ = try JSONParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    func error(_ s: String) -> JSONError? { error(Array(s.utf8)) }

    @Test func agreesWithPythonOnEveryReferenceCase() throws {
        for (input, expected) in jsonReferenceCases {
            let shown = String(decoding: input, as: UTF8.self)
            if let expected {
                let value = try JSONParser.parse(input)
                let ours = value.serializedBytes()
                #expect(ours == expected, "input \(shown): ours \(String(decoding: ours, as: UTF8.self)), python \(String(decoding: expected, as: UTF8.self))")
            } else {
                #expect(error(input) != nil, "input \(shown) must be rejected (Python rejects it)")
            }
        }
    }

    @Test func isStricterThanPythonOnSurrogatesAndHugeNumbers() {
        for input in jsonStricterThanPython {
            #expect(error(input) != nil, "\(String(decoding: input, as: UTF8.self)) must be rejected")
        }
        #expect(error("\"\\ud800\"")?.reason == .loneSurrogate(0xD800))
        #expect(error("1e999")?.reason == .numberOutOfRange("1e999"))
    }

    @Test func valuesHaveTheExpectedCases() throws {
        #expect(try parse("12") == .integer(12))
        #expect(try parse("-12") == .integer(-12))
        #expect(try parse("12.0") == .double(12))
        #expect(try parse("1e2") == .double(100))
        // 2^63 does not fit Int: it becomes the nearest double (exactly 9223372036854775808).
        #expect(try parse("9223372036854775808") == .double(9_223_372_036_854_775_808.0))
        #expect(try parse("-9223372036854775808") == .integer(Int.min))
        #expect(try parse("\"a\"") == .string("a"))
        #expect(try parse("[1,\"x\",null,true]") == .array([1, "x", nil, true]))
        let o = try parse("{\"b\":1,\"a\":2}")
        #expect(o.objectValue?.keys == ["b", "a"])
        #expect(o["a"] == .integer(2))
        #expect(o["zz"] == nil)
    }

    @Test func numbersRoundLikeSwiftsOwnDecimalConversion() throws {
        // Swift's Double(String) is a correctly rounded strtod: the reference for every literal.
        let literals = ["0.1", "0.2", "0.3", "1.7976931348623157e308", "2.2250738585072011e-308", "4.9e-324",
                        "123456789.123456789", "9007199254740993", "9007199254740993.0", "1e-22", "1e22", "1e23",
                        "8.98846567431158e307", "0.000000000000000000000000000001234", "7.038531e-26",
                        "1448997445238699", "3.0540412660580e-6", "1.000000000000000000000000000001",
                        "100000000000000000000000000000000000000000001e-20"]
        for text in literals {
            let ours = try parse(text).doubleValue
            #expect(ours == Double(text), "\(text)")
            #expect(try parse("-" + text).doubleValue == -Double(text)!, "-\(text)")
        }
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        // U+1F600 = 0x10000 + (0xD83D-0xD800)<<10 + (0xDE00-0xDC00) = 0x10000 + 0xF400 + 0x200.
        #expect(try parse("\"\\ud83d\\ude00\"") == .string("\u{1F600}"))
        #expect(try parse("\"x\\uD834\\uDD1Ey\"") == .string("x\u{1D11E}y"))
    }

    @Test func escapesAfterLongCleanRunsAreDecoded() throws {
        // Exercise the 8-byte scanner: the escape lands on every offset within a word.
        for prefix in 0..<20 {
            for suffix in 0..<10 {
                let a = String(repeating: "a", count: prefix)
                let b = String(repeating: "é", count: suffix)
                let text = "\"\(a)\\n\(b)\""
                #expect(try parse(text) == .string(a + "\n" + b), "prefix \(prefix) suffix \(suffix)")
                let plain = "\"\(a)\(b)\""
                #expect(try parse(plain) == .string(a + b))
            }
        }
    }

    @Test func controlCharactersAreFoundAtEveryOffset() {
        for prefix in 0..<20 {
            let text = Array("\"".utf8) + [UInt8](repeating: 0x61, count: prefix) + [0x01] + Array("x\"".utf8)
            let e = error(text)
            #expect(e?.reason == .controlCharacterInString(0x01))
            #expect(e?.offset == prefix + 1)
        }
    }

    @Test func invalidUTF8IsReportedAtTheBadByte() {
        // "abé" then a lone continuation byte at offset 1 + 2 + 2 = 5.
        let bytes: [UInt8] = [0x22, 0x61, 0x62, 0xC3, 0xA9, 0x80, 0x22]
        let e = error(bytes)
        #expect(e?.reason == .invalidUTF8)
        #expect(e?.offset == 5)
        // The same after an escape (slow path).
        let escaped: [UInt8] = [0x22, 0x5C, 0x6E, 0x61, 0xED, 0xA0, 0x80, 0x22]
        #expect(error(escaped)?.reason == .invalidUTF8)
        #expect(error(escaped)?.offset == 4)
    }

    @Test func errorsNameLineAndColumn() {
        // Line 3 starts after "{\n  \"a\": 1,\n"; the bad byte 'x' is its 3rd byte.
        let e = error("{\n  \"a\": 1,\n  x\n}")
        #expect(e?.line == 3)
        #expect(e?.column == 3)
        #expect(e?.offset == 14)
        #expect(e.map { "\($0)" }?.contains("line 3, column 3") == true)
        #expect(error("[1, 2")?.reason == .unexpectedEnd(expected: "',' or ']'"))
        #expect(error("[1, 2]]")?.reason == .trailingContent(UInt8(ascii: "]")))
        #expect(error("")?.reason == .empty)
        #expect(error("01")?.reason == .invalidNumber("01"))
        #expect(error("\"\\q\"")?.reason == .invalidEscape(UInt8(ascii: "q")))
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(error(deep)?.reason == .tooDeep(limit: JSONParser.defaultMaxDepth))
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(error(ok) == nil)
    }

    @Test func largeObjectsAreIndexedAndKeepOrder() throws {
        let n = 1000
        let text = "{" + (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k5\":-5}"
        let o = try #require(try parse(text).objectValue)
        #expect(o.count == n)  // "k5" repeated: merged
        #expect(o["k999"] == .integer(999))
        #expect(o["k5"] == .integer(-5))  // the last value of a repeated key wins
        #expect(o.keys[5] == "k5")  // at the first position
        #expect(o.keys.first == "k0")
    }

    @Test func randomDocumentsRoundTrip() throws {
        var rng = SplitMix(seed: 42)
        for _ in 0..<300 {
            let v = randomValue(&rng, depth: 0)
            let text = v.serialized()
            let back = try JSONParser.parse(text)
            #expect(back == v, "\(text)")
        }
    }

    func randomValue(_ rng: inout SplitMix, depth: Int) -> JSONValue {
        let pick = depth > 3 ? rng.next() % 5 : rng.next() % 7
        switch pick {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .integer(Int(truncatingIfNeeded: rng.next()) >> Int(rng.next() % 60))
        case 3:
            let d = Double(bitPattern: rng.next())
            return d.isFinite ? .double(d) : .double(0.5)
        case 4:
            let pool: [Unicode.Scalar] = ["a", "\"", "\\", "\n", "\u{0}", "\u{1F}", "é", "中", "\u{1F600}", "\u{2028}", "/", " "]
            var s = String.UnicodeScalarView()
            for _ in 0..<(rng.next() % 30) { s.append(pool[Int(rng.next() % UInt64(pool.count))]) }
            return .string(String(s))
        case 5:
            return .array((0..<(rng.next() % 5)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var o = JSONObject()
            for i in 0..<(rng.next() % 5) { o["k\(i)"] = randomValue(&rng, depth: depth + 1) }
            return .object(o)
        }
    }
}

/// A tiny deterministic generator for property tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Keys are told apart by code points, as JSON and Python do, not by Swift's canonical
/// equivalence: "e\u0301" (e + combining acute) and "é" (U+00E9) are two keys, and so are
/// "\u212A" (KELVIN SIGN) and "K". Python: json.loads('{"e\\u0301":1,"\\u00e9":2,
/// "\\u212a":3,"K":4,"\\u00e9":5}') has four keys, "é" with the last value 5.
@Suite struct JSONKeyIdentityTests {
    static let text = #"{"e\u0301":1,"\u00e9":2,"\u212a":3,"K":4,"\u00e9":5}"#

    @Test func canonicallyEquivalentKeysStayApart() throws {
        let o = try #require(try JSONParser.parse(JSONKeyIdentityTests.text).objectValue)
        #expect(o.keys.map { Array($0.utf8) } == [[0x65, 0xCC, 0x81], [0xC3, 0xA9], [0xE2, 0x84, 0xAA], [0x4B]])
        #expect(o["e\u{301}"] == .integer(1))
        #expect(o["\u{E9}"] == .integer(5))  // the repeated key: its last value
        #expect(o["\u{212A}"] == .integer(3))
        #expect(o["K"] == .integer(4))
        #expect(JSONValue.object(o).serializedBytes() == Array("{\"e\u{301}\":1,\"\u{E9}\":5,\"\u{212A}\":3,\"K\":4}".utf8))
    }

    @Test func indexedObjectsKeepThemApartToo() throws {
        // More members than the linear-search threshold, so lookups go through the index.
        let filler = (0..<40).map { "\"f\($0)\":0" }.joined(separator: ",")
        let o = try #require(try JSONParser.parse("{\(filler),\"e\\u0301\":1,\"\\u00e9\":2,\"e\\u0301\":3}").objectValue)
        #expect(o.count == 42)
        #expect(o["e\u{301}"] == .integer(3))
        #expect(o["\u{E9}"] == .integer(2))
    }

    @Test func settingAndComparingUseBytes() {
        var a = JSONObject()
        a["e\u{301}"] = 1
        a["\u{E9}"] = 2
        #expect(a.count == 2 && a["e\u{301}"] == .integer(1))
        a["\u{E9}"] = nil
        #expect(a.count == 1 && a["e\u{301}"] == .integer(1) && !a.contains(key: "\u{E9}"))
        #expect(JSONObject([("e\u{301}", .integer(1))]) != JSONObject([("\u{E9}", .integer(1))]))
        #expect(JSONObject([("\u{E9}", .integer(1))]) == JSONObject([("\u{E9}", .integer(1))]))
    }
}
