import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How records are laid out in a file.
public enum JSONRecordLayout: String, Sendable, CaseIterable {
    /// JSON Lines: one value per line; blank lines are skipped.
    case lines
    /// One top-level JSON array whose elements are the records.
    case array
    /// Apache Parquet rows (SynprefData's `ParquetFileReader`), one record per row.
    case parquet
}

/// One record's raw JSON bytes and where it starts (1-based line of its first byte;
/// `index` counts records from 0).
public struct JSONRecord: Sendable {
    public var line: Int
    public var index: Int
    public var bytes: [UInt8]

    public init(line: Int, index: Int, bytes: [UInt8]) {
        self.line = line
        self.index = index
        self.bytes = bytes
    }

    /// Parses the record; a `JSONError`'s line is relative to the record (1 = `line`).
    public func parse(maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONError) -> JSONValue {
        try JSONParser.parse(bytes, maxDepth: maxDepth)
    }

    /// The file line of a parse error inside this record.
    public func fileLine(of error: JSONError) -> Int { line + error.line - 1 }
}

public enum JSONRecordReaderError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotOpen(path: String, reason: String)
    case readFailed(path: String, line: Int, reason: String)
    /// The array structure around the records is broken (records themselves are checked by
    /// `JSONRecord.parse`). The reader cannot continue past this.
    case malformedArray(path: String, line: Int, reason: String)
    case recordTooLarge(path: String, line: Int, limit: Int)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open (\(reason)). Check the path and its permissions."
        case .readFailed(let path, let line, let reason):
            return "\(path):\(line): read failed (\(reason)). The file may be truncated or not valid gzip."
        case .malformedArray(let path, let line, let reason):
            return "\(path):\(line): \(reason). A JSON-array file must be one array of records; use JSON Lines for one record per line."
        case .recordTooLarge(let path, let line, let limit):
            return "\(path):\(line): record larger than \(limit) bytes; split the file or raise the limit."
        }
    }
}

/// Streams the records of a JSON Lines file or of a file holding one JSON array, plain or
/// gzip-compressed (detected by content), in memory bounded by the largest record.
///
/// The layout is detected from the first non-whitespace byte (`[` means an array) unless
/// given. A UTF-8 byte order mark at the start is skipped. Array elements are found by a
/// scanner that tracks strings and nesting; each element is then parsed on its own, so a
/// huge array never has to fit in memory.
public final class JSONRecordReader {
    public let path: String
    public private(set) var layout: JSONRecordLayout
    public let maxRecordBytes: Int

    private let file: gzFile
    private var buf: [UInt8]
    private var start = 0  // first unconsumed byte
    private var end = 0  // end of valid bytes
    private var eof = false
    private var line = 1  // line of buf[start]
    private var recordIndex = 0
    private var arrayState: ArrayState = .expectOpen
    /// Decompressed bytes consumed so far.
    public private(set) var bytesRead = 0

    private enum ArrayState { case expectOpen, expectElementOrClose, expectElement, afterElement, closed }

    public init(path: String, layout: JSONRecordLayout? = nil, maxRecordBytes: Int = 256 << 20, bufferSize: Int = 1 << 20) throws {
        guard let f = gzopen(path, "rb") else {
            throw JSONRecordReaderError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        gzbuffer(f, 1 << 17)
        self.path = path
        self.file = f
        self.maxRecordBytes = maxRecordBytes
        self.buf = [UInt8](repeating: 0, count: Swift.max(bufferSize, 4096))
        self.layout = layout ?? .lines
        try fill()
        // Skip a UTF-8 byte order mark.
        if end - start >= 3 && buf[start] == 0xEF && buf[start + 1] == 0xBB && buf[start + 2] == 0xBF { start += 3 }
        if layout == nil {
            while true {
                while start < end, JSONRecordReader.isSpace(buf[start]) {
                    if buf[start] == 0x0A { line += 1 }
                    start += 1
                }
                if start < end || eof { break }
                try fill()
            }
            if start < end && buf[start] == UInt8(ascii: "[") { self.layout = .array }
        }
    }

    deinit { gzclose(file) }

    /// Position in the underlying (possibly compressed) file, for progress against its size.
    public var fileOffset: Int { Int(gzoffset(file)) }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// Moves unconsumed bytes to the front and reads more; grows the buffer when full.
    private func fill() throws {
        if eof { return }
        if start > 0 {
            let n = end - start
            if n > 0 {
                buf.withUnsafeMutableBytes { raw in
                    guard let b = raw.baseAddress else { return }
                    memmove(b, b + start, n)
                }
            }
            end = n
            start = 0
        }
        if end == buf.count {
            guard buf.count < maxRecordBytes else {
                throw JSONRecordReaderError.recordTooLarge(path: path, line: line, limit: maxRecordBytes)
            }
            buf.append(contentsOf: [UInt8](repeating: 0, count: Swift.min(buf.count, maxRecordBytes - buf.count + 1)))
        }
        let n = buf.withUnsafeMutableBytes { raw in
            gzread(file, raw.baseAddress! + end, UInt32(raw.count - end))
        }
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(file, &code).map { String(cString: $0) } ?? "unknown zlib error"
            throw JSONRecordReaderError.readFailed(path: path, line: line, reason: message)
        }
        if n == 0 {
            eof = true
            var code: Int32 = 0
            _ = gzerror(file, &code)
            if code != Z_OK && code != Z_STREAM_END {
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "unexpected end of gzip stream"
                throw JSONRecordReaderError.readFailed(path: path, line: line, reason: message)
            }
        }
        end += Int(n)
        bytesRead += Int(n)
    }

