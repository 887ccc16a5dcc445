/// `Encodable` types written as Core `JSONValue`s, so files a type describes with `Codable`
/// (trainer state, reports) go out through the one JSON writer of the code base
/// (`JSONWriter`: compact or indented, keys in the order the type encodes them, numbers as
/// Python's `json` prints them). The counterpart of `JSONValueDecoder`.
///
/// Optionals encoded with `encodeIfPresent` are left out when nil; `encodeNil` writes null.
/// Non-finite floating-point values are an `EncodingError` (JSON has no NaN).
public struct JSONValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = EncodingBox()
        if let v = try scalar(value, path: []) { return v }
        try value.encode(to: ValueEncoder(box: root, codingPath: []))
        return root.resolved
    }
}

/// A value under construction; containers write into their box as they go.
private final class EncodingBox {
    var value: JSONValue?
    var object: [(String, EncodingBox)]?
    var array: [EncodingBox]?

    init() {}

    /// The finished value (containers resolved recursively).
    var resolved: JSONValue {
        if let object { return .object(JSONObject(object.map { ($0.0, $0.1.resolved) })) }
        if let array { return .array(array.map(\.resolved)) }
        return value ?? .null
    }
}

private struct ValueEncoder: Encoder {
    let box: EncodingBox
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if box.object == nil { box.object = [] }
        return KeyedEncodingContainer(KeyedContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if box.array == nil { box.array = [] }
        return UnkeyedContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(box: box, codingPath: codingPath)
    }
}

/// Encodes one value into a fresh box.
private func encodeValue<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> EncodingBox {
    let box = EncodingBox()
    if let scalar = try scalar(value, path: path) {
        box.value = scalar
    } else {
        try value.encode(to: ValueEncoder(box: box, codingPath: path))
    }
    return box
}

/// Scalars written directly (so a `Double` is a number, not a keyed container).
private func scalar<T: Encodable>(_ value: T, path: [any CodingKey]) throws -> JSONValue? {
    switch value {
    case let v as String: return .string(v)
    case let v as Bool: return .bool(v)
    case let v as any BinaryInteger:
        // Every integer type (a type's own encode(to:) would call back into this encoder).
        guard let i = Int(exactly: v) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "\(v) does not fit a 64-bit signed JSON integer"))
        }
        return .integer(i)
    case let v as Double: return try finite(v, path)
    case let v as Float: return try finite(Double(v), path)
    case let v as any BinaryFloatingPoint: return try finite(Double(v), path)
    default: return nil
    }
}

private func finite(_ d: Double, _ path: [any CodingKey]) throws -> JSONValue {
    guard d.isFinite else {
        throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "\(d) cannot be written as JSON"))
    }
    return .double(d)
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncodingBox
    let codingPath: [any CodingKey]

    private func put(_ key: Key, _ child: EncodingBox) {
        let existing = box.object?.firstIndex { $0.0 == key.stringValue }
        if let i = existing {
            box.object?[i] = (key.stringValue, child)
        } else {
            box.object?.append((key.stringValue, child))
        }
    }

    mutating func encodeNil(forKey key: Key) throws {
        let b = EncodingBox()
        b.value = .null
        put(key, b)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(key, try encodeValue(value, path: codingPath + [key]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let b = EncodingBox()
        b.object = []
        put(key, b)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: b, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let b = EncodingBox()
        b.array = []
        put(key, b)
        return UnkeyedContainer(box: b, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let b = EncodingBox()
        put(key, b)
        return ValueEncoder(box: b, codingPath: codingPath + [key])
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let box: EncodingBox
    let codingPath: [any CodingKey]
    var count: Int { box.array?.count ?? 0 }

    mutating func encodeNil() throws {
        let b = EncodingBox()
        b.value = .null
        box.array?.append(b)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = try encodeValue(value, path: codingPath + [IndexKey(count)])
        box.array?.append(child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let b = EncodingBox()
        b.object = []
        box.array?.append(b)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(box: b, codingPath: codingPath + [IndexKey(count - 1)]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let b = EncodingBox()
        b.array = []
        box.array?.append(b)
        return UnkeyedContainer(box: b, codingPath: codingPath + [IndexKey(count - 1)])
    }

    mutating func superEncoder() -> any Encoder {
        let b = EncodingBox()
        box.array?.append(b)
        return ValueEncoder(box: b, codingPath: codingPath + [IndexKey(count - 1)])
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let box: EncodingBox
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.value = .null }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = try encodeValue(value, path: codingPath)
        box.value = child.value
        box.object = child.object
        box.array = child.array
    }
}
