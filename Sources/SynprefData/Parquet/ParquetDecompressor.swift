import CSnappy
import CZlib
import CZstd

/// A page's bytes as written: UNCOMPRESSED, SNAPPY (libsnappy), GZIP (zlib) or ZSTD
/// (libzstd), checked against the size the page header promises.
enum ParquetDecompressor {
    static func decompress(_ codec: Int32, _ input: UnsafeRawBufferPointer, expected: Int) throws -> [UInt8] {
        guard let c = ParquetCodec(rawValue: codec) else { throw ParquetFault("unknown compression codec \(codec)") }
        guard expected >= 0, expected <= 1 << 31 else { throw ParquetFault("a page claims \(expected) bytes uncompressed") }
        if expected == 0 { return [] }
        var out = [UInt8](repeating: 0, count: expected)
        switch c {
        case .uncompressed:
            guard input.count == expected else { throw ParquetFault("an uncompressed page holds \(input.count) bytes, its header says \(expected)") }
            out.withUnsafeMutableBytes { $0.copyMemory(from: input) }
        case .snappy:
            guard let base = input.baseAddress?.assumingMemoryBound(to: CChar.self) else { throw ParquetFault("an empty SNAPPY page") }
            var length = 0
            guard snappy_uncompressed_length(base, input.count, &length) == SNAPPY_OK, length == expected else {
                throw ParquetFault("a SNAPPY page is corrupt (or not of the size its header says)")
            }
            var n = expected
            let status = out.withUnsafeMutableBytes { o in
                snappy_uncompress(base, input.count, o.baseAddress!.assumingMemoryBound(to: CChar.self), &n)
            }
            guard status == SNAPPY_OK, n == expected else { throw ParquetFault("a SNAPPY page is corrupt") }
        case .zstd:
            guard let base = input.baseAddress else { throw ParquetFault("an empty ZSTD page") }
            let n = out.withUnsafeMutableBytes { o in ZSTD_decompress(o.baseAddress, expected, base, input.count) }
            guard ZSTD_isError(n) == 0 else { throw ParquetFault("a ZSTD page is corrupt: \(String(cString: ZSTD_getErrorName(n)))") }
            guard n == expected else { throw ParquetFault("a ZSTD page holds \(n) bytes, its header says \(expected)") }
        case .gzip:
            var stream = z_stream()
            // 15 + 32: a gzip or zlib header, detected.
            guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw ParquetFault("zlib failed to start") }
            defer { inflateEnd(&stream) }
            let status: Int32 = out.withUnsafeMutableBytes { o in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(input.count)
                stream.next_out = o.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(expected)
                return inflate(&stream, Z_FINISH)
            }
            guard status == Z_STREAM_END, Int(stream.total_out) == expected else { throw ParquetFault("a GZIP page is corrupt (or not of the size its header says)") }
        case .lzo, .brotli, .lz4, .lz4Raw:
            throw ParquetFault("compression codec \(c) is not supported (SNAPPY, GZIP, ZSTD and uncompressed are)")
        }
        return out
    }
}
