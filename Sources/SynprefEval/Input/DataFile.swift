import Foundation
import SynprefCore
import SynprefData

/// A data file that went into a result: `results.json` lists each with its SHA-256 so a number
/// can be traced to the exact bytes it came from.
public struct DataFileRecord: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var bytes: Int
    public var rows: Int

    public var json: JSONValue {
        .object([("path", .string(path)), ("sha256", .string(sha256)), ("bytes", .integer(bytes)), ("rows", .integer(rows))])
    }
}

/// The rows of one file with where each came from, for error messages.
public struct LoadedRows<Row: Sendable>: Sendable {
    public var record: DataFileRecord
    public var rows: [Row]
    public var locations: [RowLocation]

    public var path: String { record.path }
}

/// Reads benchmark files in the layouts they are published in: a JSON array (GitHub layouts of
/// RM-Bench and RMB), JSON lines (JudgeBench, Hugging Face `to_json` exports), either of them
/// gzip-compressed, or Parquet (Hugging Face dataset files; told by their magic bytes). Rows decode into `Decodable` types; a decoding failure becomes an
/// `EvalError` naming the file, line or array element, and field.
public enum DataFile {
    /// The file's bytes, decompressed when gzip.
    public static func bytes(at path: String) throws -> (raw: Data, text: Data) {
        let raw: Data
        do { raw = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EvalError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard raw.count >= 2, raw[raw.startIndex] == 0x1F, raw[raw.startIndex + 1] == 0x8B else { return (raw, raw) }
        var text = Data()
        do {
            let reader = try LineReader(path: path)
            var first = true
            while let line = try reader.nextLine() {
                if !first { text.append(0x0A) }
                text.append(contentsOf: line.bytes)
                first = false
            }
        } catch let e as LineReaderError {
            throw EvalError.unreadable(path: path, reason: e.description)
        }
        return (raw, text)
    }

    /// SHA-256 of `data`. Valid UTF-8 (every JSON file) goes through `SHA256.hex(String)`,
    /// which hashes whole blocks straight from the buffer and is many times faster than the
    /// byte-sequence path; the String holds exactly the same bytes, so the digest is the same.
    public static func sha256(_ data: Data) -> String {
        let text: String? = data.withUnsafeBytes { raw in
            String(validating: raw.bindMemory(to: UInt8.self), as: UTF8.self)
        }
        if let text { return SHA256.hex(text) }
        return SHA256.hex(data)
    }

    /// Decodes every row of a JSON-array, JSONL or Parquet file.
    public static func rows<Row: Decodable & Sendable>(_ type: Row.Type, at path: String) throws -> LoadedRows<Row> {
        let (raw, text) = try bytes(at: path)
        let digest = sha256(raw)
        let decoder = JSONValueDecoder()
        var rows: [Row] = []
        var locations: [RowLocation] = []
        if isParquet(raw) {
            for (i, row) in try parquetRows(path).enumerated() {
                do {
                    rows.append(try decoder.decode(Row.self, from: .object(row)))
                } catch let error as DecodingError {
                    throw describe(error, path: path, location: .row(i + 1))
                }
                locations.append(.row(i + 1))
            }
        } else if firstNonSpace(text) == UInt8(ascii: "[") {
            do {
                rows = try decoder.decode([Row].self, from: [UInt8](text))
            } catch let error as DecodingError {
                throw describe(error, path: path, location: nil)
            } catch {
                throw EvalError.badJSON(path: path, location: nil, reason: "\(error)")
            }
            locations = rows.indices.map { RowLocation.element($0) }
        } else {
            try LineReader.forEachLine(in: text) { lineNumber, line in
                do {
                    rows.append(try decoder.decode(Row.self, from: [UInt8](line)))
                } catch let error as DecodingError {
                    throw describe(error, path: path, location: .line(lineNumber))
                } catch {
                    throw EvalError.badJSON(path: path, location: .line(lineNumber), reason: "\(error)")
                }
                locations.append(.line(lineNumber))
            }
        }
        let record = DataFileRecord(path: path, sha256: digest, bytes: raw.count, rows: rows.count)
        return LoadedRows(record: record, rows: rows, locations: locations)
    }

    /// The first row only (JSONL: the first non-blank line; a JSON array: element 0), to tell
    /// file kinds apart without decoding everything twice.
    public static func firstRow<Row: Decodable>(_ type: Row.Type, at path: String) throws -> Row? {
        let (raw, text) = try bytes(at: path)
        let decoder = JSONValueDecoder()
        if isParquet(raw) {
            let reader = try parquet(path)
            guard reader.numRowGroups > 0 else { return nil }
            guard let first = try parquetCall(path, { try reader.rows(rowGroup: 0).first }) else { return nil }
            do { return try decoder.decode(Row.self, from: .object(first)) } catch let e as DecodingError {
                throw describe(e, path: path, location: .row(1))
            }
        }
        if firstNonSpace(text) == UInt8(ascii: "[") {
            do { return try decoder.decode(FirstElement<Row>.self, from: [UInt8](text)).row } catch let e as DecodingError {
                throw describe(e, path: path, location: nil)
            }
        }
        var lineNumber = 0
        for line in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if LineReader.isBlank(line) { continue }
            do { return try decoder.decode(Row.self, from: [UInt8](line)) } catch let e as DecodingError {
                throw describe(e, path: path, location: .line(lineNumber))
            }
        }
        return nil
    }

