/// Parquet's RLE / bit-packed hybrid encoding (levels, dictionary indices, RLE booleans):
/// runs of `header >> 1` repeats of one value when the header's low bit is 0, else
/// `header >> 1` groups of eight values bit-packed at `bitWidth` bits, least significant
/// bit first.
struct RLEHybridDecoder {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int
    let bitWidth: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, bitWidth: Int) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetFault("bit width \(bitWidth) is not between 0 and 32") }
        guard start >= 0, end <= bytes.count, start <= end else { throw ParquetFault("encoded run outside its page") }
        self.bytes = bytes
        self.position = start
        self.end = end
        self.bitWidth = bitWidth
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end else { throw ParquetFault("run header ends early") }
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw ParquetFault("run header longer than 10 bytes") }
        }
    }

    /// Decodes `count` values into `out`.
    mutating func decode(_ count: Int, into out: inout [UInt32]) throws {
        out.reserveCapacity(out.count + count)
        var left = count
        let mask: UInt64 = bitWidth == 32 ? 0xffff_ffff : (1 << UInt64(bitWidth)) - 1
        while left > 0 {
            if bitWidth == 0 {
                // Every value is 0 (a column with one level only); no bytes are needed.
                out.append(contentsOf: repeatElement(0, count: left))
                return
            }
            let header = try varint()
            if header & 1 == 0 {
                let run = Int(clamping: header >> 1)
                guard run > 0 else { throw ParquetFault("empty RLE run") }
                let width = (bitWidth + 7) / 8
                guard position + width <= end else { throw ParquetFault("RLE run value past the end of its data") }
                var v: UInt64 = 0
                for i in 0..<width { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
                position += width
                let n = min(run, left)
                out.append(contentsOf: repeatElement(UInt32(truncatingIfNeeded: v & mask), count: n))
                left -= n
            } else {
                let groups = Int(clamping: header >> 1)
                let values = groups &* 8
                let byteCount = groups &* bitWidth
                guard groups > 0, groups < 1 << 28, position + byteCount <= end else {
                    // The last run may be cut short by the page end when padding was not written.
                    throw ParquetFault("bit-packed run of \(groups) groups past the end of its data")
                }
                var bitPosition = 0
                let base = position
                let n = min(values, left)
                for _ in 0..<n {
                    var v: UInt64 = 0
                    var got = 0
                    while got < bitWidth {
                        let byteIndex = base + (bitPosition >> 3)
                        let offset = bitPosition & 7
                        let take = min(8 - offset, bitWidth - got)
                        let bits = (UInt64(bytes[byteIndex]) >> UInt64(offset)) & ((1 << UInt64(take)) - 1)
                        v |= bits << UInt64(got)
                        got += take
                        bitPosition += take
                    }
                    out.append(UInt32(truncatingIfNeeded: v))
                }
                position += byteCount
                left -= n
            }
        }
    }
}

/// Bit-packed little-endian unsigned integers (DELTA_BINARY_PACKED miniblocks, PLAIN booleans).
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
