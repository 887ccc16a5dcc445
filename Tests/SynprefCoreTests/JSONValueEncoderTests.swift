import Testing
@testable import SynprefCore

/// `JSONValueEncoder`: Codable values to `JSONValue`, and back through `JSONValueDecoder`.
@Suite struct JSONValueEncoderTests {
    struct Inner: Codable, Equatable { var name: String; var weights: [Double] }
    enum Mode: String, Codable { case full, lora }
    struct Outer: Codable, Equatable {
        var step: Int
        var rate: Double
        var mode: Mode
        var inner: Inner
        var list: [Inner]
        var optional: Int?
        var flags: [String: Bool]
        enum CodingKeys: String, CodingKey { case step, rate, mode, inner, list, optional, flags = "the_flags" }
    }

    @Test func roundTripsThroughTheDecoder() throws {
        let value = Outer(step: 3, rate: 2e-5, mode: .lora, inner: Inner(name: "a\"b", weights: [0.5, -1]),
                          list: [Inner(name: "x", weights: [])], optional: nil, flags: ["on": true])
        let json = try JSONValueEncoder().encode(value)
        #expect(json.serialized() == #"{"step":3,"rate":2e-05,"mode":"lora","inner":{"name":"a\"b","weights":[0.5,-1.0]},"list":[{"name":"x","weights":[]}],"the_flags":{"on":true}}"#)
        #expect(try JSONValueDecoder().decode(Outer.self, from: json) == value)
    }

    @Test func everyIntegerTypeIsANumber() throws {
        struct Seeds: Codable, Equatable { var a: UInt64; var b: UInt8; var c: Int16; var d: UInt; var e: Int32 }
        let v = Seeds(a: 1 << 40, b: 7, c: -3, d: 9, e: -1)
        let json = try JSONValueEncoder().encode(v)
        #expect(json.serialized() == #"{"a":1099511627776,"b":7,"c":-3,"d":9,"e":-1}"#)
        #expect(try JSONValueDecoder().decode(Seeds.self, from: json) == v)
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([UInt64.max]) }
    }

    @Test func nonFiniteNumbersAreAnError() {
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Inner(name: "n", weights: [.infinity])) }
    }
}
