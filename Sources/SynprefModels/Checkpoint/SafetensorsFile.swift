import Foundation
import SynprefCore
import SynprefTensor

/// One tensor as declared in a safetensors header, in any dtype.
public struct SafetensorsEntry: Sendable, Hashable {
    public let name: String
    /// The dtype as written in the header ("BF16", "I64", ...).
    public let dtypeName: String
    public let shape: [Int]
    /// Byte range inside the data area (which starts after the 8-byte length and the header).
    public let dataOffsets: Range<Int>

    /// The dtype when Synpref computes with it (F32, BF16, F16); nil for the others.
    public var dtype: DType? { DType(rawValue: dtypeName) }
}

/// A `.safetensors` file, memory-mapped read-only and fully validated when opened: the
/// header length and JSON, every entry's dtype/shape/offsets, shape × dtype size against
/// each byte range, and that the byte ranges tile the data area exactly (in bounds, no
/// overlaps, no holes, as the reference `safetensors` reader requires).
///
/// Tensors are zero-copy views into the mapping, aligned to their element size.
/// F32, BF16 and F16 tensors are served; tensors in other dtypes are listed in `entries`
/// but `tensor(_:)` refuses them with `CheckpointError.unsupportedDType`.
public struct SafetensorsFile: TensorSource {
    /// The reference reader's limit on the header size.
    public static let maxHeaderLength = 100_000_000

    public let url: URL
    /// The header's `__metadata__` (e.g. `["format": "pt"]`); empty when absent.
    public let metadata: [String: String]
    /// Every tensor in the header, whatever its dtype.
    public let entries: [String: SafetensorsEntry]
    /// Names of the tensors with a supported dtype, in file order.
    public let tensorNames: [String]

    private let mapping: MappedFile
    /// Offset of the data area in the file: 8 + header length.
    private let dataStart: Int

    /// Size of the whole file in bytes.
    public var fileSize: Int { mapping.count }

    /// The whole mapped file (8-byte length, header, data); valid while `self` lives.
    public var mappedBytes: UnsafeRawBufferPointer { mapping.bytes }

    /// Offset of the data area in the file (8 + header length).
    public var dataOffset: Int { dataStart }

    /// Maps and validates the file at `url`.
    public init(url: URL) throws(CheckpointError) {
        let path = url.path
        let mapping = try MappedFile(path: path)
        let header = try SafetensorsFile.parseHeader(mapping.bytes, file: path)
        self.url = url
        self.mapping = mapping
        self.metadata = header.metadata
        self.dataStart = header.dataStart
        var entries: [String: SafetensorsEntry] = [:]
        for entry in header.entries { entries[entry.name] = entry }
        self.entries = entries
        self.tensorNames = header.entries.filter { $0.dtype != nil }.map(\.name)
    }

