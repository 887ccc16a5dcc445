/// Unsigned LEB128 varints (7 bits per byte, low first), as Thrift's compact protocol, the
/// RLE/bit-packed hybrid's run headers and DELTA_BINARY_PACKED use them; and the zigzag
/// mapping of signed values onto them.
enum ULEB128 {
    static func read(_ bytes: UnsafeRawBufferPointer, at position: inout Int, end: Int, what: String) throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetFault("\(what) ends inside a varint (at byte \(position))") }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetFault("\(what): a varint longer than 10 bytes") }
        }
    }

    static func zigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }
}
