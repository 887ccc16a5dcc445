import SynprefCore

/// Rows from decoded leaf columns (definition levels, repetition levels, non-null values):
/// the record assembly of the Dremel paper. For each row and each top-level field, every
/// leaf under the field contributes the run of its entries that belongs to the row; lists
/// split those runs where the repetition level says a new element starts, structs pass
/// them to their fields, and the definition level of an entry says how deep the value
/// exists (null, empty list, or a value).
struct ParquetColumnData {
    var defs: [UInt32]?
    var reps: [UInt32]?
    var values: [JSONValue]
    var count: Int
    var maxDef: Int
    var nextValue = 0

    func def(_ i: Int) -> Int { defs.map { Int($0[i]) } ?? maxDef }
    func rep(_ i: Int) -> Int { reps.map { Int($0[i]) } ?? 0 }
}

struct ParquetRecordAssembler {
    var columns: [Int: ParquetColumnData]
    /// Next entry of each leaf.
    private var cursor: [Int: Int] = [:]

    init(columns: [Int: ParquetColumnData]) {
        self.columns = columns
        for k in columns.keys { cursor[k] = 0 }
    }

    /// The next row of the given top-level fields, or nil after the last.
    mutating func nextRow(_ fields: [ParquetNode]) throws -> JSONObject? {
        guard let any = columns.keys.min(), let c = cursor[any], c < columns[any]!.count else { return nil }
        var row = JSONObject()
        for field in fields {
            var ranges: [Int: Range<Int>] = [:]
            for leaf in field.leaves {
                guard let data = columns[leaf], let start = cursor[leaf] else { throw ParquetFault("column \(leaf) was not decoded") }
                guard start < data.count else { throw ParquetFault("column \(leaf) has fewer rows than the others") }
                var end = start + 1
                while end < data.count && data.rep(end) != 0 { end += 1 }
                ranges[leaf] = start..<end
                cursor[leaf] = end
            }
            row[field.name] = try build(field, ranges)
        }
        return row
    }

    private mutating func build(_ node: ParquetNode, _ ranges: [Int: Range<Int>]) throws -> JSONValue {
        guard let first = node.leaves.first, let range = ranges[first], !range.isEmpty else { throw ParquetFault("no entries for field \(node.name)") }
        let d = columns[first]!.def(range.lowerBound)
        if node.nullable && d < node.nullBelow {
            try consumeNulls(node, ranges)
            return .null
        }
        switch node.kind {
        case .primitive(let leaf):
            guard let r = ranges[leaf], r.count == 1 else { throw ParquetFault("field \(node.name) repeats where the schema does not allow it") }
            var data = columns[leaf]!
            defer { columns[leaf] = data }
            if data.def(r.lowerBound) < data.maxDef { return .null }
            guard data.nextValue < data.values.count else { throw ParquetFault("column \(node.name) has fewer values than its levels say") }
            let v = data.values[data.nextValue]
            data.nextValue += 1
            return v
        case .structure(let fields):
            var o = JSONObject()
            for f in fields { o[f.name] = try build(f, ranges) }
            return .object(o)
        case .list(let element, let repLevel, let elementDef):
            if d < elementDef {
                try consumeNulls(node, ranges)
                return .array([])
            }
            let parts = try split(node, ranges, at: repLevel)
            return .array(try parts.map { try build(element, $0) })
        case .map(let key, let value, let repLevel, let elementDef):
            if d < elementDef {
                try consumeNulls(node, ranges)
                return .array([])
            }
            let parts = try split(node, ranges, at: repLevel)
            return .array(try parts.map { .array([try build(key, $0), try build(value, $0)]) })
        }
    }

    /// Each leaf's run cut where a new element starts; every leaf must give the same count.
    private func split(_ node: ParquetNode, _ ranges: [Int: Range<Int>], at repLevel: Int) throws -> [[Int: Range<Int>]] {
        var parts: [[Int: Range<Int>]] = []
        for leaf in node.leaves {
            let data = columns[leaf]!
            let r = ranges[leaf]!
            var starts = [r.lowerBound]
            for i in (r.lowerBound + 1)..<r.upperBound where data.rep(i) <= repLevel {
                guard data.rep(i) == repLevel else { throw ParquetFault("repetition level \(data.rep(i)) inside a list at level \(repLevel)") }
                starts.append(i)
            }
            if parts.isEmpty {
                parts = Array(repeating: [:], count: starts.count)
            } else if parts.count != starts.count {
                throw ParquetFault("the columns of \(node.name) disagree on the number of list elements")
            }
            for (k, s) in starts.enumerated() { parts[k][leaf] = s..<(k + 1 < starts.count ? starts[k + 1] : r.upperBound) }
        }
        return parts
    }

    /// A null or empty value has exactly one entry (without a value) in each leaf.
    private func consumeNulls(_ node: ParquetNode, _ ranges: [Int: Range<Int>]) throws {
        for leaf in node.leaves where ranges[leaf]?.count != 1 {
            throw ParquetFault("field \(node.name) is null or empty but has \(ranges[leaf]?.count ?? 0) entries in one column")
        }
    }
}
