import Foundation

/// Which files of a dataset repository make up each split, decided as the `datasets`
/// library decides (`datasets.data_files`): the card's `configs` when it has them, else
/// the files pushed by `push_to_hub` (`data/<split>-NNNNN-of-NNNNN.*`), else split names
/// (train / validation / test and their synonyms) in folder or file names, else every data
/// file as `train`. Hidden files and folders (`.x`, `__x`) and non-data files (README.md,
/// .gitattributes, ...) are never data.
public struct DatasetSplits: Sendable, Equatable {
    /// Split name → repository paths, sorted; in the order the `datasets` library lists them.
    public var splits: [(name: String, files: [String])]
    /// The configuration these splits belong to (nil when the card names none).
    public var config: String?

    public static func == (a: DatasetSplits, b: DatasetSplits) -> Bool {
        a.config == b.config && a.splits.map(\.name) == b.splits.map(\.name) && a.splits.map(\.files) == b.splits.map(\.files)
    }

    public var names: [String] { splits.map(\.name) }

    public func files(of split: String) -> [String]? { splits.first { $0.name == split }?.files }

    /// The splits of `config` (nil: the card's default config, or the only one) among the
    /// repository's `files`.
    public init(files: [String], card: DatasetCard, config: String?) throws(DatasetSplitsError) {
        let candidates = files.filter(DatasetSplits.isCandidate).sorted()
        if card.configs.isEmpty {
            if let config, config != "default" {
                throw .configNotFound(config: config, available: ["default"])
            }
            self.config = nil
            splits = DatasetSplits.defaultSplits(candidates, base: "")
            return
        }
        let chosen = try DatasetSplits.choose(card.configs, config)
        self.config = chosen.name
        let base = chosen.dataDirectory.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        if chosen.splits.isEmpty {
            splits = DatasetSplits.defaultSplits(candidates.filter { $0.hasPrefix(base) }, base: base)
            return
        }
        var out: [(name: String, files: [String])] = []
        for (name, patterns) in chosen.splits {
            var matched: [String] = []
            for pattern in patterns {
                let glob = try DatasetGlob(base + pattern)
                matched += candidates.filter { glob.matches($0) && !matched.contains($0) }
            }
            out.append((name, matched.sorted()))
        }
        splits = out
    }

    static func choose(_ configs: [DatasetCard.Config], _ name: String?) throws(DatasetSplitsError) -> DatasetCard.Config {
        if let name {
            guard let c = configs.first(where: { $0.name == name }) else {
                throw .configNotFound(config: name, available: configs.map(\.name))
            }
            return c
        }
        if let c = configs.first(where: \.isDefault) ?? configs.first(where: { $0.name == "default" }) { return c }
        if configs.count == 1 { return configs[0] }
        throw .configRequired(available: configs.map(\.name))
    }

    // MARK: - Default patterns (datasets.data_files)

    static let defaultSplitOrder = ["train", "validation", "test"]
    static let splitKeywords: [(split: String, keywords: [String])] = [
        ("train", ["train", "training"]),
        ("validation", ["validation", "valid", "dev", "val"]),
        ("test", ["test", "testing", "eval", "evaluation"]),
    ]
    static let separators = "[-._ 0-9]"

    static func defaultSplits(_ files: [String], base: String) -> [(name: String, files: [String])] {
        // 1. push_to_hub's shards: data/<split>-00000-of-00001.parquet
        let sharded = try! DatasetGlob(base + "data/*-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*")
        let shardFiles = files.filter { sharded.matches($0) }
        if !shardFiles.isEmpty {
            var names: Set<String> = []
            for f in shardFiles {
                let name = (f as NSString).lastPathComponent
                // "<split>-NNNNN-of-NNNNN...": the split is what precedes the last "-NNNNN-of-".
                if let r = name.range(of: #"-[0-9]{5}-of-[0-9]{5}"#, options: [.regularExpression, .backwards]) {
                    names.insert(String(name[..<r.lowerBound]))
                }
            }
            let ordered = defaultSplitOrder.filter(names.contains) + names.subtracting(defaultSplitOrder).sorted()
            return ordered.map { split in
                let glob = try! DatasetGlob(base + "data/\(DatasetGlob.escape(split))-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*")
                return (split, files.filter { glob.matches($0) })
            }
        }
        // 2. Split names in folder names, then in file names.
        let sep = separators
        let inDirectory = ["**/{k}/**", "**/{k}\(sep)*/**", "**/*\(sep){k}/**", "**/*\(sep){k}\(sep)*/**"]
        let inFileName = ["**/{k}\(sep)*", "**/*\(sep){k}\(sep)*"]
        for templates in [inDirectory, inFileName] {
            var out: [(name: String, files: [String])] = []
            for (split, keywords) in splitKeywords {
                let globs = keywords.flatMap { k in templates.map { try! DatasetGlob(base + $0.replacingOccurrences(of: "{k}", with: k)) } }
                // The first pattern that matches anything gives the split all of its patterns' files.
                guard globs.contains(where: { g in files.contains { g.matches($0) } }) else { continue }
                out.append((split, files.filter { f in globs.contains { $0.matches(f) } }))
            }
            if !out.isEmpty { return out }
        }
        // 3. Everything is train.
        return files.isEmpty ? [] : [("train", files)]
    }

