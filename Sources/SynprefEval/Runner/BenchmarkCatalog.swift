import Foundation

/// The benchmarks `synpref eval` knows, the folder each lives in under an `--data` root laid
/// out like shared/data/benchmarks/, and where to get the ones that are missing.
public enum BenchmarkCatalog {
    /// In the paper's column order.
    public static let names = [RewardBench.name, RewardBench2.name, PPE.name, RMB.name, RMBench.name, JudgeBench.name]
    /// Benchmarks that `all` evaluates only when their folder exists, without a skip note
    /// otherwise: your own preference pairs (`pairs/`, e.g. a held-out split).
    public static let optionalNames = [PreferencePairs.name]

    static let aliases: [String: String] = [
        "rb1": RewardBench.name, "rewardbench1": RewardBench.name, "reward-bench": RewardBench.name,
        "rb2": RewardBench2.name, "rewardbench-2": RewardBench2.name, "reward-bench-2": RewardBench2.name,
        "rmbench": RMBench.name, "ppe-preference": PPE.name, "ppe-correctness": PPE.name,
        "preference-pairs": PreferencePairs.name,
    ]

    /// The canonical name of `name` (or an alias).
    public static func resolve(_ name: String) throws -> String {
        let n = name.lowercased()
        if names.contains(n) || optionalNames.contains(n) { return n }
        if let a = aliases[n] { return a }
        throw EvalError.unknownBenchmark(name: name, known: names + optionalNames)
    }

    public static func whereToGet(_ name: String) -> String {
        switch name {
        case RewardBench.name: return RewardBench.whereToGet
        case RewardBench2.name: return RewardBench2.whereToGet
        case PPE.name: return PPE.whereToGet
        case RMB.name: return RMB.whereToGet
        case RMBench.name: return RMBench.whereToGet
        case PreferencePairs.name: return PreferencePairs.whereToGet
        default: return JudgeBench.whereToGet
        }
    }

    /// The folder of `name` under a data root (`judgebench/`, `rm-bench/`, …).
    public static func folder(_ name: String) -> String { name }

    /// `root/<folder>` when it exists, else `root` itself (so `--data` may point at either).
    /// A root laid out for `all` (it holds another benchmark's folder) but lacking this one is
    /// missing data, not data to read.
    public static func dataPath(_ name: String, root: String) throws -> String {
        let sub = (root as NSString).appendingPathComponent(folder(name))
        if DataFile.isDirectory(sub) { return sub }
        if names.contains(where: { DataFile.isDirectory((root as NSString).appendingPathComponent(folder($0))) }) {
            throw EvalError.missingDataset(benchmark: name, path: sub, whereToGet: whereToGet(name))
        }
        return root
    }

    public static func load(_ name: String, path: String) throws -> any LoadedBenchmark {
        switch name {
        case RewardBench.name: return try RewardBench.load(path)
        case RewardBench2.name: return try RewardBench2.load(path)
        case PPE.name: return try PPE.load(path)
        case RMB.name: return try RMB.load(path)
        case RMBench.name: return try RMBench.load(path)
        case JudgeBench.name: return try JudgeBench.load(path)
        case PreferencePairs.name: return try PreferencePairs.load(path)
        default: throw EvalError.unknownBenchmark(name: name, known: names + optionalNames)
        }
    }
}
