import SynprefCore

/// Typed reads of config.json fields with transformers' semantics: an absent field takes the
/// config class's default; `null` is accepted only where the Python field is optional
/// (`int | None`); integers must be integer literals (transformers' strict dataclasses reject
/// `1024.0` for an `int`), floats accept either.
struct ConfigFields {
    let object: JSONObject
    let file: String
    /// Prefix for nested objects in error messages, e.g. "rope_parameters.".
    var path: String = ""

    subscript(key: String) -> JSONValue? { object[key] }

    /// True when the key is present (even as null).
    func has(_ key: String) -> Bool { object[key] != nil }

    func name(_ key: String) -> String { path + key }

    func wrongType(_ key: String, expected: String, _ value: JSONValue) -> ConfigError {
        .wrongType(file: file, field: name(key), expected: expected, found: ConfigFields.describe(value))
    }

    /// A required integer (null is an error).
    func int(_ key: String, default fallback: Int) throws(ConfigError) -> Int {
        guard let value = object[key] else { return fallback }
        guard let int = value.exactInt else { throw wrongType(key, expected: "an integer", value) }
        return int
    }

    /// An optional integer: absent → `fallback`, null → nil.
    func optionalInt(_ key: String, default fallback: Int?) throws(ConfigError) -> Int? {
        guard let value = object[key] else { return fallback }
        if value.isNull { return nil }
        guard let int = value.exactInt else { throw wrongType(key, expected: "an integer or null", value) }
        return int
    }

    /// A required number (integer or float literal).
    func double(_ key: String, default fallback: Double) throws(ConfigError) -> Double {
        guard let value = object[key] else { return fallback }
        guard let double = value.doubleValue, double.isFinite else { throw wrongType(key, expected: "a finite number", value) }
        return double
    }

    /// An optional number: absent or null → nil.
    func optionalDouble(_ key: String) throws(ConfigError) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let double = value.doubleValue, double.isFinite else { throw wrongType(key, expected: "a finite number", value) }
        return double
    }

    func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let value = object[key] else { return fallback }
        guard let bool = value.boolValue else { throw wrongType(key, expected: "true or false", value) }
        return bool
    }

    func string(_ key: String, default fallback: String) throws(ConfigError) -> String {
        guard let value = object[key] else { return fallback }
        guard let string = value.stringValue else { throw wrongType(key, expected: "a string", value) }
        return string
    }

    /// An optional string: absent or null → nil.
    func optionalString(_ key: String) throws(ConfigError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let string = value.stringValue else { throw wrongType(key, expected: "a string or null", value) }
        return string
    }

    /// A JSON value for an error message.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .array: return "an array"
        default: return value.shortDescription
        }
    }
}
