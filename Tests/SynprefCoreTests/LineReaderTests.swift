import Foundation
import Testing
@testable import SynprefCore

@Suite struct LineReaderTests {
    @Test func readsLinesWithNumbersAndStripsCRLF() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lr-\(UUID()).txt")
        try Data("a\r\n\nbc\nlast".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = try LineReader(path: url.path).map { ($0.number, String(decoding: $0.bytes, as: UTF8.self)) }
        #expect(lines.map(\.0) == [1, 2, 3, 4])
        #expect(lines.map(\.1) == ["a", "", "bc", "last"])
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: LineReaderError.self) { _ = try LineReader(path: "/nonexistent/x.jsonl") }
    }
}
