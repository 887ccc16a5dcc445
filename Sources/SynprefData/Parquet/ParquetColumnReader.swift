import SynprefCore

/// One column chunk of one row group: its pages (an optional dictionary page, then data
/// pages v1 or v2) decompressed and decoded into definition levels, repetition levels and
/// the non-null values.
enum ParquetColumnReader {
    static func bitWidth(_ maxLevel: Int) -> Int { maxLevel == 0 ? 0 : Int.bitWidth - maxLevel.leadingZeroBitCount }

    static func read(_ file: UnsafeRawBufferPointer, chunk: ParquetColumnMetadata, leaf: ParquetLeaf) throws -> ParquetColumnData {
        guard chunk.numValues >= 0 else { throw ParquetFault("the column chunk claims \(chunk.numValues) values") }
        if chunk.numValues == 0 {
            // An empty row group: writers may point such chunks anywhere (even at the magic).
            return ParquetColumnData(defs: leaf.maxDef > 0 ? [] : nil, reps: leaf.maxRep > 0 ? [] : nil, values: [], count: 0, maxDef: leaf.maxDef)
        }
        var start = Int(chunk.dataPageOffset)
        if let d = chunk.dictionaryPageOffset, d > 0, d < chunk.dataPageOffset { start = Int(d) }
        let size = Int(clamping: chunk.totalCompressedSize)
        guard start >= 4, size >= 0, start <= file.count - 8, size <= file.count - 8 - start else {
            throw ParquetFault("the column chunk's bytes (offset \(start), \(size) bytes) lie outside the file's data")
        }
        guard chunk.type == leaf.type.physical else { throw ParquetFault("the column chunk's type differs from the schema's") }
        let end = start + size
        let total = Int(clamping: chunk.numValues)
        let data = ParquetColumnData(defs: leaf.maxDef > 0 ? [] : nil, reps: leaf.maxRep > 0 ? [] : nil, values: [], count: 0, maxDef: leaf.maxDef)
        data.values.reserveCapacity(min(total, 1 << 20))
        var dictionary: [JSONValue]?
        var position = start
        while data.count < total {
            guard position < end else { throw ParquetFault("the column chunk ends after \(data.count) of its \(total) values") }
            var header = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: file[position..<end]))
            let h = try ParquetPageHeader.read(&header)
            let body = position + header.position
            let bodyEnd = body + Int(h.compressedSize)
            guard bodyEnd <= end else { throw ParquetFault("a page (\(h.compressedSize) bytes) runs past the column chunk's end") }
            position = bodyEnd
            let raw = UnsafeRawBufferPointer(rebasing: file[body..<bodyEnd])
            switch ParquetPageHeader.Kind(rawValue: h.kind) {
            case .dictionary?:
                let bytes = try ParquetDecompressor.decompress(chunk.codec, raw, expected: Int(h.uncompressedSize))
                guard h.encoding == ParquetEncoding.plain.rawValue || h.encoding == ParquetEncoding.plainDictionary.rawValue else {
                    throw ParquetFault("dictionary page encoding \(h.encoding) is not PLAIN")
                }
                dictionary = try bytes.withUnsafeBytes { try ParquetValueDecoder.plain($0, from: 0, to: $0.count, count: Int(h.numValues), type: leaf.type) }
            case .data?:
                let bytes = try ParquetDecompressor.decompress(chunk.codec, raw, expected: Int(h.uncompressedSize))
                try bytes.withUnsafeBytes { b in
                    var p = 0
                    let n = Int(h.numValues)
                    if leaf.maxRep > 0 { p = try levelsV1(b, at: p, count: n, max: leaf.maxRep, encoding: h.repetitionLevelEncoding, into: &data.reps!) }
                    if leaf.maxDef > 0 { p = try levelsV1(b, at: p, count: n, max: leaf.maxDef, encoding: h.definitionLevelEncoding, into: &data.defs!) }
                    let present = leaf.maxDef > 0 ? data.defs![(data.defs!.count - n)...].reduce(0) { $0 + ($1 == leaf.maxDef ? 1 : 0) } : n
                    data.values += try ParquetValueDecoder.decode(h.encoding, b, from: p, to: b.count, count: present, type: leaf.type, dictionary: dictionary)
                    data.count += n
                }
            case .dataV2?:
                let n = Int(h.numValues)
                let repLength = Int(h.repetitionLevelsLength), defLength = Int(h.definitionLevelsLength)
                guard repLength >= 0, defLength >= 0, repLength + defLength <= raw.count else { throw ParquetFault("a v2 page's level lengths exceed the page") }
                if leaf.maxRep > 0 {
                    var d = try RLEHybridDecoder(raw, from: 0, to: repLength, bitWidth: bitWidth(leaf.maxRep))
                    try d.decode(n, into: &data.reps!)
                }
                if leaf.maxDef > 0 {
                    var d = try RLEHybridDecoder(raw, from: repLength, to: repLength + defLength, bitWidth: bitWidth(leaf.maxDef))
                    try d.decode(n, into: &data.defs!)
                }
                let valuesRaw = UnsafeRawBufferPointer(rebasing: raw[(repLength + defLength)...])
                let expected = Int(h.uncompressedSize) - repLength - defLength
                let bytes = h.isCompressed ? try ParquetDecompressor.decompress(chunk.codec, valuesRaw, expected: expected)
                    : try ParquetDecompressor.decompress(ParquetCodec.uncompressed.rawValue, valuesRaw, expected: expected)
                let present = leaf.maxDef > 0 ? data.defs![(data.defs!.count - n)...].reduce(0) { $0 + ($1 == leaf.maxDef ? 1 : 0) } : n
                data.values += try bytes.withUnsafeBytes { b in
                    try ParquetValueDecoder.decode(h.encoding, b, from: 0, to: b.count, count: present, type: leaf.type, dictionary: dictionary)
                }
                data.count += n
            case .index?:
                continue
            case nil:
                throw ParquetFault("unknown page type \(h.kind)")
            }
        }
        return data
    }

    /// Data page v1 levels: a 4-byte length, then the RLE/bit-packed hybrid. Returns the
    /// position after them.
    static func levelsV1(_ b: UnsafeRawBufferPointer, at p: Int, count: Int, max: Int, encoding: Int32, into out: inout [UInt32]) throws -> Int {
        guard encoding == ParquetEncoding.rle.rawValue else { throw ParquetFault("level encoding \(encoding) is not supported (RLE is)") }
        guard p + 4 <= b.count else { throw ParquetFault("a page ends before its levels") }
        let length = Int(UInt32(littleEndianBytes: b, at: p))
        guard length <= b.count - p - 4 else { throw ParquetFault("levels longer than their page") }
        var d = try RLEHybridDecoder(b, from: p + 4, to: p + 4 + length, bitWidth: bitWidth(max))
        try d.decode(count, into: &out)
        for v in out.suffix(count) where Int(v) > max { throw ParquetFault("a level \(v) above the column's maximum \(max)") }
        return p + 4 + length
    }
}
