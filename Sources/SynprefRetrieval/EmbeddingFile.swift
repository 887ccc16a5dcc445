import Foundation
import SynprefCore

/// The JSON Lines files `synpref embed` writes and `synpref retrieve` reads:
/// `{"id": string, "embedding": [number]}` per line; and the inputs around them (texts,
/// confidences). Every problem names the file and line.
public enum EmbeddingFile {
    /// Ids and vectors, row-major [count × dimension].
    public struct Vectors: Sendable {
        public var ids: [String]
        public var values: [Float]
        public var dimension: Int
        public var count: Int { ids.count }
    }

    public static func readVectors(path: String) throws -> Vectors {
        var ids: [String] = [], values: [Float] = [], dimension = 0
        var seen = Set<String>()
        try forEachObject(path: path) { line, o in
            let id = try string(o, "id", path, line)
            guard seen.insert(id).inserted else {
                throw EmbeddingError.invalid(file: "\(path):\(line)", field: "id", reason: "\"\(id)\" appears twice; ids must be unique")
            }
            guard case .array(let items)? = o["embedding"] else {
                throw EmbeddingError.invalid(file: "\(path):\(line)", field: "embedding", reason: "missing or not a list of numbers")
            }
            if ids.isEmpty { dimension = items.count }
            guard items.count == dimension, dimension > 0 else {
                throw EmbeddingError.dimensionMismatch(file: path, line: line, expected: dimension, found: items.count)
            }
            for (j, x) in items.enumerated() {
                guard let v = x.doubleValue, v.isFinite else {
                    throw EmbeddingError.invalid(file: "\(path):\(line)", field: "embedding[\(j)]", reason: "expected a finite number, found \(x.kindName)")
                }
                values.append(Float(v))
            }
            ids.append(id)
        }
        return Vectors(ids: ids, values: values, dimension: dimension)
    }

    /// `{"id": string, "text": string}` lines.
    public static func readTexts(path: String) throws -> [(id: String, text: String)] {
        var out: [(String, String)] = []
        var seen = Set<String>()
        try forEachObject(path: path) { line, o in
            let id = try string(o, "id", path, line)
            guard seen.insert(id).inserted else {
                throw EmbeddingError.invalid(file: "\(path):\(line)", field: "id", reason: "\"\(id)\" appears twice; ids must be unique")
            }
            out.append((id, try string(o, "text", path, line)))
        }
        return out
    }

    /// `{"id": string, "p": number}` lines (p in [0, 1]).
    public static func readConfidences(path: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        try forEachObject(path: path) { line, o in
            let id = try string(o, "id", path, line)
            guard let p = o["p"]?.doubleValue, p >= 0, p <= 1 else {
                throw EmbeddingError.invalid(file: "\(path):\(line)", field: "p", reason: "expected a probability between 0 and 1, found \(o["p"]?.serialized() ?? "nothing")")
            }
            out[id] = p
        }
        return out
    }

    /// The line `{"id": …, "embedding": […]}` (numbers as the shortest decimal of each f32).
    public static func line(id: String, embedding: [Float]) -> String {
        var s = "{\"id\":"
        JSONWriter.appendString(id, to: &s)
        s += ",\"embedding\":["
        for (j, x) in embedding.enumerated() {
            if j > 0 { s += "," }
            s += "\(x)"
        }
        return s + "]}"
    }

    static func forEachObject(path: String, _ body: (Int, JSONObject) throws -> Void) throws {
        let reader: LineReader
        do { reader = try LineReader(path: path) } catch {
            throw EmbeddingError.unreadable(file: path, reason: "\(error)")
        }
        while let (number, bytes) = try reader.nextLine() {
            if LineReader.isBlank(bytes) { continue }
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch {
                throw EmbeddingError.invalid(file: "\(path):\(number)", field: "(line)", reason: "not valid JSON: \(error)")
            }
            guard case .object(let o) = value else {
                throw EmbeddingError.invalid(file: "\(path):\(number)", field: "(line)", reason: "expected a JSON object, found \(value.kindName)")
            }
            try body(number, o)
        }
    }

    static func string(_ o: JSONObject, _ key: String, _ path: String, _ line: Int) throws -> String {
        guard let v = o[key] else { throw EmbeddingError.invalid(file: "\(path):\(line)", field: key, reason: "missing; expected a string") }
        guard case .string(let s) = v else {
            throw EmbeddingError.invalid(file: "\(path):\(line)", field: key, reason: "expected a string, found \(v.kindName)")
        }
        return s
    }
}
