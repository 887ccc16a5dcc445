import Foundation
import Testing
@testable import SynprefEval

/// Paths of committed fixtures and scratch files for the evaluation tests.
enum Fixture {
    static func path(_ relative: String) throws -> String {
        let root = try #require(Bundle.module.resourceURL, "test bundle has no resources")
        let url = root.appendingPathComponent("Fixtures").appendingPathComponent(relative)
        #expect(FileManager.default.fileExists(atPath: url.path), "missing fixture \(relative)")
        return url.path
    }

    /// Decodes a fixture. (JSONDecoder parses numbers exactly; JSONSerialization on Linux
    /// rounds some 17-digit doubles, so it must not read reference numbers.)
    static func decode<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        let data = try Data(contentsOf: URL(fileURLWithPath: try path(relative)))
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// A fresh temporary folder, removed when the value is deinitialised.
final class ScratchFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "synpref-eval-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `text` to `name` (creating subfolders) and returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// JSON lines from objects.
    @discardableResult
    func writeJSONL(_ name: String, _ rows: [[String: Any]]) throws -> String {
        let lines = try rows.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
        return try write(name, lines.joined(separator: "\n") + "\n")
    }

    @discardableResult
    func writeJSON(_ name: String, _ value: Any) throws -> String {
        try write(name, String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self))
    }
}

/// Expects `body` to throw an `EvalError` whose message contains every fragment.
func expectEvalError(_ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error containing \(fragments)", sourceLocation: sourceLocation)
    } catch let error as EvalError {
        for f in fragments where !error.description.contains(f) {
            Issue.record("error \"\(error.description)\" lacks \"\(f)\"", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
}
