import Foundation

/// Typed, checked reading of one JSON object of a configuration file: each accessor returns
/// nil for an absent (or null) field and throws a `FieldIssue` naming the field's path
/// (e.g. `[0].max_concurrency`, `humans.simulate.noise`) and what was expected; fields the
/// reader does not know are an error, so a typo never falls back to a default silently.
public struct JSONFields: Sendable {
    public let object: JSONObject
    /// The object's own path ("" for the file's root object).
    public let path: String

    /// `value` must be an object whose keys are all in `known`.
    public init(_ value: JSONValue, path: String, known: Set<String>) throws(FieldIssue) {
        guard case .object(let o) = value else {
            throw FieldIssue(path.isEmpty ? "(root)" : path, "expected an object, found \(value.kindName)")
        }
        self.object = o
        self.path = path
        for key in o.keys where !known.contains(key) {
            throw FieldIssue(Self.join(path, key), "unknown field; known: \(known.sorted().joined(separator: ", "))")
        }
    }

    /// A configuration file's JSON; a problem reading or parsing it is an issue of field
    /// "(file)".
    public static func document(path: String) throws(FieldIssue) -> JSONValue {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw FieldIssue("(file)", "cannot read (\(error.localizedDescription))")
        }
        do { return try JSONParser.parse(bytes) } catch { throw FieldIssue("(file)", "not valid JSON: \(error)") }
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The path of `key` in this object.
    public func field(_ key: String) -> String { Self.join(path, key) }

    /// A problem with `key`.
    public func issue(_ key: String, _ reason: String) -> FieldIssue { FieldIssue(field(key), reason) }

    func present(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    public func string(_ key: String) throws(FieldIssue) -> String? {
        guard let v = present(key) else { return nil }
        guard case .string(let s) = v, !s.isEmpty else { throw issue(key, "expected a non-empty string, found \(v.kindName)") }
        return s
    }

    public func int(_ key: String, min: Int = .min, max: Int = .max) throws(FieldIssue) -> Int? {
        guard let v = present(key) else { return nil }
        guard case .integer(let i) = v, i >= min, i <= max else {
            throw issue(key, "expected an integer\(Self.range(min == .min ? nil : Double(min), max == .max ? nil : Double(max))), found \(v.serialized())")
        }
        return i
    }

    public func number(_ key: String, min: Double = -.infinity, max: Double = .infinity) throws(FieldIssue) -> Double? {
        guard let v = present(key) else { return nil }
        guard let d = v.doubleValue, d.isFinite, d >= min, d <= max else {
            throw issue(key, "expected a number\(Self.range(min.isFinite ? min : nil, max.isFinite ? max : nil)), found \(v.serialized())")
        }
        return d
    }

    public func bool(_ key: String) throws(FieldIssue) -> Bool? {
        guard let v = present(key) else { return nil }
        guard case .bool(let b) = v else { throw issue(key, "expected true or false, found \(v.serialized())") }
        return b
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String]) throws(FieldIssue) -> String? {
        guard let s = try string(key) else { return nil }
        guard choices.contains(s) else { throw issue(key, "\"\(s)\"; expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))") }
        return s
    }

    /// A nested object, read with its own known keys.
    public func object(_ key: String, known: Set<String>) throws(FieldIssue) -> JSONFields? {
        guard let v = present(key) else { return nil }
        return try JSONFields(v, path: field(key), known: known)
    }

    public func strings(_ key: String) throws(FieldIssue) -> [String]? {
        guard let v = present(key) else { return nil }
        guard case .array(let items) = v else { throw issue(key, "expected a list of strings, found \(v.kindName)") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item, !s.isEmpty else { throw FieldIssue("\(field(key))[\(i)]", "expected a non-empty string, found \(item.kindName)") }
            out.append(s)
        }
        return out
    }

    static func range(_ min: Double?, _ max: Double?) -> String {
        func f(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        switch (min, max) {
        case let (a?, b?): return " in [\(f(a)), \(f(b))]"
        case let (a?, nil): return " ≥ \(f(a))"
        case let (nil, b?): return " ≤ \(f(b))"
        default: return ""
        }
    }
}