    /// The next record, or nil at the end of the file.
    public func next() throws -> JSONRecord? {
        switch layout {
        case .lines: return try nextLine()
        case .array: return try nextElement()
        case .parquet: throw JSONRecordReaderError.cannotOpen(path: path, reason: "a Parquet file is read by SynprefData's ParquetFileReader, not as JSON")
        }
    }

    // MARK: JSON Lines

    private func nextLine() throws -> JSONRecord? {
        while true {
            var searchFrom = start
            var newline: Int? = nil
            while true {
                newline = buf.withUnsafeBytes { raw -> Int? in
                    guard let b = raw.baseAddress, end > searchFrom,
                        let p = memchr(b + searchFrom, 0x0A, end - searchFrom)
                    else { return nil }
                    return UnsafeRawPointer(p) - b
                }
                if newline != nil || eof { break }
                let consumed = searchFrom - start
                try fill()
                searchFrom = start + consumed
            }
            let lineEnd = newline ?? end
            if newline == nil && start == end { return nil }
            var stop = lineEnd
            if stop > start && buf[stop - 1] == 0x0D { stop -= 1 }
            let thisLine = line
            let recordStart = start
            start = newline.map { $0 + 1 } ?? end
            line += 1
            if LineReader.isBlank(buf[recordStart..<stop]) { continue }
            guard stop - recordStart <= maxRecordBytes else {
                throw JSONRecordReaderError.recordTooLarge(path: path, line: thisLine, limit: maxRecordBytes)
            }
            defer { recordIndex += 1 }
            return JSONRecord(line: thisLine, index: recordIndex, bytes: Array(buf[recordStart..<stop]))
        }
    }

    // MARK: JSON array

    /// Skips whitespace (counting lines); returns the next byte without consuming it, or nil at EOF.
    private func peekNonSpace() throws -> UInt8? {
        while true {
            while start < end {
                let b = buf[start]
                if !JSONRecordReader.isSpace(b) { return b }
                if b == 0x0A { line += 1 }
                start += 1
            }
            if eof { return nil }
            try fill()
        }
    }

    private func malformed(_ reason: String) -> JSONRecordReaderError {
        .malformedArray(path: path, line: line, reason: reason)
    }

    private func nextElement() throws -> JSONRecord? {
        while true {
            switch arrayState {
            case .closed:
                if let b = try peekNonSpace() {
                    throw malformed("unexpected \(JSONError.describe(b)) after the closing ']' of the array")
                }
                return nil
            case .expectOpen:
                guard let b = try peekNonSpace() else { throw malformed("empty file; expected '['") }
                guard b == UInt8(ascii: "[") else { throw malformed("expected '[' to open the array, found \(JSONError.describe(b))") }
                start += 1
                arrayState = .expectElementOrClose
            case .expectElementOrClose, .expectElement:
                guard let b = try peekNonSpace() else { throw malformed("unexpected end of file inside the array; expected a record or ']'") }
                if b == UInt8(ascii: "]") {
                    if arrayState == .expectElement { throw malformed("trailing ',' before ']'") }
                    start += 1
                    arrayState = .closed
                    continue
                }
                let record = try scanElement()
                arrayState = .afterElement
                return record
            case .afterElement:
                guard let b = try peekNonSpace() else { throw malformed("unexpected end of file inside the array; expected ',' or ']'") }
                if b == UInt8(ascii: ",") {
                    start += 1
                    arrayState = .expectElement
                } else if b == UInt8(ascii: "]") {
                    start += 1
                    arrayState = .closed
                } else {
                    throw malformed("expected ',' or ']' after a record, found \(JSONError.describe(b))")
                }
            }
        }
    }

    /// Collects one element starting at `start` (non-space). Ends after its closing bracket
    /// or quote, or before the delimiter that ends a bare scalar.
    private func scanElement() throws -> JSONRecord {
        let firstLine = line
        var depth = 0
        var inString = false
        var escape = false
        var scan = start
        var newlines = 0
        scanning: while true {
            if scan >= end {
                if eof {
                    if depth == 0 && !inString { break scanning }  // a bare scalar at EOF; the array check reports the missing ']'
                    line = firstLine
                    throw malformed("unexpected end of file inside a record that starts here")
                }
                let offset = scan - start
                try fill()
                scan = start + offset
                continue
            }
            let b = buf[scan]
            if b == 0x0A { newlines += 1 }
            if inString {
                if escape {
                    escape = false
                } else if b == UInt8(ascii: "\\") {
                    escape = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 {
                        scan += 1
                        break scanning
                    }
                }
            } else {
                switch b {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { break scanning }
                    depth -= 1
                    if depth == 0 {
                        scan += 1
                        break scanning
                    }
                case UInt8(ascii: ","), 0x20, 0x09, 0x0A, 0x0D:
                    if depth == 0 {
                        if b == 0x0A { newlines -= 1 }  // counted again when skipped as whitespace
                        break scanning
                    }
                default:
                    break
                }
            }
            scan += 1
            if scan - start > maxRecordBytes {
                throw JSONRecordReaderError.recordTooLarge(path: path, line: firstLine, limit: maxRecordBytes)
            }
        }
        let record = JSONRecord(line: firstLine, index: recordIndex, bytes: Array(buf[start..<scan]))
        recordIndex += 1
        line += newlines
        start = scan
        return record
    }
}
