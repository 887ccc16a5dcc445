import Foundation
import SynprefModels

/// A float32 matrix in NumPy's `.npy` format (version 1–3, `'<f4'`, C order, 2-D), the
/// file faiss and NumPy users already have: `synpref embed --output X.npy` writes one and
/// `synpref retrieve` reads it memory-mapped, so a corpus larger than RAM is searched
/// tile by tile with the kernel paging it in and out. Row ids come from a sibling
/// `X.npy.ids.jsonl` (one JSON string per line) when present, else the row numbers.
public final class NpyMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    private let file: MappedFile
    private let offset: Int

    public static func isNpy(path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 6)) == Data([0x93] + Array("NUMPY".utf8))
    }

    public init(path: String) throws {
        file = try MappedFile(path: path)
        let b = file.bytes
        func bad(_ reason: String) -> EmbeddingError { .invalid(file: path, field: "(npy header)", reason: reason) }
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else { throw bad("not a .npy file") }
        let major = b[6]
        let headerLength: Int, start: Int
        switch major {
        case 1: headerLength = Int(b[8]) | Int(b[9]) << 8; start = 10
        case 2, 3:
            guard b.count >= 12 else { throw bad("truncated") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            start = 12
        default: throw bad("format version \(major) is not supported")
        }
        guard start + headerLength <= b.count else { throw bad("truncated header") }
        let header = String(decoding: b[start..<(start + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f4'") || header.contains("\"descr\": \"<f4\"") else {
            throw bad("dtype is not little-endian float32 ('<f4'): \(header.trimmingCharacters(in: .whitespacesAndNewlines)); save with arr.astype(np.float32)")
        }
        guard header.contains("'fortran_order': False") else { throw bad("Fortran order is not supported; save a C-ordered array") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw bad("no shape in the header")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw bad("shape \(dims) is not 2-D (rows, dimension)") }
        rows = dims[0]
        columns = dims[1]
        offset = start + headerLength
        guard offset + rows * columns * 4 <= b.count else {
            throw bad("the file holds \(b.count - offset) data bytes, \(rows) x \(columns) float32 need \(rows * columns * 4)")
        }
        guard offset % 4 == 0 else { throw bad("data is not 4-byte aligned") }
    }

    /// The matrix's values, row-major, straight from the mapping.
    public var values: UnsafeBufferPointer<Float> {
        guard let base = file.base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: Float.self), count: rows * columns)
    }

    /// Writes `values` ([rows × columns], row-major) as a version 1.0 `.npy` file.
    public static func write(_ values: [Float], rows: Int, columns: Int, to path: String) throws {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = header.utf8.count
        data.append(contentsOf: [UInt8(n & 0xff), UInt8(n >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw EmbeddingError.unreadable(file: path, reason: "cannot write (\(error.localizedDescription))")
        }
    }
}
