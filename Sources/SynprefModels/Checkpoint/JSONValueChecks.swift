import SynprefCore

/// Reading SynprefCore's `JSONValue` the way the checkpoint formats require.
extension JSONValue {
    /// The value when it was written as an integer: `1.0` is not an integer here, as in
    /// transformers' strict config dataclasses and in the reference safetensors reader.
    var exactInt: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// "an integer", "a number", "an array", ... for error messages.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Scalars as written (numbers, quoted strings, booleans), containers by kind.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return "\(value)"
        case .double(let value): return "\(value)"
        case .string(let value): return "\"\(value)\""
        case .array(let items) where items.count <= 4: return "[" + items.map(\.shortDescription).joined(separator: ", ") + "]"
        case .array, .object: return kindDescription
        }
    }
}
