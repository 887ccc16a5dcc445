/// A Parquet schema as rows are built from it: the top-level fields, each a tree of
/// logical nodes (primitive, struct, list, map) with the definition and repetition levels
/// at which each exists, and the leaf columns in file order.
///
/// Lists follow the LIST annotation's three-level form (`group (LIST) { repeated group list
/// { element } }`) and the older two-level forms; a `repeated` field without annotation is
/// a list that is never null. Maps (`MAP`, `MAP_KEY_VALUE`) read as lists of `[key, value]`.
final class ParquetNode: @unchecked Sendable {
    enum Kind {
        case primitive(leaf: Int)
        case structure([ParquetNode])
        /// `repLevel`: the repetition level of the repeated node (a new element starts at it);
        /// `elementDef`: the definition level at which the list has at least one element.
        case list(element: ParquetNode, repLevel: Int, elementDef: Int)
        case map(key: ParquetNode, value: ParquetNode, repLevel: Int, elementDef: Int)
    }

    let name: String
    let kind: Kind
    /// Below this definition level the node is null (for required nodes it is their
    /// parent's level: they are never null on their own).
    let nullBelow: Int
    let nullable: Bool

    /// The leaf columns under this node, in file order.
    let leaves: [Int]
    /// A struct's field names, in order.
    let fieldNames: [String]

    init(name: String, kind: Kind, nullBelow: Int, nullable: Bool) {
        self.name = name
        self.kind = kind
        self.nullBelow = nullBelow
        self.nullable = nullable
        if case .structure(let fields) = kind { fieldNames = fields.map(\.name) } else { fieldNames = [] }
        switch kind {
        case .primitive(let leaf): leaves = [leaf]
        case .structure(let fields): leaves = fields.flatMap(\.leaves)
        case .list(let element, _, _): leaves = element.leaves
        case .map(let key, let value, _, _): leaves = key.leaves + value.leaves
        }
    }
}

struct ParquetLeaf: Sendable {
    var path: [String]
    var type: ParquetLeafType
    var maxDef: Int
    var maxRep: Int
}

struct ParquetSchema: Sendable {
    var fields: [ParquetNode] = []
    var leaves: [ParquetLeaf] = []

    /// Rejects a schema whose struct repeats a field name (rows could not hold both).
    static func checkUniqueNames(_ fields: [ParquetNode], in parent: String) throws {
        var seen = Set<String>()
        for f in fields {
            guard seen.insert(f.name).inserted else { throw ParquetFault("\(parent) has two fields named \(f.name)") }
            switch f.kind {
            case .structure(let inner): try checkUniqueNames(inner, in: f.name)
            case .list(let element, _, _): if case .structure(let inner) = element.kind { try checkUniqueNames(inner, in: element.name) }
            default: break
            }
        }
    }

