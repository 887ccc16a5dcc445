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
            return "\(path):\(line): read failed (\(reason))."
        }
    }
}

/// Streams a file's lines as bytes with 1-based line numbers, in constant memory.
///
/// A trailing `\r` (CRLF files) is removed; the final line needs no newline.
public final class LineReader: Sequence, IteratorProtocol {
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>? = nil
    private var capacity: Int = 0
    public private(set) var lineNumber = 0

    public init(path: String) throws {
        guard let f = fopen(path, "rb") else {
            throw LineReaderError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.file = f
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line (without its line terminator) and its 1-based number, or nil at end.
    public func next() -> (number: Int, bytes: [UInt8])? {
        let n = getline(&buffer, &capacity, file)
        guard n >= 0, let buffer else { return nil }
        lineNumber += 1
        var length = n
        if length > 0 && buffer[length - 1] == 0x0A { length -= 1 }
        if length > 0 && buffer[length - 1] == 0x0D { length -= 1 }
        let bytes = buffer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
        return (lineNumber, bytes)
    }
}
