/// Why a Parquet file cannot be read: which file, and where in it (row group, column) when
/// the fault is inside one.
public struct ParquetError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var rowGroup: Int?
    public var column: String?
    public var reason: String

    public init(file: String, rowGroup: Int? = nil, column: String? = nil, reason: String) {
        self.file = file
        self.rowGroup = rowGroup
        self.column = column
        self.reason = reason
    }

    public var description: String {
        var place = file
        if let rowGroup { place += ": row group \(rowGroup)" }
        if let column { place += ", column \(column)" }
        return "\(place): \(reason)"
    }
}

/// A fault found while decoding bytes, before the file and column are known.
struct ParquetFault: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
