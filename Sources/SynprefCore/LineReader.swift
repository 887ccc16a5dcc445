import Foundation
import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors opening or reading a text file line by line.
public enum LineReaderError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open (\(reason)). Check the path and its permissions."
        case .readFailed(let path, let line, let reason):
            return "\(path):\(line): read failed (\(reason)). The file may be truncated or not valid gzip."
        }
    }
}

/// Streams a file's lines as bytes with 1-based line numbers, in constant memory.
///
/// Plain and gzip files are both read (zlib detects gzip by its magic bytes, so the name
/// does not matter). A trailing `\r` (CRLF files) is removed; the last line needs no
/// newline. A read error (e.g. a truncated gzip stream) is thrown by `nextLine()`; the
/// `Sequence` conformance stops at the first error and records it in `error`.
public final class LineReader: Sequence, IteratorProtocol {
    public let path: String
    private let file: gzFile
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    public private(set) var lineNumber = 0
    /// Bytes of decompressed input consumed so far (for progress on large files).
    public private(set) var bytesRead = 0
    /// The error that ended iteration through `next()`, if any.
    public private(set) var error: LineReaderError?

    public init(path: String, bufferSize: Int = 1 << 20) throws {
        guard let f = gzopen(path, "rb") else {
            throw LineReaderError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        gzbuffer(f, 1 << 17)
        self.path = path
        self.file = f
        self.buffer = [UInt8](repeating: 0, count: Swift.max(bufferSize, 4096))
    }

    deinit {
        gzclose(file)
    }

    /// The next line (without its terminator) and its 1-based number, or nil at the end.
    public func nextLine() throws -> (number: Int, bytes: [UInt8])? {
        var line: [UInt8] = []
        var sawAny = false
        while true {
            if start == end {
                if atEOF { break }
                try refill()
                if start == end { break }
            }
            sawAny = true
            let found: Int? = buffer.withUnsafeBufferPointer { buf in
                guard let base = buf.baseAddress else { return nil }
                guard let p = memchr(base + start, 0x0A, end - start) else { return nil }
                return UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self) - base
            }
            if let nl = found {
                line.append(contentsOf: buffer[start..<nl])
                start = nl + 1
                return finish(line)
            }
            line.append(contentsOf: buffer[start..<end])
            start = end
        }
        return sawAny ? finish(line) : nil
    }

    public func next() -> (number: Int, bytes: [UInt8])? {
        do {
            return try nextLine()
        } catch let e as LineReaderError {
            error = e
            return nil
        } catch {
            return nil
        }
    }

    private func finish(_ line: [UInt8]) -> (number: Int, bytes: [UInt8]) {
        lineNumber += 1
        var l = line
        if l.last == 0x0D { l.removeLast() }
        return (lineNumber, l)
    }

    private func refill() throws {
        let n = buffer.withUnsafeMutableBytes { raw in
            gzread(file, raw.baseAddress, UInt32(raw.count))
        }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
            throw LineReaderError.readFailed(path: path, line: lineNumber + 1, reason: message)
        }
        if n == 0 {
            atEOF = true
            // zlib reports a truncated gzip stream only through gzerror after EOF.
            var code: Int32 = 0
            _ = gzerror(file, &code)
            if code != Z_OK && code != Z_STREAM_END {
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "unexpected end of gzip stream"
                throw LineReaderError.readFailed(path: path, line: lineNumber + 1, reason: message)
            }
        }
        bytesRead += Int(n)
        start = 0
        end = Int(n)
    }
}

extension LineReader {
    /// Whether a line holds only JSON whitespace (space, tab, CR, LF): the one blank-line
    /// test of every JSON Lines reader, which skips such lines.
    @inlinable
    public static func isBlank<Bytes: Collection>(_ line: Bytes) -> Bool where Bytes.Element == UInt8 {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
    }
}

extension LineReader {
    /// Calls `body` with the number (from 1) and bytes (without the newline) of every
    /// non-blank line of `data`, in order: the in-memory counterpart of reading a file line
    /// by line.
    public static func forEachLine(in data: Data, _ body: (_ number: Int, _ line: Data.SubSequence) throws -> Void) rethrows {
        var number = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            number += 1
            let line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            if !isBlank(line) { try body(number, line) }
        }
    }
}