    public func tensor(_ name: String) throws(CheckpointError) -> CheckpointTensor {
        guard let entry = entries[name] else { throw .tensorNotFound(file: url.path, tensor: name) }
        guard let dtype = entry.dtype else {
            throw .unsupportedDType(file: url.path, tensor: name, dtype: entry.dtypeName)
        }
        // In bounds: parseHeader checked dataStart + upperBound <= file size.
        let start = dataStart + entry.dataOffsets.lowerBound
        let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(start + entry.dataOffsets.count)])
        if let base = bytes.baseAddress, Int(bitPattern: base) % dtype.byteSize != 0 {
            let copy = AlignedCopy(copying: bytes, alignment: dtype.byteSize)
            return CheckpointTensor(name: name, dtype: dtype, shape: entry.shape, bytes: copy.bytes, owner: copy)
        }
        return CheckpointTensor(name: name, dtype: dtype, shape: entry.shape, bytes: bytes, owner: mapping)
    }

    // MARK: - Header

    struct Header {
        var metadata: [String: String]
        /// Sorted by data offset.
        var entries: [SafetensorsEntry]
        var dataStart: Int
    }

    /// Parses and validates the header of the safetensors file whose bytes are `file`.
    static func parseHeader(_ file: UnsafeRawBufferPointer, file path: String) throws(CheckpointError) -> Header {
        guard file.count >= 8 else { throw .fileTooShort(file: path, size: file.count) }
        var length: UInt64 = 0
        for index in (0..<8).reversed() { length = length << 8 | UInt64(file[index]) }
        guard length <= UInt64(maxHeaderLength) else {
            throw .headerTooLarge(file: path, headerLength: length, limit: maxHeaderLength)
        }
        let headerLength = Int(length)  // <= 100 MB: fits
        guard headerLength <= file.count - 8 else {
            throw .headerOutOfBounds(file: path, headerLength: length, fileSize: file.count)
        }
        let dataStart = 8 + headerLength
        let headerBytes = UnsafeRawBufferPointer(rebasing: file[8..<dataStart])
        guard headerBytes.first == UInt8(ascii: "{") else {
            if headerBytes.isEmpty {
                throw .headerNotAnObject(file: path, found: "an empty header")
            }
            // Say what it is when it parses (e.g. an array), else report the JSON error.
            let found: String
            do { found = try JSONParser.parse(headerBytes).kindDescription } catch {
                throw .invalidHeaderJSON(file: path, detail: error.description)
            }
            throw .headerNotAnObject(file: path, found: found)
        }
        let json: JSONValue
        do { json = try JSONParser.parse(headerBytes) } catch {
            throw .invalidHeaderJSON(file: path, detail: error.description)
        }
        guard case .object(let object) = json else {
            throw .headerNotAnObject(file: path, found: json.kindDescription)
        }

        var metadata: [String: String] = [:]
        var entries: [SafetensorsEntry] = []
        entries.reserveCapacity(object.count)
        for key in object.keys {
            guard let value = object[key] else { continue }
            if key == "__metadata__" {
                metadata = try parseMetadata(value, file: path)
            } else {
                entries.append(try parseEntry(name: key, value, file: path))
            }
        }

        // The byte ranges must tile the data area: in bounds, no overlap, no hole.
        entries.sort {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
                < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        let dataSize = file.count - dataStart
        var covered = 0
        var previous: String?
        for entry in entries {
            let range = entry.dataOffsets
            guard range.upperBound <= dataSize else {
                throw .offsetsOutOfBounds(
                    file: path, tensor: entry.name, begin: range.lowerBound, end: range.upperBound, dataSize: dataSize)
            }
            if range.lowerBound < covered {
                throw .overlappingTensors(file: path, tensor: entry.name, other: previous ?? "")
            }
            if range.lowerBound > covered {
                throw .unindexedBytes(file: path, begin: covered, end: range.lowerBound)
            }
            covered = range.upperBound
            previous = entry.name
        }
        if covered != dataSize {
            throw .unindexedBytes(file: path, begin: covered, end: dataSize)
        }
        return Header(metadata: metadata, entries: entries, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws(CheckpointError) -> [String: String] {
        if value.isNull { return [:] }
        guard case .object(let object) = value else {
            throw .invalidMetadata(file: file, detail: "expected an object of strings, found \(value.kindDescription)")
        }
        var metadata: [String: String] = [:]
        for key in object.keys {
            guard let string = object[key]?.stringValue else {
                throw .invalidMetadata(
                    file: file,
                    detail: "value of \"\(key)\" must be a string, found \(object[key]?.kindDescription ?? "nothing")")
            }
            metadata[key] = string
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: JSONValue, file: String) throws(CheckpointError) -> SafetensorsEntry {
        func invalid(_ detail: String) -> CheckpointError { .invalidTensorEntry(file: file, tensor: name, detail: detail) }
        guard case .object(let object) = value else {
            throw invalid("expected an object with dtype, shape and data_offsets, found \(value.kindDescription)")
        }
        guard let dtypeValue = object["dtype"] else { throw invalid("missing \"dtype\"") }
        guard let dtypeName = dtypeValue.stringValue else {
            throw invalid("\"dtype\" must be a string, found \(dtypeValue.kindDescription)")
        }
        guard let bits = SafetensorsDType.bitsPerElement[dtypeName] else {
            throw .unknownDType(file: file, tensor: name, dtype: dtypeName)
        }

        guard let shapeValue = object["shape"] else { throw invalid("missing \"shape\"") }
        guard let dims = shapeValue.arrayValue else {
            throw invalid("\"shape\" must be an array of integers, found \(shapeValue.kindDescription)")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dims.count)
        for (axis, dim) in dims.enumerated() {
            guard let size = dim.exactInt, size >= 0 else {
                throw invalid("shape[\(axis)] must be a non-negative integer, found \(describe(dim))")
            }
            shape.append(size)
        }

        guard let offsetsValue = object["data_offsets"] else { throw invalid("missing \"data_offsets\"") }
        guard let offsets = offsetsValue.arrayValue, offsets.count == 2 else {
            throw invalid("\"data_offsets\" must be an array [begin, end], found \(describe(offsetsValue))")
        }
        guard let begin = offsets[0].exactInt, begin >= 0 else {
            throw invalid("data_offsets begin must be a non-negative integer, found \(describe(offsets[0]))")
        }
        guard let end = offsets[1].exactInt, end >= 0 else {
            throw invalid("data_offsets end must be a non-negative integer, found \(describe(offsets[1]))")
        }
        guard begin <= end else { throw invalid("data_offsets [\(begin), \(end)] end before they begin") }

        var elements = 1
        for size in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            if overflow { throw .shapeOverflow(file: file, tensor: name, shape: shape) }
            elements = product
        }
        guard let totalBits = SafetensorsDType.bitCount(elements: elements, bits: bits) else {
            throw .shapeOverflow(file: file, tensor: name, shape: shape)
        }
        guard totalBits % 8 == 0 else {
            throw invalid("\(elements) elements of \(dtypeName) (\(bits) bits each) are not a whole number of bytes")
        }
        guard totalBits / 8 == end - begin else {
            throw .byteSizeMismatch(
                file: file, tensor: name, dtype: dtypeName, shape: shape, expectedBytes: totalBits / 8,
                actualBytes: end - begin)
        }
        return SafetensorsEntry(name: name, dtypeName: dtypeName, shape: shape, dataOffsets: begin..<end)
    }

    /// A JSON value for an error message.
    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .bool, .object: return value.kindDescription
        default: return value.shortDescription
        }
    }
}
