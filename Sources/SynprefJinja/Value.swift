/// A value while a template runs: Python's object model as far as chat templates see it.
///
/// Lists, tuples and dicts are Swift values: the immutable sandbox transformers uses
/// forbids mutating them (`append`, `update`, ... are security errors), so copies can
/// never be observed. Namespaces, one-shot iterators and loop objects are references,
/// as in Python.
enum Value {
    case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// `markupsafe.Markup`, from `|safe` or `|escape`.
    case markup(String)
    case list([Value])
    case tuple([Value])
    case dict(PyDict)
    case namespace(Namespace)
    /// A one-shot Python iterator (generator, `reversed(...)`): truthy even when empty,
    /// has no length, is consumed by iteration.
    case iterator(PyIterator)
    /// `dict.items()`, `.keys()`, `.values()`: re-iterable, sized, printed with their type.
    case view(ViewKind, [Value])
    case range(start: Int, stop: Int, step: Int)
    case callable(Callable)
    case loop(LoopState)

}

enum ViewKind: String {
    case items = "dict_items"
    case keys = "dict_keys"
    case values = "dict_values"
}

/// jinja2's `Undefined`: prints as "", is falsy, iterates as empty; anything else raises.
struct Undefined {
    /// The message of the error raised when the value is used.
    var message: String
    /// A sandbox refusal (unsafe attribute) rather than a missing value.
    var isSecurity = false

    static func named(_ name: String) -> Undefined {
        Undefined(message: "'\(name)' is undefined")
    }
}

/// Python's hashing identity for dict keys and sets: `1`, `1.0` and `True` are the same key.
enum PyKey: Hashable {
    case none
    case int(Int)
    case float(Double)
    case string([UInt8])
    case tuple([PyKey])
}

/// An insertion-ordered dict with Python key semantics. Copy-on-write over one class
/// reference, so passing dicts (messages) around costs a single retain.
struct PyDict {
    private final class Storage {
        var keys: [Value] = []
        var values: [Value] = []
        var hashKeys: [PyKey] = []
        /// Built only for larger dicts; small ones (messages) are scanned.
        var index: [PyKey: Int]? = nil

        func copy() -> Storage {
            let c = Storage()
            c.keys = keys
            c.values = values
            c.hashKeys = hashKeys
            c.index = index
            return c
        }
    }

    private var storage = Storage()

    init() {}

    var count: Int { storage.keys.count }
    var keys: [Value] { storage.keys }
    var values: [Value] { storage.values }

    func position(_ key: PyKey) -> Int? {
        if let index = storage.index { return index[key] }
        return storage.hashKeys.firstIndex(of: key)
    }

    func get(_ key: PyKey) -> Value? {
        position(key).map { storage.values[$0] }
    }

    /// Fast path for string keys (attribute-style access on messages).
    func get(string s: String) -> Value? {
        if storage.index != nil { return get(.string(Array(s.utf8))) }
        for (i, k) in storage.keys.enumerated() {
            switch k {
            case .string(let ks), .markup(let ks):
                if scalarsEqual(ks, s) { return storage.values[i] }
            default: continue
            }
        }
        return nil
    }

    mutating func set(_ key: Value, hash: PyKey, _ value: Value) {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        if let i = position(hash) {
            storage.values[i] = value
            return
        }
        storage.keys.append(key)
        storage.values.append(value)
        storage.hashKeys.append(hash)
        if storage.index != nil {
            storage.index?[hash] = storage.keys.count - 1
        } else if storage.keys.count > 12 {
            var d: [PyKey: Int] = [:]
            for (i, k) in storage.hashKeys.enumerated() { d[k] = i }
            storage.index = d
        }
    }

    var items: [(Value, Value)] { (0..<storage.keys.count).map { (storage.keys[$0], storage.values[$0]) } }
}

/// `namespace(...)`: the one mutable object templates can change (`set ns.x = ...`).
final class Namespace {
    var attrs: PyDict
    init(_ attrs: PyDict) { self.attrs = attrs }
}

/// A Python iterator over precomputed items: consumed once, truthy, unsized.
final class PyIterator {
    /// Python's type name (`generator`, `list_reverseiterator`, ...), for messages.
    let typeName: String
    private let items: [Value]
    private var position = 0

    init(typeName: String, items: [Value]) {
        self.typeName = typeName
        self.items = items
    }

    func next() -> Value? {
        guard position < items.count else { return nil }
        defer { position += 1 }
        return items[position]
    }

    /// Everything not yet consumed; consumes it.
    func drain() -> [Value] {
        defer { position = items.count }
        return Array(items[position...])
    }
}

/// A function the template can call: built-in globals, macros, bound methods.
final class Callable {
    let name: String
    let call: (_ args: [Value], _ kwargs: [(String, Value)], _ at: SourceLocation) throws -> Value

    init(name: String, call: @escaping ([Value], [(String, Value)], SourceLocation) throws -> Value) {
        self.name = name
        self.call = call
    }
}

/// jinja2's `LoopContext` for one iteration of a `for` loop.
final class LoopState {
    let items: [Value]
    var index0 = 0
    var lastChanged: [Value]? = nil

    init(items: [Value]) { self.items = items }

    var length: Int { items.count }
}

extension Value {
    /// Python `type(x).__name__`, for error messages.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .iterator(let it): return it.typeName
        case .view(let k, _): return k.rawValue
        case .range: return "range"
        case .callable: return "function"
        case .loop: return "LoopContext"
        }
    }

    /// jinja2's `object_type_repr`, used in "'dict object' has no attribute 'x'".
    var objectTypeRepr: String {
        switch self {
        case .none: return "None"
        default: return "\(typeName) object"
        }
    }

    var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The text of a string or Markup.
    var stringPayload: String? {
        switch self {
        case .string(let s), .markup(let s): return s
        default: return nil
        }
    }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s), .markup(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return d.count > 0
        case .view(_, let a): return !a.isEmpty
        case .range(let a, let b, let s): return rangeCount(a, b, s) > 0
        case .namespace, .iterator, .callable, .loop: return true
        }
    }
}

/// `len(range(start, stop, step))`.
func rangeCount(_ start: Int, _ stop: Int, _ step: Int) -> Int {
    // Computed on magnitudes so ranges spanning the whole Int domain do not overflow;
    // a count beyond Int.max saturates (such ranges are refused by MAX_RANGE anyway).
    let span: UInt
    let stride: UInt
    if step > 0 {
        guard start < stop else { return 0 }
        span = UInt(bitPattern: stop &- start) - 1
        stride = UInt(step)
    } else {
        guard start > stop else { return 0 }
        span = UInt(bitPattern: start &- stop) - 1
        stride = step.magnitude
    }
    let q = span / stride
    return q >= UInt(Int.max) ? Int.max : Int(q) + 1
}
