import Foundation
import Testing
@testable import SynprefCore

@Suite struct AtomicLineWriterTests {
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func commitMovesTheFinishedFileIntoPlace() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.jsonl")
        let writer = try AtomicLineWriter(path: out.path)
        try writer.write("a")
        try writer.write(bytes: Array("b\n".utf8))
        // Nothing at the destination until the commit.
        #expect(!FileManager.default.fileExists(atPath: out.path))
        try writer.commit()
        #expect(try String(contentsOf: out, encoding: .utf8) == "a\nb\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.jsonl"])
    }

    /// A pipe (like /dev/null or /dev/stdout) is written in place: renaming a temporary
    /// file over it would replace the device with a regular file (as `--output /dev/null`
    /// once did to a machine's /dev/null).
    @Test func aPipeIsWrittenInPlaceAndStaysAPipe() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader must be open before a writer can open the pipe.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let writer = try AtomicLineWriter(path: fifo)
        try writer.write("through the pipe")
        try writer.commit()
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &buffer, buffer.count)
        #expect(n > 0 && String(decoding: buffer.prefix(n), as: UTF8.self) == "through the pipe\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["pipe"])
    }

    @Test func abandonKeepsAnEarlierFileAndLeavesNoTemporary() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.jsonl")
        try Data("earlier\n".utf8).write(to: out)
        let writer = try AtomicLineWriter(path: out.path)
        // More than the 64 KiB buffer, so part of it reached the temporary file.
        for _ in 0..<10_000 { try writer.write("0123456789") }
        writer.abandon()
        #expect(try String(contentsOf: out, encoding: .utf8) == "earlier\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.jsonl"])
    }

    @Test func droppedWriterCleansUp() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.jsonl")
        do {
            let writer = try AtomicLineWriter(path: out.path)
            try writer.write("x")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func missingFolderIsAClearError() throws {
        let path = "/nonexistent-synpref-folder/out.jsonl"
        #expect {
            _ = try AtomicLineWriter(path: path)
        } throws: { error in
            let e = error as? AtomicWriteError
            return e?.path == path && "\(e!)".contains("does the folder exist")
        }
    }
}
