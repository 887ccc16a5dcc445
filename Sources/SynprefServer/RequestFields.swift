import Hummingbird
import SynprefCore

/// A request's JSON object and typed readers for its fields. Every problem is a 400 naming
/// the field (`input[2]: expected a string or a list of token ids, found object`); unknown
/// top-level fields are ignored, as the servers these endpoints follow do.
struct RequestFields {
    let object: JSONObject

    /// Parses `bytes` (a whole request body) with the project's JSON parser.
    init(bytes buffer: ByteBuffer) throws(APIError) {
        let value: JSONValue
        do {
            value = try buffer.withUnsafeReadableBytes { raw throws(JSONError) in try JSONParser.parse(raw) }
        } catch {
            throw APIError.badRequest("the request body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("the request body must be a JSON object, found \(value.kindName)")
        }
        self.object = object
    }

    init(object: JSONObject) { self.object = object }

    /// The field's value; nil when absent or null.
    subscript(key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    func string(_ key: String) throws(APIError) -> String? {
        guard let v = self[key] else { return nil }
        guard case .string(let s) = v else { throw APIError.badRequest("\(key): expected a string, found \(v.kindName)") }
        return s
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let s = try string(key) else { throw APIError.badRequest("\(key): missing; expected a string") }
        return s
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let v = self[key] else { return nil }
        guard case .bool(let b) = v else { throw APIError.badRequest("\(key): expected true or false, found \(v.kindName)") }
        return b
    }

    func int(_ key: String) throws(APIError) -> Int? {
        guard let v = self[key] else { return nil }
        guard case .integer(let i) = v else {
            throw APIError.badRequest("\(key): expected an integer, found \(v.serialized().prefix(40))")
        }
        return i
    }

    /// A non-empty list of strings.
    func strings(_ key: String) throws(APIError) -> [String] {
        guard let v = self[key] else { throw APIError.badRequest("\(key): missing; expected a list of strings") }
        guard case .array(let items) = v else { throw APIError.badRequest("\(key): expected a list of strings, found \(v.kindName)") }
        if items.isEmpty { throw APIError.badRequest("\(key): is empty; give at least one string") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw APIError.badRequest("\(key)[\(i)]: expected a string, found \(item.kindName)")
            }
            out.append(s)
        }
        return out
    }

    /// A list of token ids at `field`.
    static func tokenIDs(_ value: JSONValue, field: String) throws(APIError) -> [Int] {
        guard case .array(let items) = value else {
            throw APIError.badRequest("\(field): expected a list of token ids, found \(value.kindName)")
        }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .integer(let id) = item else {
                throw APIError.badRequest("\(field)[\(i)]: expected a token id (an integer), found \(item.serialized().prefix(40))")
            }
            out.append(id)
        }
        if out.isEmpty { throw APIError.badRequest("\(field): is empty; a reward needs at least one token") }
        return out
    }
}
