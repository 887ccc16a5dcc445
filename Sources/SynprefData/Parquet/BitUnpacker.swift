/// Bit-packed little-endian unsigned integers, least significant bit first (runs of the
/// RLE/bit-packed hybrid, DELTA_BINARY_PACKED miniblocks).
enum BitUnpacker {
    static func unpack(_ bytes: UnsafeRawBufferPointer, at start: Int, count: Int, bitWidth: Int, into out: inout [UInt64]) throws {
        guard bitWidth >= 0 && bitWidth <= 64 else { throw ParquetFault("bit width \(bitWidth) is not between 0 and 64") }
        let needed = (count * bitWidth + 7) / 8
        guard start >= 0, start + needed <= bytes.count else { throw ParquetFault("bit-packed values past the end of their data") }
        var bitPosition = 0
        for _ in 0..<count {
            var v: UInt64 = 0, got = 0
            while got < bitWidth {
                let offset = bitPosition & 7
                let take = min(8 - offset, bitWidth - got)
                let bits = (UInt64(bytes[start + (bitPosition >> 3)]) >> UInt64(offset)) & ((UInt64(1) << UInt64(take)) - 1)
                v |= bits << UInt64(got)
                got += take
                bitPosition += take
            }
            out.append(v)
        }
    }
}
