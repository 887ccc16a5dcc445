import Foundation
import SynprefCore

/// Reads an Apache Parquet file as Hugging Face writes them: the footer's Thrift metadata,
/// then row group by row group (memory bounded by one row group's selected columns), only
/// the columns asked for, rows as JSON objects — strings, integers, floats, booleans,
/// nulls, lists and structs, as `pyarrow.parquet.read_table(path).to_pylist()` gives them.
///
/// The file is memory-mapped. Every malformed file (bad magic, truncated footer, offsets
/// outside the file, unknown encodings or codecs) is a `ParquetError` naming the file, row
/// group and column.
public final class ParquetFileReader: @unchecked Sendable {
    public static let magic: [UInt8] = Array("PAR1".utf8)

    public let path: String
    let data: Data
    let metadata: ParquetFileMetadata
    let schema: ParquetSchema

    /// True when the file at `path` starts with Parquet's magic bytes.
    public static func isParquet(path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 4)).map { Array($0) == magic } ?? false
    }

    public convenience init(path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ParquetError(file: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, name: path)
    }

    /// A Parquet file's bytes already in memory; `name` is what errors call it.
    public init(data: Data, name: String) throws {
        let path = name
        self.path = name
        self.data = data
        let n = data.count
        guard n >= 12 else { throw ParquetError(file: path, reason: "\(n) bytes: too short for a Parquet file (magic, footer, magic)") }
        guard Array(data.prefix(4)) == Self.magic else { throw ParquetError(file: path, reason: "does not start with Parquet's magic bytes PAR1") }
        guard Array(data.suffix(4)) == Self.magic else {
            throw ParquetError(file: path, reason: "does not end with Parquet's magic bytes PAR1 (the file is truncated or not Parquet)")
        }
        let footerLength = data.withUnsafeBytes { Int(UInt32(littleEndianBytes: $0, at: n - 8)) }
        guard footerLength > 0, footerLength <= n - 12 else {
            throw ParquetError(file: path, reason: "the footer length \(footerLength) does not fit in the file's \(n) bytes (truncated?)")
        }
        do {
            metadata = try data.withUnsafeBytes { b in
                var r = ThriftCompactReader(UnsafeRawBufferPointer(rebasing: b[(n - 8 - footerLength)..<(n - 8)]))
                return try ParquetFileMetadata.read(&r)
            }
            schema = try ParquetSchema(metadata.schema)
        } catch let f as ParquetFault {
            throw ParquetError(file: path, reason: "the footer is malformed: \(f.description)")
        }
        for (g, group) in metadata.rowGroups.enumerated() where group.columns.count != schema.leaves.count {
            throw ParquetError(file: path, rowGroup: g, reason: "\(group.columns.count) column chunks for \(schema.leaves.count) schema columns")
        }
    }

    public var numRows: Int { Int(metadata.numRows) }
    public var numRowGroups: Int { metadata.rowGroups.count }
    /// The top-level columns, in schema order.
    public var columnNames: [String] { schema.fields.map(\.name) }
    public var createdBy: String? { metadata.createdBy }

    /// The rows of one row group, with only `columns` (all when nil) decoded.
    public func rows(rowGroup g: Int, columns: [String]? = nil) throws -> [JSONObject] {
        guard metadata.rowGroups.indices.contains(g) else { throw ParquetError(file: path, reason: "no row group \(g) (the file has \(numRowGroups))") }
        let fields = try selected(columns)
        let group = metadata.rowGroups[g]
        var decoded: [Int: ParquetColumnData] = [:]
        try data.withUnsafeBytes { b in
            for field in fields {
                for leaf in field.leaves {
                    let name = schema.leaves[leaf].path.joined(separator: ".")
                    do {
                        let chunk = group.columns[leaf]
                        guard chunk.path == schema.leaves[leaf].path else {
                            throw ParquetFault("the column chunk is for \(chunk.path.joined(separator: ".")), the schema says \(name)")
                        }
                        decoded[leaf] = try ParquetColumnReader.read(b, chunk: chunk, leaf: schema.leaves[leaf])
                    } catch let f as ParquetFault {
                        throw ParquetError(file: path, rowGroup: g, column: name, reason: f.description)
                    }
                }
            }
        }
        var assembler = ParquetRecordAssembler(columns: decoded, leafCount: schema.leaves.count)
        var out: [JSONObject] = []
        out.reserveCapacity(Int(group.numRows))
        do {
            let names = fields.map(\.name)
            while let row = try assembler.nextRow(fields, names: names) { out.append(row) }
        } catch let f as ParquetFault {
            throw ParquetError(file: path, rowGroup: g, reason: f.description)
        }
        guard out.count == Int(group.numRows) || fields.isEmpty else {
            throw ParquetError(file: path, rowGroup: g, reason: "\(out.count) rows assembled, the row group says \(group.numRows)")
        }
        return out
    }

    /// Every row, row group by row group.
    public func forEachRow(columns: [String]? = nil, _ body: (JSONObject) throws -> Void) throws {
        for g in 0..<numRowGroups {
            for row in try rows(rowGroup: g, columns: columns) { try body(row) }
        }
    }

    public func readAll(columns: [String]? = nil) throws -> [JSONObject] {
        var out: [JSONObject] = []
        try forEachRow(columns: columns) { out.append($0) }
        return out
    }

    private func selected(_ columns: [String]?) throws -> [ParquetNode] {
        guard let columns else { return schema.fields }
        return try columns.map { name in
            guard let f = schema.fields.first(where: { $0.name == name }) else {
                throw ParquetError(file: path, reason: "no column \"\(name)\" (columns: \(columnNames.joined(separator: ", ")))")
            }
            return f
        }
    }
}
