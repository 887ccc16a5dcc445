import Foundation
import Testing
@testable import SynprefCore

@Suite struct LineReaderTests {
    func temp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lr-\(UUID())-\(name)")
    }

    func gzip(_ url: URL) throws -> URL {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-kf", url.path]
        try p.run()
        p.waitUntilExit()
        return URL(fileURLWithPath: url.path + ".gz")
    }

    @Test func readsLinesWithNumbersAndStripsCRLF() throws {
        let url = temp("a.txt")
        try Data("a\r\n\nbc\nlast".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = try LineReader(path: url.path).map { ($0.number, String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(lines.map(\.0) == [1, 2, 3, 4])
        #expect(lines.map(\.1) == ["a", "", "bc", "last"])
    }

    @Test func linesLongerThanTheBufferAreWhole() throws {
        let url = temp("long.txt")
        let long = String(repeating: "x", count: 10_000)
        try Data("\(long)\nshort\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = try LineReader(path: url.path, bufferSize: 4096).map { $0.bytes.count }
        #expect(lines == [10_000, 5])
    }

    @Test func readsGzipTransparently() throws {
        let url = temp("b.jsonl")
        let text = (1...1000).map { "{\"n\": \($0)}" }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: url)
        let gz = try gzip(url)
        defer { try? FileManager.default.removeItem(at: url); try? FileManager.default.removeItem(at: gz) }
        let lines = try LineReader(path: gz.path).map { String(decoding: $0.bytes, as: UTF8.self) }
        #expect(lines.count == 1000)
        #expect(lines.last == "{\"n\": 1000}")
    }

    @Test func truncatedGzipIsAnErrorNotSilentLoss() throws {
        let url = temp("c.jsonl")
        let text = (1...20000).map { "{\"n\": \($0), \"pad\": \"\(UUID())\"}" }.joined(separator: "\n")
        try Data(text.utf8).write(to: url)
        let gz = try gzip(url)
        defer { try? FileManager.default.removeItem(at: url); try? FileManager.default.removeItem(at: gz) }
        let whole = try Data(contentsOf: gz)
        try whole.prefix(whole.count / 2).write(to: gz)
        let reader = try LineReader(path: gz.path)
        #expect(throws: LineReaderError.self) {
            while try reader.nextLine() != nil {}
        }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: LineReaderError.self) { _ = try LineReader(path: "/nonexistent/x.jsonl") }
    }
}
