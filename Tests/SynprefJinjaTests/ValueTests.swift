import Testing

@testable import SynprefJinja

/// Python's `str()`/`repr()` of values, which is what `{{ x }}` prints. Expectations
/// follow Python's rules as stated in each test.
@Suite struct ValueTests {
    @Test func floatReprUsesShortestDigitsAndPythonsLayout() {
        // Fixed notation for decimal exponents in [-4, 16), always with a fraction.
        #expect(PythonText.floatRepr(1.0) == "1.0")
        #expect(PythonText.floatRepr(0.1 + 0.2) == "0.30000000000000004")
        #expect(PythonText.floatRepr(1e15) == "1000000000000000.0")
        #expect(PythonText.floatRepr(0.0001) == "0.0001")
        // Scientific otherwise, exponent with a sign and at least two digits.
        #expect(PythonText.floatRepr(1e16) == "1e+16")
        #expect(PythonText.floatRepr(0.00001) == "1e-05")
        #expect(PythonText.floatRepr(1.5e-10) == "1.5e-10")
        #expect(PythonText.floatRepr(1.7976931348623157e308) == "1.7976931348623157e+308")
        #expect(PythonText.floatRepr(-0.0) == "-0.0")
        #expect(PythonText.floatRepr(.infinity) == "inf")
        #expect(PythonText.floatRepr(.nan) == "nan")
    }

    @Test func stringReprPicksQuotesAndEscapesLikePython() {
        #expect(PythonText.stringRepr("abc") == "'abc'")
        #expect(PythonText.stringRepr("it's") == "\"it's\"")  // has ' and no ": double quotes
        #expect(PythonText.stringRepr("'\"") == "'\\'\"'")  // both: single quotes, ' escaped
        #expect(PythonText.stringRepr("a\nb\t\\") == "'a\\nb\\t\\\\'")
        #expect(PythonText.stringRepr("\u{0}\u{7F}") == "'\\x00\\x7f'")
        #expect(PythonText.stringRepr("é中🙂") == "'é中🙂'")  // printable: kept
        #expect(PythonText.stringRepr("\u{200B}\u{A0}") == "'\\u200b\\xa0'")  // Cf and Zs: escaped
    }

    @Test func containersPrintTheirRepr() throws {
        #expect(try PythonText.str(.list([.int(1), .string("a"), .none, .bool(true), .float(2)])) == "[1, 'a', None, True, 2.0]")
        #expect(try PythonText.str(.tuple([.int(1)])) == "(1,)")
        #expect(try PythonText.str(.tuple([])) == "()")
        #expect(try PythonText.str(Value(["k": ["v"]])) == "{'k': ['v']}")
        #expect(try PythonText.str(.undefined(.named("x"))) == "")
    }

    @Test func pythonTruthiness() {
        let falsy: [Value] = [.none, .bool(false), .int(0), .float(0), .string(""), .list([]), .dict(PyDict()), .undefined(.named("x"))]
        let truthy: [Value] = [.int(-1), .float(0.1), .string(" "), .list([.none]), .iterator(PyIterator(typeName: "generator", items: []))]
        #expect(falsy.allSatisfy { !$0.truthy })
        #expect(truthy.allSatisfy { $0.truthy })
    }

    @Test func equalityAndHashingFollowPython() throws {
        // 1 == 1.0 == True, and they are the same dict key.
        #expect(try Ops.equals(.int(1), .float(1.0)))
        #expect(try Ops.equals(.bool(true), .int(1)))
        #expect(try Ops.hashKey(.float(1.0)) == Ops.hashKey(.bool(true)))
        // A list never equals a tuple; strings compare by code point, not by Swift's
        // canonical equivalence ("é" precomposed vs e + combining accent).
        #expect(!(try Ops.equals(.list([.int(1)]), .tuple([.int(1)]))))
        #expect(!(try Ops.equals(.string("\u{E9}"), .string("e\u{301}"))))
    }

    @Test func arithmeticKeepsPythonTypes() throws {
        #expect(try PythonText.str(Ops.div(.int(4), .int(2))) == "2.0")
        #expect(try PythonText.str(Ops.floorDiv(.int(-7), .int(2))) == "-4")  // floor, not truncation
        #expect(try PythonText.str(Ops.mod(.int(-7), .int(3))) == "2")  // sign of the divisor
        #expect(try PythonText.str(Ops.floorDiv(.float(-7.5), .int(2))) == "-4.0")
        #expect(try PythonText.str(Ops.pow(.int(2), .int(-1))) == "0.5")
    }
}
