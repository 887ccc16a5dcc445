import Testing
@testable import SynprefCore

/// Decodable records read from Core's parsed values, with the standard errors and paths.
@Suite struct JSONValueDecoderTests {
    struct Row: Decodable, Equatable {
        struct Turn: Decodable, Equatable { var role: String; var content: String }
        var id: Int
        var name: String?
        var scores: [Double]
        var turns: [Turn]
        var flag: Bool
    }

    let decoder = JSONValueDecoder()

    @Test func decodesNestedRecords() throws {
        let row = try decoder.decode(Row.self, from: Array(#"{"id": 3.0, "scores": [1, 2.5], "turns": [{"role": "user", "content": "hi"}], "flag": true, "extra": null}"#.utf8))
        #expect(row == Row(id: 3, name: nil, scores: [1, 2.5], turns: [.init(role: "user", content: "hi")], flag: true))
    }

    @Test func errorsCarryTheCodingPath() {
        func error(_ json: String) -> DecodingError? {
            do { _ = try decoder.decode(Row.self, from: Array(json.utf8)); return nil } catch { return error as? DecodingError }
        }
        guard case .keyNotFound(let key, _)? = error(#"{"id": 1, "scores": [], "turns": []}"#) else { Issue.record("missing flag"); return }
        #expect(key.stringValue == "flag")
        guard case .typeMismatch(_, let c)? = error(#"{"id": 1, "scores": [1, "x"], "turns": [], "flag": true}"#) else { Issue.record("string score"); return }
        #expect(c.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["scores", "1"])
        guard case .valueNotFound(_, let n)? = error(#"{"id": 1, "scores": [], "turns": [{"role": null, "content": "x"}], "flag": true}"#) else { Issue.record("null role"); return }
        #expect(n.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["turns", "0", "role"])
        guard case .dataCorrupted? = error(#"{"id": 1.5, "scores": [], "turns": [], "flag": true}"#) else { Issue.record("fractional id"); return }
        guard case .dataCorrupted(let p)? = error(#"{"id": 1,"#) else { Issue.record("truncated"); return }
        #expect(p.underlyingError is JSONError)
    }
}
