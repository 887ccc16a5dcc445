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

    private mutating func varint() throws -> UInt64 { try ULEB128.read(bytes, at: &position, end: end, what: "an RLE run header") }

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
                    throw ParquetFault("bit-packed run of \(groups) groups past the end of its data")
                }
                let n = min(values, left)
                var unpacked: [UInt64] = []
                try BitUnpacker.unpack(bytes, at: position, count: n, bitWidth: bitWidth, into: &unpacked)
                for v in unpacked { out.append(UInt32(truncatingIfNeeded: v)) }
                position += byteCount
                left -= n
            }
        }
    }
}
