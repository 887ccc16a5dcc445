/// A reader of Thrift's compact protocol, the encoding of Parquet's footer and page
/// headers: structs as (field id delta, type) headers, zigzag varints, length-prefixed
/// binaries, lists with their element type. Every read is bounds-checked; malformed input is
/// a `ParquetFault`, never a crash.
struct ThriftCompactReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// Nesting guard: a hostile file cannot recurse without bound.
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw ParquetFault("metadata ends early (at byte \(position))") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 { try ULEB128.read(bytes, at: &position, end: bytes.count, what: "the metadata") }

    mutating func zigzag() throws -> Int64 { ULEB128.zigzag(try varint()) }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let x = Int32(exactly: v) else { throw ParquetFault("i32 value \(v) out of range") }
        return x
    }

    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func double() throws -> Double {
        guard position + 8 <= bytes.count else { throw ParquetFault("metadata ends inside a double") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return Double(bitPattern: bits)
    }

    mutating func binary() throws -> [UInt8] {
        let n = try varint()
        guard n <= UInt64(bytes.count - position) else { throw ParquetFault("a binary field of \(n) bytes runs past the metadata's end") }
        defer { position += Int(n) }
        return Array(bytes[position..<(position + Int(n))])
    }

    mutating func string() throws -> String {
        let b = try binary()
        guard let s = String(validating: b, as: UTF8.self) else { throw ParquetFault("a metadata string is not valid UTF-8") }
        return s
    }

    /// A list header: element type and count.
    mutating func listHeader() throws -> (FieldType, Int) {
        let h = try byte()
        guard let type = FieldType(rawValue: h & 0x0f) else { throw ParquetFault("unknown list element type \(h & 0x0f)") }
        var count = Int(h >> 4)
        if count == 15 {
            let n = try varint()
            guard n <= UInt64(bytes.count) else { throw ParquetFault("a list claims \(n) elements, more than the metadata's bytes") }
            count = Int(n)
        }
        return (type, count)
    }

    /// Reads a struct, calling `field` for each field id and type; `field` returns false to
    /// have the value skipped.
    mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, FieldType) throws -> Bool) throws {
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw ParquetFault("metadata nested more than 64 levels deep") }
        var last: Int16 = 0
        while true {
            let h = try byte()
            guard let type = FieldType(rawValue: h & 0x0f) else { throw ParquetFault("unknown field type \(h & 0x0f) at byte \(position - 1)") }
            if type == .stop { return }
            let delta = Int16(h >> 4)
            let id: Int16
            if delta == 0 {
                let v = try zigzag()
                guard let x = Int16(exactly: v) else { throw ParquetFault("field id \(v) out of range") }
                id = x
            } else {
                id = last &+ delta
            }
            last = id
            if try !field(&self, id, type) { try skip(type) }
        }
    }

    /// A boolean field's value: in compact structs it is the field type itself.
    static func bool(_ type: FieldType) -> Bool { type == .boolTrue }

    mutating func list<T>(_ element: (inout ThriftCompactReader) throws -> T) throws -> [T] {
        let (_, count) = try listHeader()
        var out: [T] = []
        out.reserveCapacity(min(count, 1 << 16))
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    mutating func skip(_ type: FieldType) throws {
        depth += 1
        defer { depth -= 1 }
        if depth > 64 { throw ParquetFault("metadata nested more than 64 levels deep") }
        switch type {
        case .stop, .boolTrue, .boolFalse: return
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double:
            guard position + 8 <= bytes.count else { throw ParquetFault("metadata ends inside a double") }
            position += 8
        case .binary: _ = try binary()
        case .list, .set:
            let (element, count) = try listHeader()
            for _ in 0..<count {
                if element == .boolTrue || element == .boolFalse { _ = try byte() } else { try skip(element) }
            }
        case .map:
            let n = try varint()
            guard n > 0 else { return }
            let kv = try byte()
            guard let k = FieldType(rawValue: kv >> 4), let v = FieldType(rawValue: kv & 0x0f) else { throw ParquetFault("unknown map types") }
            guard n <= UInt64(bytes.count) else { throw ParquetFault("a map claims \(n) entries") }
            for _ in 0..<n {
                try skip(k)
                try skip(v)
            }
        case .structure: try readStruct { _, _, _ in false }
        }
    }
}
