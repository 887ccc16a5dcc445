import Foundation
import SynprefCore
import SynprefModels

/// The official Hugging Face datasets of the benchmarks, which `synpref eval` fetches when no
/// `--data` is given: each resolved to one split at one commit in the Hugging Face cache,
/// then laid out as a data root the loaders read (one folder per benchmark holding
/// symlinks to the cached files, named so each loader tells its files apart).
public enum BenchmarkDatasets {
    /// One dataset split a benchmark reads.
    public struct Source: Sendable, Equatable {
        public var repository: String
        /// nil: the dataset's only split, else train.
        public var split: String?
        public var config: String?
        public var revision: String

        public init(_ repository: String, split: String?, config: String? = nil, revision: String = "main") {
            self.repository = repository
            self.split = split
            self.config = config
            self.revision = revision
        }

        public var reference: String { DatasetReference.scheme + repository + (revision == "main" ? "" : "@" + revision) }
    }

    /// Where each benchmark is published on the Hub (RMB is published on GitHub only).
    public static let sources: [String: [Source]] = [
        RewardBench.name: [Source("allenai/reward-bench", split: "filtered")],
        RewardBench2.name: [Source("allenai/reward-bench-2", split: "test")],
        PPE.name: [
            Source("lmarena-ai/PPE-Human-Preference-V1", split: "test"),
            Source("lmarena-ai/PPE-MMLU-Pro-Best-of-K", split: "train"),
            Source("lmarena-ai/PPE-MATH-Best-of-K", split: "train"),
            Source("lmarena-ai/PPE-GPQA-Best-of-K", split: "train"),
            Source("lmarena-ai/PPE-IFEval-Best-of-K", split: "train"),
            Source("lmarena-ai/PPE-MBPP-Plus-Best-of-K", split: "train"),
        ],
        RMBench.name: [Source("THU-KEG/RM-Bench", split: nil)],
        JudgeBench.name: [Source("ScalerLab/JudgeBench", split: "gpt"), Source("ScalerLab/JudgeBench", split: "claude")],
    ]

    /// Why a benchmark cannot be fetched from the Hub.
    public static func notOnTheHub(_ name: String) -> String {
        "\(name) is not published as a Hugging Face dataset. \(BenchmarkCatalog.whereToGet(name)) Then pass --data."
    }

    /// The benchmarks' data, fetched: a data root for `EvalRunner.load`, the datasets each
    /// benchmark read, and the benchmarks left out (with `all`) and why.
    public struct Fetched: Sendable {
        public var root: String
        public var datasets: [String: [ResolvedDataset]]
        public var skipped: [SkippedBenchmark]
    }

    /// Resolves (downloading what the cache lacks) the datasets of `selection` (a benchmark or
    /// `all`) and lays out a data root under `cacheRoot/benchmark-data/`. With `all`, a
    /// benchmark that cannot be fetched is skipped with the reason; a single one is an error.
    public static func fetch(
        _ selection: String, settings: HubSettings = .fromEnvironment(), cacheRoot: String = defaultCacheRoot(),
        progress: any ProgressObserver = SilentProgress()
    ) throws -> Fetched {
        let all = selection.lowercased() == "all"
        let names = all ? BenchmarkCatalog.names : [try BenchmarkCatalog.resolve(selection)]
        var datasets: [String: [ResolvedDataset]] = [:]
        var skipped: [SkippedBenchmark] = []
        for name in names {
            guard let list = sources[name] else {
                if all {
                    skipped.append(SkippedBenchmark(benchmark: name, reason: notOnTheHub(name)))
                    continue
                }
                throw EvalError.missingDataset(benchmark: name, path: "(no --data)", whereToGet: notOnTheHub(name))
            }
            do {
                var resolved: [ResolvedDataset] = []
                for source in list {
                    progress.report(ProgressEvent(task: "fetch \(name): \(source.reference)", completed: 0, total: nil, unit: "files"))
                    let r = try DatasetReference(parsing: source.reference).resolve(
                        split: source.split, config: source.config, settings: settings, progress: progress)
                    progress.report(ProgressEvent(task: "fetch \(name): \(source.reference)", completed: r.files.count, total: r.files.count, unit: "files"))
                    resolved.append(r)
                }
                datasets[name] = resolved
            } catch {
                guard all else { throw EvalError.fetchFailed(benchmark: name, reason: error.description) }
                skipped.append(SkippedBenchmark(benchmark: name, reason: "could not fetch it from the Hugging Face Hub: \(error.description)"))
            }
        }
        let root = try layOut(datasets, cacheRoot: cacheRoot)
        return Fetched(root: root, datasets: datasets, skipped: skipped)
    }

    /// `$SYNPREF_CACHE`, else `~/.cache/synpref`.
    public static func defaultCacheRoot() -> String {
        if let env = ProcessInfo.processInfo.environment["SYNPREF_CACHE"], !env.isEmpty { return env }
        return NSHomeDirectory() + "/.cache/synpref"
    }

    /// `cacheRoot/benchmark-data/<key>/<benchmark>/<Repo>.<split>.<n>.<ext>` → the cached
    /// files; the key names exactly these commits and splits, so a root is built once and
    /// never changes.
    static func layOut(_ datasets: [String: [ResolvedDataset]], cacheRoot: String) throws -> String {
        var plan: [(folder: String, name: String, target: String)] = []
        for (benchmark, list) in datasets.sorted(by: { $0.key < $1.key }) {
            for d in list {
                let repoName = d.repository.split(separator: "/").last.map(String.init) ?? d.repository
                for (i, file) in d.files.enumerated() {
                    let base = (file.path as NSString).lastPathComponent
                    let ext = base.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init) ?? "data"
                    plan.append((benchmark, "\(repoName).\(d.split).\(String(format: "%05d", i)).\(ext)", file.url.path))
                }
            }
        }
        let key = SHA256.hex(plan.map { "\($0.folder)/\($0.name) \($0.target)" }.joined(separator: "\n")).prefix(16)
        let root = (cacheRoot as NSString).appendingPathComponent("benchmark-data/\(key)")
        let fm = FileManager.default
        if fm.fileExists(atPath: root) { return root }
        let staging = root + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        do {
            try? fm.removeItem(atPath: staging)
            for entry in plan {
                let folder = (staging as NSString).appendingPathComponent(entry.folder)
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: (folder as NSString).appendingPathComponent(entry.name), withDestinationPath: entry.target)
            }
            try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
            do {
                try fm.moveItem(atPath: staging, toPath: root)
            } catch where fm.fileExists(atPath: root) {
                try? fm.removeItem(atPath: staging)  // another run laid out the same root
            }
        } catch {
            try? fm.removeItem(atPath: staging)
            throw EvalError.writeFailed(path: root, reason: error.localizedDescription)
        }
        return root
    }
}
