/// The `configs` of a dataset card: the YAML front matter of a dataset repository's
/// README.md, which names each configuration's data files per split, as the `datasets`
/// library reads it.
///
/// Only the `configs` block is read, with the YAML subset such blocks are written in:
/// block mappings and sequences, plain, single- and double-quoted scalars, flow sequences
/// (`[a, b]`) and comments. Other keys (`dataset_info`, `license`, ...) are skipped unread.
public struct DatasetCard: Sendable, Equatable {
    public struct Config: Sendable, Equatable {
        public var name: String
        public var isDefault: Bool
        /// `data_dir`: the folder the patterns are relative to, if any.
        public var dataDirectory: String?
        /// Split name → glob patterns, in the card's order; empty when the config names only
        /// `data_dir` (its files are then split by the default patterns).
        public var splits: [(name: String, patterns: [String])]

        public static func == (a: Config, b: Config) -> Bool {
            a.name == b.name && a.isDefault == b.isDefault && a.dataDirectory == b.dataDirectory
                && a.splits.map(\.name) == b.splits.map(\.name) && a.splits.map(\.patterns) == b.splits.map(\.patterns)
        }
    }

    public var configs: [Config]

    /// Reads the card; a README without front matter or without `configs` has none.
    public init(readme text: String) throws(DatasetCardError) {
        configs = []
        guard let block = DatasetCard.configsBlock(text) else { return }
        var parser = YAMLBlockParser(lines: block.lines, firstLineNumber: block.firstLine)
        let node = try parser.parseDocument()
        guard case .sequence(let items) = node else {
            throw DatasetCardError(line: block.firstLine, reason: "configs must be a list of configurations")
        }
        for item in items {
            guard case .mapping(let fields) = item.node else {
                throw DatasetCardError(line: item.line, reason: "each entry of configs must be a mapping with config_name and data_files")
            }
            configs.append(try DatasetCard.config(fields, line: item.line))
        }
    }

    static func config(_ fields: [(String, YAMLNode, Int)], line: Int) throws(DatasetCardError) -> Config {
        var name = "default"
        var isDefault = false
        var dataDirectory: String?
        var splits: [(name: String, patterns: [String])] = []
        for (key, value, valueLine) in fields {
            switch key {
            case "config_name":
                guard case .scalar(let s) = value else { throw DatasetCardError(line: valueLine, reason: "config_name must be a string") }
                name = s
            case "default":
                guard case .scalar(let s) = value else { throw DatasetCardError(line: valueLine, reason: "default must be true or false") }
                isDefault = ["true", "True", "TRUE", "yes"].contains(s)
            case "data_dir":
                guard case .scalar(let s) = value else { throw DatasetCardError(line: valueLine, reason: "data_dir must be a string") }
                dataDirectory = s
            case "data_files":
                splits = try dataFiles(value, line: valueLine)
            default:
                continue
            }
        }
        return Config(name: name, isDefault: isDefault, dataDirectory: dataDirectory, splits: splits)
    }

    /// `data_files`: a pattern, a list of patterns (both: split "train"), or a list of
    /// `{split, path}`.
    static func dataFiles(_ node: YAMLNode, line: Int) throws(DatasetCardError) -> [(name: String, patterns: [String])] {
        switch node {
        case .scalar(let s):
            return [("train", [s])]
        case .sequence(let items):
            if items.allSatisfy({ if case .scalar = $0.node { return true } else { return false } }) {
                return [("train", items.compactMap { if case .scalar(let s) = $0.node { return s } else { return nil } })]
            }
            var out: [(name: String, patterns: [String])] = []
            for item in items {
                guard case .mapping(let fields) = item.node,
                    let split = fields.first(where: { $0.0 == "split" }), case .scalar(let splitName) = split.1,
                    let path = fields.first(where: { $0.0 == "path" })
                else {
                    throw DatasetCardError(line: item.line, reason: "each entry of data_files needs split and path")
                }
                out.append((splitName, try patterns(path.1, line: path.2)))
            }
            return out
        case .mapping:
            // As the `datasets` library: a mapping split → paths is not a data_files form.
            throw DatasetCardError(line: line, reason: "data_files must be a path, a list of paths or a list of {split, path}")
        case .null:
            throw DatasetCardError(line: line, reason: "data_files is empty")
        }
    }

    static func patterns(_ node: YAMLNode, line: Int) throws(DatasetCardError) -> [String] {
        switch node {
        case .scalar(let s): return [s]
        case .sequence(let items):
            var out: [String] = []
            for item in items {
                guard case .scalar(let s) = item.node else { throw DatasetCardError(line: item.line, reason: "a path must be a string") }
                out.append(s)
            }
            return out
        default:
            throw DatasetCardError(line: line, reason: "path must be a string or a list of strings")
        }
    }

    /// The lines of the front matter's top-level `configs:` value, and the README line the
    /// first of them is on.
    static func configsBlock(_ text: String) -> (lines: [Substring], firstLine: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        guard let first = lines.first, first.trimmingTrailingSpaces == "---" else { return nil }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingTrailingSpaces == "---" || $0.trimmingTrailingSpaces == "..." }) else {
            return nil
        }
        let front = lines[1..<end]
        guard let start = front.firstIndex(where: { $0.hasPrefix("configs:") }) else { return nil }
        let inline = front[start].dropFirst("configs:".count)
        var block: [Substring] = []
        if !inline.trimmingTrailingSpaces.isEmpty && !inline.trimmingTrailingSpaces.hasPrefix(" #") {
            block.append(Substring("  " + inline.drop(while: { $0 == " " })))
        }
        var i = start + 1
        while i < end {
            let line = front[i]
            // The block ends at the next top-level key (a sequence may sit at column 0).
            if let c = line.first, c != " ", c != "-", c != "#" { break }
            block.append(line)
            i += 1
        }
        return (block, inline.trimmingTrailingSpaces.isEmpty ? start + 2 : start + 1)
    }
}

/// A problem in a dataset card's `configs`, with its README line.
public struct DatasetCardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "README.md line \(line): \(reason)" }
}

extension Substring {
    var trimmingTrailingSpaces: Substring {
        var s = self
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}
