/// A parsed tokenizer.json, with every object member kept, in file order, and keys
/// compared byte for byte.
///
/// Why not SynprefCore's JSON: three differences matter for tokenizer.json. Here a repeated
/// key keeps every occurrence, as serde_json (the tokenizers crate) does, where Core keeps
/// one member with the last value; numbers keep their literal text, so integers keep full
/// precision (Core converts them to Int or Double); a lone surrogate escape becomes U+FFFD
/// (Core rejects the document).
enum RawJSON: Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, so integers keep full precision until asked for.
    case number(String)
    case string(String)
    case array([RawJSON])
    /// Members in file order; a duplicate key keeps every occurrence (lookups take the last,
    /// as serde_json does).
    case object([(String, RawJSON)])

    /// The member `key` of an object (the last one if repeated; keys compared byte for
    /// byte), or nil.
    subscript(key: String) -> RawJSON? {
        guard case .object(let members) = self else { return nil }
        for (k, v) in members.reversed() where k.utf8.elementsEqual(key.utf8) { return v }
        return nil
    }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as an integer if it is an integral JSON number (e.g. `12`, `12.0`, `1e3`).
    var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let i = Int(text) { return i }
        if let d = Double(text), d.rounded() == d, abs(d) < 9.0e15 { return Int(d) }
        return nil
    }

    var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    var arrayValue: [RawJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var objectValue: [(String, RawJSON)]? {
        if case .object(let o) = self { return o }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// A short name of the value's JSON type, for error messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