    init(_ elements: [ParquetSchemaElement]) throws {
        guard let root = elements.first, root.numChildren > 0 || elements.count == 1 else { throw ParquetFault("the schema has no root") }
        var index = 1
        var leaves: [ParquetLeaf] = []
        func node(def: Int, rep: Int, path: [String]) throws -> ParquetNode {
            guard index < elements.count else { throw ParquetFault("the schema ends before all children are listed") }
            let e = elements[index]
            index += 1
            let repetition = e.repetition ?? .required
            let myDef = def + (repetition == .required ? 0 : 1)
            let myRep = rep + (repetition == .repeated ? 1 : 0)
            let myPath = path + [e.name]
            let isList = e.convertedType == 3 || e.logicalType == 3
            let isMap = e.convertedType == 1 || e.convertedType == 2 || e.logicalType == 2

            // The node as a value of its own (before a bare `repeated` wraps it in a list).
            func plain(def: Int, rep: Int) throws -> ParquetNode {
                if e.numChildren == 0 {
                    guard let physical = e.type else { throw ParquetFault("schema field \(e.name) has neither a type nor children") }
                    let isString = e.convertedType == 0 || e.logicalType == 1 || e.logicalType == 4 || e.logicalType == 12 || e.convertedType == 4 || e.convertedType == 19
                    let unsigned = (e.convertedType.map { (11...14).contains($0) } ?? false) || (e.logicalType == 10 && !e.integerSigned)
                    leaves.append(ParquetLeaf(path: myPath, type: ParquetLeafType(physical: physical, typeLength: Int(e.typeLength ?? 0), isString: isString,
                                                                                  isUnsigned: unsigned), maxDef: def, maxRep: rep))
                    return ParquetNode(name: e.name, kind: .primitive(leaf: leaves.count - 1), nullBelow: def, nullable: repetition == .optional)
                }
                if (isList || isMap) && repetition != .repeated {
                    // One repeated child.
                    guard e.numChildren == 1, index < elements.count else { throw ParquetFault("LIST/MAP field \(e.name) must have one repeated child") }
                    let child = elements[index]
                    guard child.repetition == .repeated else { throw ParquetFault("LIST/MAP field \(e.name)'s child is not repeated") }
                    let childDef = def + 1, childRep = rep + 1
                    if isMap {
                        index += 1
                        guard child.numChildren == 2 else { throw ParquetFault("MAP field \(e.name) needs a key and a value") }
                        let key = try node(def: childDef, rep: childRep, path: myPath + [child.name])
                        let value = try node(def: childDef, rep: childRep, path: myPath + [child.name])
                        return ParquetNode(name: e.name, kind: .map(key: key, value: value, repLevel: childRep, elementDef: childDef),
                                           nullBelow: def, nullable: repetition == .optional)
                    }
                    let element: ParquetNode
                    // Three-level form: the repeated group has one child, which is the element
                    // (unless the group is named "array" or "<name>_tuple", the old two-level
                    // forms whose repeated group is itself the element).
                    if child.numChildren == 1 && child.name != "array" && child.name != "\(e.name)_tuple" {
                        index += 1
                        element = try node(def: childDef, rep: childRep, path: myPath + [child.name])
                    } else {
                        element = try repeatedAsElement(def: childDef, rep: childRep, path: myPath)
                    }
                    return ParquetNode(name: e.name, kind: .list(element: element, repLevel: childRep, elementDef: childDef),
                                       nullBelow: def, nullable: repetition == .optional)
                }
                var fields: [ParquetNode] = []
                for _ in 0..<e.numChildren { fields.append(try node(def: def, rep: rep, path: myPath)) }
                return ParquetNode(name: e.name, kind: .structure(fields), nullBelow: def, nullable: repetition == .optional)
            }

            if repetition == .repeated {
                // A bare repeated field: a list of its values, never null, empty below myDef.
                let value = try plain(def: myDef, rep: myRep)
                return ParquetNode(name: e.name, kind: .list(element: value, repLevel: myRep, elementDef: myDef), nullBelow: def, nullable: false)
            }
            return try plain(def: myDef, rep: myRep)
        }

        /// The two-level list form: the repeated node itself is the element.
        func repeatedAsElement(def: Int, rep: Int, path: [String]) throws -> ParquetNode {
            let e = elements[index]
            index += 1
            let myPath = path + [e.name]
            if e.numChildren == 0 {
                guard let physical = e.type else { throw ParquetFault("schema field \(e.name) has neither a type nor children") }
                leaves.append(ParquetLeaf(path: myPath, type: ParquetLeafType(physical: physical, typeLength: Int(e.typeLength ?? 0),
                                                                              isString: e.convertedType == 0 || e.logicalType == 1, isUnsigned: false),
                                          maxDef: def, maxRep: rep))
                return ParquetNode(name: e.name, kind: .primitive(leaf: leaves.count - 1), nullBelow: def, nullable: false)
            }
            var fields: [ParquetNode] = []
            for _ in 0..<e.numChildren { fields.append(try node(def: def, rep: rep, path: myPath)) }
            return ParquetNode(name: e.name, kind: .structure(fields), nullBelow: def, nullable: false)
        }

        var fields: [ParquetNode] = []
        for _ in 0..<root.numChildren { fields.append(try node(def: 0, rep: 0, path: [])) }
        guard index == elements.count else { throw ParquetFault("the schema lists \(elements.count - index) element(s) no group claims") }
        try Self.checkUniqueNames(fields, in: "the schema")
        self.fields = fields
        self.leaves = leaves
    }
}