    // MARK: - Candidate files

    /// Extensions of data files (the `datasets` library's packaged formats), with an optional
    /// compression suffix.
    static let dataExtensions: Set<String> = [
        "parquet", "json", "jsonl", "csv", "tsv", "arrow", "txt", "xml", "sql", "hdf5", "h5", "pdf", "zip", "tar",
        "npz", "npy", "wav", "mp3", "flac", "ogg", "jpg", "jpeg", "png", "webp", "mp4", "lance",
    ]
    static let compressionExtensions: Set<String> = ["gz", "bz2", "xz", "zst", "lz4", "zstd"]

    static func isCandidate(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        if parts.contains(where: { $0.hasPrefix(".") || $0.hasPrefix("__") }) { return false }
        var ext = (path as NSString).pathExtension.lowercased()
        if compressionExtensions.contains(ext) {
            ext = ((path as NSString).deletingPathExtension as NSString).pathExtension.lowercased()
        }
        return dataExtensions.contains(ext)
    }

    /// Files Synpref reads: Parquet, JSON Lines or a JSON array, gzip allowed.
    public static func isReadable(_ path: String) -> Bool {
        let n = path.lowercased()
        return n.hasSuffix(".parquet") || n.hasSuffix(".json") || n.hasSuffix(".jsonl") || n.hasSuffix(".json.gz") || n.hasSuffix(".jsonl.gz")
    }
}

public enum DatasetSplitsError: Error, Sendable, Equatable {
    case configNotFound(config: String, available: [String])
    case configRequired(available: [String])
    case badPattern(pattern: String, reason: String)
}

/// A glob over repository paths with fsspec's rules as the `datasets` library uses them:
/// `*` and `?` within one path segment, `**` across segments (`**/x` matches `x` at the top
/// too), `[...]` character classes.
struct DatasetGlob: Sendable {
    let pattern: String
    private let regex: NSRegularExpression

    init(_ pattern: String) throws(DatasetSplitsError) {
        self.pattern = pattern
        var out = "^"
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if i + 1 < chars.count, chars[i + 1] == "*" {
                    let atStart = i == 0 || chars[i - 1] == "/"
                    if atStart, i + 2 < chars.count, chars[i + 2] == "/" {
                        out += "(?:.*/)?"
                        i += 3
                        continue
                    }
                    out += ".*"
                    i += 2
                    continue
                }
                out += "[^/]*"
            case "?":
                out += "[^/]"
            case "[":
                guard let close = chars[(i + 1)...].firstIndex(of: "]") else {
                    throw .badPattern(pattern: pattern, reason: "unclosed [")
                }
                var cls = String(chars[(i + 1)..<close])
                if cls.hasPrefix("!") { cls = "^" + cls.dropFirst() }
                cls = cls.replacingOccurrences(of: "\\", with: "\\\\")
                out += "[" + cls + "]"
                i = close + 1
                continue
            default:
                out += NSRegularExpression.escapedPattern(for: String(c))
            }
            i += 1
        }
        // "dir/**" also matches "dir" itself; nothing to add for files.
        out += "$"
        do { regex = try NSRegularExpression(pattern: out) } catch {
            throw .badPattern(pattern: pattern, reason: "\(error)")
        }
    }

    func matches(_ path: String) -> Bool {
        regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }

    /// `text` with glob characters made literal.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "*" || c == "?" || c == "[" { out += "[\(c)]" } else { out.append(c) }
        }
        return out
    }
}
