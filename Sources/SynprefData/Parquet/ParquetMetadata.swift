/// The parts of Parquet's Thrift metadata (parquet.thrift) a reader needs: the file's
/// schema and row groups, each column chunk's type, codec, encodings and offsets, and page
/// headers. Fields the reader does not use (statistics, indexes, encryption) are skipped.
enum ParquetPhysicalType: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

enum ParquetRepetition: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2
}

enum ParquetCodec: Int32, Sendable {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

enum ParquetEncoding: Int32, Sendable {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6, deltaByteArray = 7,
         rleDictionary = 8, byteStreamSplit = 9
}

/// A schema node (flattened depth-first in the footer, groups followed by their children).
struct ParquetSchemaElement: Sendable {
    var name = ""
    var type: ParquetPhysicalType?
    var typeLength: Int32?
    var repetition: ParquetRepetition?
    var numChildren = 0
    var convertedType: Int32?
    /// The LogicalType union's field id (1 STRING, 2 MAP, 3 LIST, 4 ENUM, 5 DECIMAL, 6 DATE,
    /// 7 TIME, 8 TIMESTAMP, 10 INTEGER, 11 UNKNOWN, 12 JSON, 13 BSON, 14 UUID, 15 FLOAT16).
    var logicalType: Int16?
    /// INTEGER logical type: signed or not.
    var integerSigned = true
}

struct ParquetColumnMetadata: Sendable {
    var type: ParquetPhysicalType = .int32
    var encodings: [Int32] = []
    var path: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
}

struct ParquetRowGroup: Sendable {
    var columns: [ParquetColumnMetadata] = []
    var numRows: Int64 = 0
}

struct ParquetFileMetadata: Sendable {
    var schema: [ParquetSchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [ParquetRowGroup] = []
    var keyValues: [(String, String?)] = []
    var createdBy: String?

    static func read(_ r: inout ThriftCompactReader) throws -> ParquetFileMetadata {
        var m = ParquetFileMetadata()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (2, .list): m.schema = try r.list { try Self.schemaElement(&$0) }
            case (3, .i64): m.numRows = try r.i64()
            case (4, .list): m.rowGroups = try r.list { try Self.rowGroup(&$0) }
            case (5, .list):
                m.keyValues = try r.list { r in
                    var k = "", v: String?
                    try r.readStruct { r, id, type in
                        switch (id, type) {
                        case (1, .binary): k = try r.string()
                        case (2, .binary): v = try r.string()
                        default: return false
                        }
                        return true
                    }
                    return (k, v)
                }
            case (6, .binary): m.createdBy = try r.string()
            default: return false
            }
            return true
        }
        return m
    }

    static func schemaElement(_ r: inout ThriftCompactReader) throws -> ParquetSchemaElement {
        var e = ParquetSchemaElement()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32):
                let v = try r.i32()
                guard let t = ParquetPhysicalType(rawValue: v) else { throw ParquetFault("unknown physical type \(v)") }
                e.type = t
            case (2, .i32): e.typeLength = try r.i32()
            case (3, .i32):
                let v = try r.i32()
                guard let t = ParquetRepetition(rawValue: v) else { throw ParquetFault("unknown repetition \(v)") }
                e.repetition = t
            case (4, .binary): e.name = try r.string()
            case (5, .i32):
                let n = try r.i32()
                guard n >= 0 else { throw ParquetFault("negative number of children") }
                e.numChildren = Int(n)
            case (6, .i32): e.convertedType = try r.i32()
            case (10, .structure):
                // A union: exactly one member set.
                try r.readStruct { r, member, type in
                    e.logicalType = member
                    if member == 10 && type == .structure {
                        try r.readStruct { r, id, type in
                            if id == 2, type == .boolTrue || type == .boolFalse {
                                e.integerSigned = ThriftCompactReader.bool(type)
                                return true
                            }
                            return false
                        }
                        return true
                    }
                    return false
                }
            default: return false
            }
            return true
        }
        return e
    }

    static func rowGroup(_ r: inout ThriftCompactReader) throws -> ParquetRowGroup {
        var g = ParquetRowGroup()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .list):
                g.columns = try r.list { r in
                    var meta: ParquetColumnMetadata?
                    try r.readStruct { r, id, type in
                        switch (id, type) {
                        case (1, .binary): throw ParquetFault("column chunks in other files (file_path) are not supported")
                        case (3, .structure): meta = try Self.columnMetadata(&r)
                        default: return false
                        }
                        return true
                    }
                    guard let meta else { throw ParquetFault("a column chunk without metadata (encrypted files are not supported)") }
                    return meta
                }
            case (3, .i64): g.numRows = try r.i64()
            default: return false
            }
            return true
        }
        return g
    }

    static func columnMetadata(_ r: inout ThriftCompactReader) throws -> ParquetColumnMetadata {
        var c = ParquetColumnMetadata()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32):
                let v = try r.i32()
                guard let t = ParquetPhysicalType(rawValue: v) else { throw ParquetFault("unknown physical type \(v)") }
                c.type = t
            case (2, .list): c.encodings = try r.list { try $0.i32() }
            case (3, .list): c.path = try r.list { try $0.string() }
            case (4, .i32): c.codec = try r.i32()
            case (5, .i64): c.numValues = try r.i64()
            case (7, .i64): c.totalCompressedSize = try r.i64()
            case (9, .i64): c.dataPageOffset = try r.i64()
            case (11, .i64): c.dictionaryPageOffset = try r.i64()
            default: return false
            }
            return true
        }
        return c
    }
}

/// A page's header: its kind, sizes, and the kind's own header.
struct ParquetPageHeader: Sendable {
    enum Kind: Int32 { case data = 0, index = 1, dictionary = 2, dataV2 = 3 }

    var kind: Int32 = 0
    var uncompressedSize: Int32 = 0
    var compressedSize: Int32 = 0
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    var repetitionLevelEncoding: Int32 = 3
    // Data page v2.
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsLength: Int32 = 0
    var repetitionLevelsLength: Int32 = 0
    var isCompressed = true

    static func read(_ r: inout ThriftCompactReader) throws -> ParquetPageHeader {
        var h = ParquetPageHeader()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): h.kind = try r.i32()
            case (2, .i32): h.uncompressedSize = try r.i32()
            case (3, .i32): h.compressedSize = try r.i32()
            case (5, .structure):
                try r.readStruct { r, id, type in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.encoding = try r.i32()
                    case (3, .i32): h.definitionLevelEncoding = try r.i32()
                    case (4, .i32): h.repetitionLevelEncoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (7, .structure):
                try r.readStruct { r, id, type in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.encoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (8, .structure):
                try r.readStruct { r, id, type in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.numNulls = try r.i32()
                    case (3, .i32): h.numRows = try r.i32()
                    case (4, .i32): h.encoding = try r.i32()
                    case (5, .i32): h.definitionLevelsLength = try r.i32()
                    case (6, .i32): h.repetitionLevelsLength = try r.i32()
                    case (7, .boolTrue), (7, .boolFalse): h.isCompressed = ThriftCompactReader.bool(type)
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        guard h.compressedSize >= 0, h.uncompressedSize >= 0, h.numValues >= 0 else { throw ParquetFault("a page header has a negative size or count") }
        return h
    }
}
