import Foundation
import SynprefCore

/// Embeddings with their ids, from a `synpref embed` JSON Lines file or a `.npy` matrix
/// (memory-mapped; ids from `PATH.ids.jsonl` when present, else the row numbers). Rows of
/// a JSON Lines file are held sorted by id, so that `ExactSearch`'s ties (by row) fall to
/// the smaller id; a `.npy` matrix is used in place and ties fall to the earlier row.
public final class EmbeddingMatrix: @unchecked Sendable {
    public let ids: [String]
    public let dimension: Int
    private let owned: [Float]?
    private let mapped: NpyMatrix?

    public var count: Int { ids.count }

    public init(path: String) throws {
        if NpyMatrix.isNpy(path: path) {
            let m = try NpyMatrix(path: path)
            mapped = m
            owned = nil
            dimension = m.columns
            let idsPath = path + ".ids.jsonl"
            if FileManager.default.fileExists(atPath: idsPath) {
                ids = try Self.readIDs(idsPath)
                guard ids.count == m.rows else {
                    throw EmbeddingError.invalid(file: idsPath, field: "(file)", reason: "\(ids.count) ids for \(m.rows) rows of \(path)")
                }
            } else {
                ids = (0..<m.rows).map(String.init)
            }
        } else {
            let v = try EmbeddingFile.readVectors(path: path)
            let order = v.ids.indices.sorted { v.ids[$0] < v.ids[$1] }
            var values = [Float](repeating: 0, count: v.values.count)
            for (row, original) in order.enumerated() {
                for j in 0..<v.dimension { values[row * v.dimension + j] = v.values[original * v.dimension + j] }
            }
            ids = order.map { v.ids[$0] }
            dimension = v.dimension
            owned = values
            mapped = nil
        }
    }

    public func withValues<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if let mapped { return try body(mapped.values) }
        return try owned!.withUnsafeBufferPointer(body)
    }

    static func readIDs(_ path: String) throws -> [String] {
        var out: [String] = []
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw EmbeddingError.unreadable(file: path, reason: error.localizedDescription)
        }
        var failure: (any Error)?
        LineReader.forEachLine(in: data) { number, line in
            guard failure == nil, !LineReader.isBlank(line) else { return }
            guard let s = (try? JSONParser.parse([UInt8](line)))?.stringValue else {
                failure = EmbeddingError.invalid(file: "\(path):\(number)", field: "(line)", reason: "expected a JSON string (the row's id)")
                return
            }
            out.append(s)
        }
        if let failure { throw failure }
        return out
    }
}
