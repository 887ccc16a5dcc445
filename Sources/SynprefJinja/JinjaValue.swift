/// Data handed to a chat template: the JSON values a conversation is made of.
///
/// Objects keep their keys in insertion order, because templates print them in that
/// order (`tojson`, `items()`), exactly as Python dicts do. Integers and doubles stay
/// distinct (`1` renders as `1`, `1.0` as `1.0`). Strings compare by Unicode scalars, as
/// Python compares them, not by Swift's canonical equivalence.
public enum JinjaValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    case object(JinjaObject)

    /// The value under `key` if this is an object.
    public subscript(key: String) -> JinjaValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A string-keyed object that remembers insertion order (like a Python dict).
public struct JinjaObject: Sendable {
    public private(set) var keys: [String] = []
    public private(set) var values: [JinjaValue] = []

    public init() {}

    public init(_ pairs: [(String, JinjaValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var pairs: [(key: String, value: JinjaValue)] {
        (0..<keys.count).map { (keys[$0], values[$0]) }
    }

    private func index(of key: String) -> Int? {
        keys.firstIndex { scalarsEqual($0, key) }
    }

    /// Reading a missing key gives nil; assigning an existing key keeps its position
    /// (Python semantics); assigning nil removes the key.
    public subscript(key: String) -> JinjaValue? {
        get { index(of: key).map { values[$0] } }
        set {
            if let i = index(of: key) {
                if let v = newValue { values[i] = v } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let v = newValue {
                keys.append(key)
                values.append(v)
            }
        }
    }
}

extension JinjaValue: Equatable {
    /// Structural equality; strings by Unicode scalars, objects ignoring key order
    /// (Python `==`), `int(1) != double(1.0)` (the kinds differ).
    public static func == (a: JinjaValue, b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return scalarsEqual(x, y)
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }
}

extension JinjaObject: Equatable {
    public static func == (a: JinjaObject, b: JinjaObject) -> Bool {
        guard a.count == b.count else { return false }
        for (k, v) in a.pairs {
            guard let w = b[k], w == v else { return false }
        }
        return true
    }
}

extension JinjaValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JinjaValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JinjaValue)...) {
        self = .object(JinjaObject(elements))
    }
    public init(nilLiteral: ()) { self = .null }
}

/// Python string equality: same sequence of Unicode scalars.
@inline(__always)
func scalarsEqual(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}
