import Foundation
import SynprefCore

/// A leaf column's values as JSON: the physical type read with the encoding of its page and
/// shown as its logical type says (UTF-8 strings, signed or unsigned integers, floats,
/// booleans; other binaries as `{"$bytes_hex": "…"}`).
struct ParquetLeafType: Sendable {
    var physical: ParquetPhysicalType
    var typeLength: Int
    var isString: Bool
    var isUnsigned: Bool
}

enum ParquetValueDecoder {
    static func decode(_ encoding: Int32, _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, count: Int, type: ParquetLeafType,
                       dictionary: [JSONValue]?) throws -> [JSONValue] {
        guard let e = ParquetEncoding(rawValue: encoding) else { throw ParquetFault("unknown value encoding \(encoding)") }
        guard start >= 0, start <= end, end <= bytes.count else { throw ParquetFault("values outside their page") }
        switch e {
        case .plain: return try plain(bytes, from: start, to: end, count: count, type: type)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else { throw ParquetFault("dictionary-encoded values without a dictionary page") }
            guard start < end else {
                if count == 0 { return [] }
                throw ParquetFault("dictionary indices missing")
            }
            var d = try RLEHybridDecoder(bytes, from: start + 1, to: end, bitWidth: Int(bytes[start]))
            var indices: [UInt32] = []
            try d.decode(count, into: &indices)
            return try indices.map { i in
                guard Int(i) < dictionary.count else { throw ParquetFault("dictionary index \(i) past the dictionary's \(dictionary.count) values") }
                return dictionary[Int(i)]
            }
        case .rle:
            guard type.physical == .boolean else { throw ParquetFault("RLE values are only defined for booleans") }
            guard end - start >= 4 else { throw ParquetFault("RLE boolean data without its length") }
            let length = Int(UInt32(littleEndianBytes: bytes, at: start))
            guard start + 4 + length <= end else { throw ParquetFault("RLE boolean data longer than its page") }
            var d = try RLEHybridDecoder(bytes, from: start + 4, to: start + 4 + length, bitWidth: 1)
            var values: [UInt32] = []
            try d.decode(count, into: &values)
            return values.map { .bool($0 != 0) }
        case .deltaBinaryPacked:
            guard type.physical == .int32 || type.physical == .int64 else { throw ParquetFault("DELTA_BINARY_PACKED on a non-integer column") }
            var position = start
            let ints = try deltaBinaryPacked(bytes, position: &position, end: end)
            guard ints.count >= count else { throw ParquetFault("DELTA_BINARY_PACKED page holds \(ints.count) values, \(count) expected") }
            return ints.prefix(count).map { integer($0, type) }
        case .deltaLengthByteArray:
            guard type.physical == .byteArray else { throw ParquetFault("DELTA_LENGTH_BYTE_ARRAY on a non-binary column") }
            var position = start
            let lengths = try deltaBinaryPacked(bytes, position: &position, end: end)
            var out: [JSONValue] = []
            out.reserveCapacity(count)
            for n in lengths.prefix(count) {
                guard n >= 0, position + Int(n) <= end else { throw ParquetFault("a DELTA_LENGTH_BYTE_ARRAY value runs past its page") }
                out.append(try binary(bytes, position, Int(n), type))
                position += Int(n)
            }
            guard out.count == count else { throw ParquetFault("DELTA_LENGTH_BYTE_ARRAY page holds \(out.count) values, \(count) expected") }
            return out
        case .deltaByteArray:
            guard type.physical == .byteArray || type.physical == .fixedLenByteArray else { throw ParquetFault("DELTA_BYTE_ARRAY on a non-binary column") }
            var position = start
            let prefixes = try deltaBinaryPacked(bytes, position: &position, end: end)
            let suffixLengths = try deltaBinaryPacked(bytes, position: &position, end: end)
            guard prefixes.count >= count, suffixLengths.count >= count else { throw ParquetFault("DELTA_BYTE_ARRAY page holds too few values") }
            var previous: [UInt8] = []
            var out: [JSONValue] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                let p = Int(prefixes[i]), n = Int(suffixLengths[i])
                guard p >= 0, p <= previous.count, n >= 0, position + n <= end else { throw ParquetFault("a DELTA_BYTE_ARRAY value is inconsistent with the previous one") }
                var value = Array(previous[0..<p])
                value.append(contentsOf: bytes[position..<(position + n)])
                position += n
                out.append(try binaryValue(value, type))
                previous = value
            }
            return out
        case .byteStreamSplit:
            let width: Int
            switch type.physical {
            case .float, .int32: width = 4
            case .double, .int64: width = 8
            case .fixedLenByteArray: width = type.typeLength
            default: throw ParquetFault("BYTE_STREAM_SPLIT on a \(type.physical) column")
            }
            guard width > 0, count * width <= end - start else { throw ParquetFault("BYTE_STREAM_SPLIT page holds fewer than \(count) values") }
            var out: [JSONValue] = []
            out.reserveCapacity(count)
            var value = [UInt8](repeating: 0, count: width)
            for i in 0..<count {
                for k in 0..<width { value[k] = bytes[start + k * count + i] }
                out.append(try value.withUnsafeBytes { try plain($0, from: 0, to: width, count: 1, type: type)[0] })
            }
            return out
        case .bitPacked:
            throw ParquetFault("the deprecated BIT_PACKED encoding is not supported for values")
        }
    }

    static func plain(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, count: Int, type: ParquetLeafType) throws -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(count)
        var p = start
        func need(_ n: Int) throws {
            guard n >= 0, p + n <= end else { throw ParquetFault("PLAIN values run past the end of their page (\(count) expected)") }
        }
        switch type.physical {
        case .boolean:
            try need((count + 7) / 8)
            for i in 0..<count { out.append(.bool((bytes[p + i / 8] >> UInt8(i % 8)) & 1 == 1)) }
        case .int32:
            try need(4 * count)
            for i in 0..<count {
                let v = UInt32(littleEndianBytes: bytes, at: p + 4 * i)
                out.append(type.isUnsigned ? .integer(Int(v)) : .integer(Int(Int32(bitPattern: v))))
            }
        case .int64:
            try need(8 * count)
            for i in 0..<count { out.append(integer(Int64(bitPattern: UInt64(littleEndianBytes: bytes, at: p + 8 * i)), type)) }
        case .float:
            try need(4 * count)
            for i in 0..<count { out.append(.double(Double(Float(bitPattern: UInt32(littleEndianBytes: bytes, at: p + 4 * i))))) }
        case .double:
            try need(8 * count)
            for i in 0..<count { out.append(.double(Double(bitPattern: UInt64(littleEndianBytes: bytes, at: p + 8 * i)))) }
        case .byteArray:
            for _ in 0..<count {
                try need(4)
                let n = Int(UInt32(littleEndianBytes: bytes, at: p))
                p += 4
                try need(n)
                out.append(try binary(bytes, p, n, type))
                p += n
            }
        case .fixedLenByteArray:
            let n = type.typeLength
            try need(n * count)
            for i in 0..<count { out.append(try binary(bytes, p + n * i, n, type)) }
        case .int96:
            throw ParquetFault("INT96 (legacy timestamp) columns are not supported; select other columns")
        }
        return out
    }

    static func integer(_ v: Int64, _ type: ParquetLeafType) -> JSONValue {
        if type.physical == .int32 {
            let x = Int32(truncatingIfNeeded: v)
            return type.isUnsigned ? .integer(Int(UInt32(bitPattern: x))) : .integer(Int(x))
        }
        if type.isUnsigned && v < 0 { return .double(Double(UInt64(bitPattern: v))) }
        return .integer(Int(v))
    }

    static func binary(_ bytes: UnsafeRawBufferPointer, _ at: Int, _ n: Int, _ type: ParquetLeafType) throws -> JSONValue {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)])
        if type.isString {
            guard let s = String(validating: slice, as: UTF8.self) else { throw ParquetFault("a string value is not valid UTF-8") }
            return .string(s)
        }
        return try binaryValue(Array(slice), type)
    }

    static func binaryValue(_ b: [UInt8], _ type: ParquetLeafType) throws -> JSONValue {
        if type.isString {
            guard let s = String(validating: b, as: UTF8.self) else { throw ParquetFault("a string value is not valid UTF-8") }
            return .string(s)
        }
        return .object(["$bytes_hex": .string(SHA256.hexString(b))])
    }

    /// DELTA_BINARY_PACKED: a header (block size, miniblocks per block, value count, first
    /// value), then blocks of (min delta, bit widths, bit-packed miniblocks).
    static func deltaBinaryPacked(_ bytes: UnsafeRawBufferPointer, position: inout Int, end: Int) throws -> [Int64] {
        func varint() throws -> UInt64 { try ULEB128.read(bytes, at: &position, end: end, what: "DELTA_BINARY_PACKED data") }
        func zigzag() throws -> Int64 { ULEB128.zigzag(try varint()) }
        let blockSize = Int(clamping: try varint())
        let miniblocks = Int(clamping: try varint())
        let total = Int(clamping: try varint())
        var previous = try zigzag()
        guard blockSize > 0, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0, (blockSize / miniblocks) % 32 == 0 else {
            throw ParquetFault("DELTA_BINARY_PACKED header is malformed (block \(blockSize), miniblocks \(miniblocks))")
        }
        guard total <= (end - position + 1) * 64 + 1 else { throw ParquetFault("DELTA_BINARY_PACKED claims \(total) values, more than its bytes can hold") }
        var out: [Int64] = []
        out.reserveCapacity(total)
        if total == 0 { return out }
        out.append(previous)
        let perMiniblock = blockSize / miniblocks
        var deltas: [UInt64] = []
        while out.count < total {
            let minDelta = try zigzag()
            guard position + miniblocks <= end else { throw ParquetFault("DELTA_BINARY_PACKED bit widths past the end") }
            let widths = (0..<miniblocks).map { Int(bytes[position + $0]) }
            position += miniblocks
            for w in widths {
                guard out.count < total else { break }
                deltas.removeAll(keepingCapacity: true)
                try BitUnpacker.unpack(bytes, at: position, count: perMiniblock, bitWidth: w, into: &deltas)
                position += perMiniblock * w / 8
                for d in deltas {
                    guard out.count < total else { break }
                    previous = previous &+ minDelta &+ Int64(bitPattern: d)
                    out.append(previous)
                }
            }
        }
        return out
    }
}

extension UInt32 {
    init(littleEndianBytes b: UnsafeRawBufferPointer, at i: Int) {
        self = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}

extension UInt64 {
    init(littleEndianBytes b: UnsafeRawBufferPointer, at i: Int) {
        self = UInt64(UInt32(littleEndianBytes: b, at: i)) | UInt64(UInt32(littleEndianBytes: b, at: i + 4)) << 32
    }
}