    static func isParquet(_ raw: Data) -> Bool { raw.count >= 4 && Array(raw.prefix(4)) == ParquetFileReader.magic }

    private static func parquetCall<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ParquetError { throw EvalError.unreadable(path: path, reason: e.description) }
    }

    private static func parquet(_ path: String) throws -> ParquetFileReader { try parquetCall(path) { try ParquetFileReader(path: path) } }

    private static func parquetRows(_ path: String) throws -> [JSONObject] { try parquetCall(path) { try parquet(path).readAll() } }

    private static func firstNonSpace(_ data: Data) -> UInt8? {
        data.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
    }

    /// Turns a decoding failure into a message with the row and the field path (`chosen[2]`).
    static func describe(_ error: DecodingError, path: String, location: RowLocation?) -> EvalError {
        func split(_ codingPath: [any CodingKey]) -> (RowLocation?, String) {
            var keys = codingPath[...]
            var loc = location
            if location == nil, let first = keys.first, let index = first.intValue {
                loc = .element(index)
                keys = keys.dropFirst()
            }
            var field = ""
            for key in keys {
                if let i = key.intValue {
                    field += "[\(i)]"
                } else {
                    field += field.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return (loc, field)
        }
        switch error {
        case let .keyNotFound(key, context):
            let (loc, field) = split(context.codingPath + [key])
            guard let loc else { return .badJSON(path: path, location: nil, reason: "missing field \(field)") }
            return .badField(path: path, location: loc, field: field, problem: "missing")
        case let .typeMismatch(type, context):
            let (loc, field) = split(context.codingPath)
            guard let loc else { return .badJSON(path: path, location: nil, reason: context.debugDescription) }
            return .badField(path: path, location: loc, field: field.isEmpty ? "(row)" : field,
                             problem: "expected \(describeType(type))")
        case let .valueNotFound(type, context):
            let (loc, field) = split(context.codingPath)
            guard let loc else { return .badJSON(path: path, location: nil, reason: context.debugDescription) }
            return .badField(path: path, location: loc, field: field.isEmpty ? "(row)" : field,
                             problem: "is null, expected \(describeType(type))")
        case let .dataCorrupted(context):
            let (loc, field) = split(context.codingPath)
            guard let loc, !field.isEmpty else {
                let reason = context.underlyingError.map { "\($0)" } ?? context.debugDescription
                return .badJSON(path: path, location: loc, reason: reason)
            }
            return .badField(path: path, location: loc, field: field, problem: context.debugDescription)
        @unknown default:
            return .badJSON(path: path, location: location, reason: "\(error)")
        }
    }

    private static func describeType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type, is Float.Type: return "a number"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "a boolean"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return name
        }
    }

    /// JSON, JSONL and Parquet data files directly inside `folder` (sorted), optionally recursively.
    public static func dataFiles(in folder: String, recursive: Bool = false) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        if recursive {
            let e = fm.enumerator(atPath: folder)
            while let rel = e?.nextObject() as? String {
                if isDataFile(rel) { out.append((folder as NSString).appendingPathComponent(rel)) }
            }
        } else {
            let names = (try? fm.contentsOfDirectory(atPath: folder)) ?? []
            out = names.filter(isDataFile).map { (folder as NSString).appendingPathComponent($0) }
        }
        return out.sorted()
    }

    /// The data files a benchmark path names: the file itself, or the data files directly
    /// inside a folder; empty when nothing is there (the caller says where to get the data).
    static func dataFiles(at path: String) -> [String] {
        if isDirectory(path) { return dataFiles(in: path) }
        return exists(path) ? [path] : []
    }

    static func isDataFile(_ name: String) -> Bool {
        let n = name.lowercased()
        return n.hasSuffix(".json") || n.hasSuffix(".jsonl") || n.hasSuffix(".json.gz") || n.hasSuffix(".jsonl.gz")
            || n.hasSuffix(".parquet")
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

/// Decodes only element 0 of a JSON array.
private struct FirstElement<Row: Decodable>: Decodable {
    var row: Row?
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        row = c.isAtEnd ? nil : try c.decode(Row.self)
    }
}
