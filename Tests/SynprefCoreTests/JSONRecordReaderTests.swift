import Foundation
import Testing
@testable import SynprefCore

@Suite struct JSONRecordReaderTests {
    func write(_ text: String, name: String = "r.json") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jrr-\(UUID())-\(name)")
        try Data(text.utf8).write(to: url)
        return url
    }

    func records(_ url: URL, layout: JSONRecordLayout? = nil, bufferSize: Int = 4096) throws -> [JSONRecord] {
        let reader = try JSONRecordReader(path: url.path, layout: layout, bufferSize: bufferSize)
        var out: [JSONRecord] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    @Test func readsJSONLinesSkippingBlankLinesWithLineNumbers() throws {
        let url = try write("{\"a\":1}\r\n\n  \n{\"a\":2}\n{\"a\":3}")
        defer { try? FileManager.default.removeItem(at: url) }
        let rs = try records(url)
        #expect(rs.map(\.line) == [1, 4, 5])
        #expect(rs.map(\.index) == [0, 1, 2])
        #expect(try rs.map { try $0.parse()["a"] } == [1, 2, 3])
    }

    @Test func detectsAndStreamsArraysWithElementLines() throws {
        let text = "\u{FEFF}\n[\n  {\"a\": \"x,]}\\\"\"},\n  {\"b\": [1, {\"c\": 2}]}, 3, \"s\", null ,\n  {}\n]\n"
        let url = try write(text)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try JSONRecordReader(path: url.path, bufferSize: 4096)
        #expect(reader.layout == .array)
        var rs: [JSONRecord] = []
        while let r = try reader.next() { rs.append(r) }
        #expect(rs.count == 6)
        #expect(rs.map(\.line) == [3, 4, 4, 4, 4, 5])
        #expect(try rs[0].parse()["a"] == .string("x,]}\""))
        #expect(try rs[1].parse()["b"] == [1, ["c": 2]])
        #expect(try rs[2].parse() == 3)
        #expect(try rs[3].parse() == "s")
        #expect(try rs[4].parse() == nil)
    }

    @Test func recordsLargerThanTheBufferAreWhole() throws {
        let big = String(repeating: "y", count: 50_000)
        let url = try write("[{\"t\":\"\(big)\"},{\"t\":\"z\"}]")
        defer { try? FileManager.default.removeItem(at: url) }
        let rs = try records(url, bufferSize: 4096)
        #expect(try rs.map { try $0.parse()["t"]?.stringValue?.count } == [50_000, 1])
        let lines = try write("{\"t\":\"\(big)\"}\n{\"t\":\"z\"}\n", name: "l.jsonl")
        defer { try? FileManager.default.removeItem(at: lines) }
        #expect(try records(lines, bufferSize: 4096).map(\.bytes.count) == [50_008, 9])
    }

    @Test func brokenArraysAreTypedErrorsWithLines() throws {
        let cases: [(String, Int)] = [
            ("[{\"a\":1}\n{\"a\":2}]", 2),  // missing comma
            ("[{\"a\":1},\n]", 2),  // trailing comma
            ("[{\"a\":1}]\n\nx", 3),  // text after the array
            ("[{\"a\":1},\n{\"a\":\"unterminated}]", 2),
            ("[{\"a\":1}", 1),  // no closing bracket
        ]
        for (text, line) in cases {
            let url = try write(text)
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                _ = try records(url, layout: .array)
                Issue.record("\(text) should fail")
            } catch let e as JSONRecordReaderError {
                guard case .malformedArray(_, let l, _) = e else {
                    Issue.record("unexpected \(e)")
                    continue
                }
                #expect(l == line, "\(text): \(e)")
            }
        }
    }

    @Test func gzipIsReadTransparently() throws {
        let url = try write((1...2000).map { "{\"n\":\($0)}" }.joined(separator: "\n"), name: "g.jsonl")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-f", url.path]
        try p.run()
        p.waitUntilExit()
        let gz = URL(fileURLWithPath: url.path + ".gz")
        defer { try? FileManager.default.removeItem(at: gz) }
        let rs = try records(gz)
        #expect(rs.count == 2000)
        #expect(try rs.last?.parse()["n"] == 2000)
    }

    @Test func parseErrorsMapToFileLines() throws {
        let url = try write("[\n{\"a\":\n  tru}\n]")
        defer { try? FileManager.default.removeItem(at: url) }
        let r = try #require(try records(url).first)
        do {
            _ = try r.parse()
            Issue.record("should fail")
        } catch {
            #expect(r.fileLine(of: error) == 3)
        }
    }

    @Test func missingFileIsATypedError() {
        #expect(throws: JSONRecordReaderError.self) { _ = try JSONRecordReader(path: "/nonexistent/x.jsonl") }
    }
}
