import SynprefCore

/// Where a preference file's records come from: JSON Lines or a JSON array
/// (`JSONRecordReader`), or the rows of a Parquet file (`ParquetRecordStream`). The records
/// then go through the same format detection and decoders.
protocol RecordStream: AnyObject {
    func next() throws -> JSONRecord?
    /// Bytes of the file consumed so far, for progress.
    var fileOffset: Int { get }
    var layout: JSONRecordLayout { get }
}

extension JSONRecordReader: RecordStream {}

/// A Parquet file's rows, row group by row group, each as a JSON record (`line` is the
/// 1-based row number, so issues read `file:row`).
final class ParquetRecordStream: RecordStream {
    let reader: ParquetFileReader
    private var group = 0
    private var rows: [JSONObject] = []
    private var nextInGroup = 0
    private var index = 0
    private(set) var fileOffset = 0
    let layout = JSONRecordLayout.parquet

    init(path: String) throws {
        reader = try ParquetFileReader(path: path)
    }

    func next() throws -> JSONRecord? {
        while nextInGroup >= rows.count {
            guard group < reader.numRowGroups else { return nil }
            rows = try reader.rows(rowGroup: group)
            nextInGroup = 0
            group += 1
            fileOffset = reader.data.count * group / max(1, reader.numRowGroups)
        }
        let row = rows[nextInGroup]
        nextInGroup += 1
        index += 1
        return JSONRecord(line: index, index: index - 1, bytes: Array(JSONValue.object(row).serialized().utf8))
    }
}
