import SynprefCore

/// Rows from decoded leaf columns (definition levels, repetition levels, non-null values):
/// the record assembly of the Dremel paper. For each row and each top-level field, every
/// leaf under the field contributes the run of its entries that belongs to the row; lists
/// split those runs where the repetition level says a new element starts, structs pass
/// them to their fields, and the definition level of an entry says how deep the value
/// exists (null, empty list, or a value).
final class ParquetColumnData {
    var defs: [UInt32]?
    var reps: [UInt32]?
    var values: [JSONValue]
    var count: Int
    let maxDef: Int
    var nextValue = 0

    init(defs: [UInt32]?, reps: [UInt32]?, values: [JSONValue], count: Int, maxDef: Int) {
        self.defs = defs
        self.reps = reps
        self.values = values
        self.count = count
        self.maxDef = maxDef
    }

    @inline(__always) func def(_ i: Int) -> Int { defs.map { Int($0[i]) } ?? maxDef }
    @inline(__always) func rep(_ i: Int) -> Int { reps.map { Int($0[i]) } ?? 0 }
}

struct ParquetRecordAssembler {
    /// Decoded columns by leaf index (nil: not selected).
    var columns: [ParquetColumnData?]
    /// Next entry of each leaf.
    private var cursor: [Int]
    /// Each leaf's entries for the value being built (indexed by leaf).
    private var ranges: [Range<Int>]

    init(columns: [Int: ParquetColumnData], leafCount: Int) {
        self.columns = Array(repeating: nil, count: leafCount)
        for (k, v) in columns { self.columns[k] = v }
        cursor = Array(repeating: 0, count: leafCount)
        ranges = Array(repeating: 0..<0, count: leafCount)
    }

    /// The next row of the given top-level fields, or nil after the last.
    mutating func nextRow(_ fields: [ParquetNode], names: [String]) throws -> JSONObject? {
        guard let any = fields.first?.leaves.first, let data = columns[any], cursor[any] < data.count else { return nil }
        var row: [JSONValue] = []
        row.reserveCapacity(fields.count)
        for field in fields {
            // A top-level primitive column: one entry per row.
            if case .primitive(let leaf) = field.kind, let data = columns[leaf], data.reps == nil {
                let i = cursor[leaf]
                guard i < data.count else { throw ParquetFault("column \(field.name) has fewer rows than the others") }
                cursor[leaf] = i + 1
                if data.def(i) < data.maxDef {
                    row.append(.null)
                } else {
                    guard data.nextValue < data.values.count else { throw ParquetFault("column \(field.name) has fewer values than its levels say") }
                    row.append(data.values[data.nextValue])
                    data.nextValue += 1
                }
                continue
            }
            for leaf in field.leaves {
                guard let data = columns[leaf] else { throw ParquetFault("column \(leaf) was not decoded") }
                let start = cursor[leaf]
                guard start < data.count else { throw ParquetFault("column \(leaf) has fewer rows than the others") }
                var end = start + 1
                if data.reps != nil { while end < data.count && data.rep(end) != 0 { end += 1 } }
                ranges[leaf] = start..<end
                cursor[leaf] = end
            }
            row.append(try build(field))
        }
        return JSONObject(uniqueKeys: names, values: row)
    }

    /// Builds `node`'s value from the entries in `ranges` (for its leaves).
    private mutating func build(_ node: ParquetNode) throws -> JSONValue {
        let first = node.leaves[0]
        let range = ranges[first]
        guard !range.isEmpty else { throw ParquetFault("no entries for field \(node.name)") }
        let d = columns[first]!.def(range.lowerBound)
        if node.nullable && d < node.nullBelow {
            try consumeNulls(node)
            return .null
        }
        switch node.kind {
        case .primitive(let leaf):
            guard ranges[leaf].count == 1 else { throw ParquetFault("field \(node.name) repeats where the schema does not allow it") }
            let data = columns[leaf]!
            if d < data.maxDef { return .null }
            let i = data.nextValue
            guard i < data.values.count else { throw ParquetFault("column \(node.name) has fewer values than its levels say") }
            data.nextValue = i + 1
            return data.values[i]
        case .structure(let fields):
            var values: [JSONValue] = []
            values.reserveCapacity(fields.count)
            for f in fields { values.append(try build(f)) }
            return .object(JSONObject(uniqueKeys: node.fieldNames, values: values))
        case .list(let element, let repLevel, let elementDef):
            if d < elementDef {
                try consumeNulls(node)
                return .array([])
            }
            return .array(try elements(node, at: repLevel) { try $0.build(element) })
        case .map(let key, let value, let repLevel, let elementDef):
            if d < elementDef {
                try consumeNulls(node)
                return .array([])
            }
            return .array(try elements(node, at: repLevel) { .array([try $0.build(key), try $0.build(value)]) })
        }
    }

    /// Cuts each leaf's run where a new element starts (every leaf must give the same count)
    /// and builds each element with the leaves' runs narrowed to it.
    private mutating func elements(_ node: ParquetNode, at repLevel: Int, _ body: (inout ParquetRecordAssembler) throws -> JSONValue) throws -> [JSONValue] {
        let saved = node.leaves.map { ranges[$0] }
        var starts: [[Int]] = []
        for (k, leaf) in node.leaves.enumerated() {
            let data = columns[leaf]!
            let r = saved[k]
            var s = [r.lowerBound]
            for i in (r.lowerBound + 1)..<r.upperBound {
                let rep = data.rep(i)
                if rep < repLevel { throw ParquetFault("repetition level \(rep) inside a list at level \(repLevel)") }
                if rep == repLevel { s.append(i) }
            }
            if let n = starts.first?.count, n != s.count { throw ParquetFault("the columns of \(node.name) disagree on the number of list elements") }
            starts.append(s)
        }
        let count = starts[0].count
        var out: [JSONValue] = []
        out.reserveCapacity(count)
        for e in 0..<count {
            for (k, leaf) in node.leaves.enumerated() {
                let s = starts[k]
                ranges[leaf] = s[e]..<(e + 1 < s.count ? s[e + 1] : saved[k].upperBound)
            }
            out.append(try body(&self))
        }
        for (k, leaf) in node.leaves.enumerated() { ranges[leaf] = saved[k] }
        return out
    }

    /// A null or empty value has exactly one entry (without a value) in each leaf.
    private func consumeNulls(_ node: ParquetNode) throws {
        for leaf in node.leaves where ranges[leaf].count != 1 {
            throw ParquetFault("field \(node.name) is null or empty but has \(ranges[leaf].count) entries in one column")
        }
    }
}
