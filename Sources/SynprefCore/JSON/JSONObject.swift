/// A JSON object that keeps its members in document order.
///
/// Order matters for faithful round trips and for canonical serializations. Keys are
/// unique (the parser merges a repeated key the way Python does), except in objects parsed
/// with `JSONParser.Options.keepDuplicateKeys`: those keep every member, lookups find the
/// last of a repeated key, and they have no key index (lookups are linear). Small objects (the common case: records with a handful of
/// fields) are searched linearly; objects with more than `indexThreshold` members build a
/// hash index once so that e.g. a 128k-entry tokenizer vocabulary is looked up in O(1).
/// Keys compare by code points (UTF-8 bytes), as in JSON and Python, not by Swift's
/// canonical equivalence: `"e\u0301"` and `"é"` are different keys (see `ExactText`).
public struct JSONObject: Sendable, Hashable, RandomAccessCollection {
    public typealias Element = (key: String, value: JSONValue)

    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]
    private var index: [ExactText: Int]?

    static let indexThreshold = 16

    public init() {
        keys = []
        values = []
        index = nil
    }

    /// Members in order; a repeated key keeps its first position and takes the last value.
    public init<S: Sequence>(_ members: S) where S.Element == (String, JSONValue) {
        self.init()
        for (k, v) in members { self[k] = v }
    }

    /// Builds from parallel arrays of unique keys (the parser's path), reusing its index.
    init(keys: [String], values: [JSONValue], index: [ExactText: Int]?) {
        self.keys = keys
        self.values = values
        self.index = index
        if index == nil { buildIndexIfLarge() }
    }

    /// Builds from parallel arrays whose keys the caller knows are unique (e.g. the fields of
    /// a schema); no lookups while building.
    public init(uniqueKeys keys: [String], values: [JSONValue]) {
        precondition(keys.count == values.count, "JSONObject: \(keys.count) keys for \(values.count) values")
        self.init(keys: keys, values: values, index: nil)
    }

    /// Members as parsed with `keepDuplicateKeys`: keys may repeat; no index is built.
    init(repeatingKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
        self.index = nil
    }

    private mutating func buildIndexIfLarge() {
        guard keys.count > JSONObject.indexThreshold else {
            index = nil
            return
        }
        var idx = [ExactText: Int](minimumCapacity: keys.count)
        for (i, k) in keys.enumerated() { idx[ExactText(k)] = i }
        index = idx
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { keys.count }
    public subscript(position: Int) -> Element { (keys[position], values[position]) }

    /// The value of the member named `key`, or nil. Setting replaces the value in place or
    /// appends a new member; setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            if let index { return index[ExactText(key)].map { values[$0] } }
            for i in keys.indices.reversed() where ExactText.same(keys[i], key) { return values[i] }
            return nil
        }
        set {
            if let newValue {
                if let i = position(of: key) {
                    values[i] = newValue
                } else {
                    keys.append(key)
                    values.append(newValue)
                    if index != nil { index?[ExactText(key)] = keys.count - 1 } else { buildIndexIfLarge() }
                }
            } else {
                guard let i = position(of: key) else { return }
                keys.remove(at: i)
                values.remove(at: i)
                buildIndexIfLarge()
            }
        }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[ExactText(key)] }
        return keys.lastIndex { ExactText.same($0, key) }
    }

    public func contains(key: String) -> Bool { position(of: key) != nil }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.keys.count == b.keys.count && zip(a.keys, b.keys).allSatisfy { ExactText.same($0, $1) } && a.values == b.values
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        hasher.combine(values)
    }
}

extension JSONObject: ExpressibleByArrayLiteral {
    /// Members in the order written: `["a": 1]`-style literals lose order in Swift, so ordered
    /// objects are written as `[("a", 1), ("b", 2)]`.
    public init(arrayLiteral members: (String, JSONValue)...) {
        self.init(members)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
