import Foundation
import SynprefCore

/// The first-turn prompts of evaluation benchmarks, read from a folder laid out like
/// `shared/data/benchmarks/`: each first-level subfolder is one benchmark (its name is
/// the benchmark's name), holding JSON / JSON Lines files (gzip allowed) at any depth.
///
/// The first-turn prompt of a record is, first match wins: the first user turn of
/// `conversation_input` (RMB), `question` (JudgeBench), `prompt` as a string (RM-Bench,
/// RewardBench, RewardBench 2) or the first user turn of `prompt` as a message list.
/// Records with none of these (and non-JSON files) are counted as skipped.
public struct BenchmarkPromptSet: Sendable {
    public struct Benchmark: Sendable, Hashable {
        public var name: String
        public var files: Int
        /// Distinct first-turn prompts.
        public var prompts: Int
        public var skippedRecords: Int
    }

    public var benchmarks: [Benchmark]
    /// (index into `benchmarks`, prompt text), distinct per benchmark.
    public var prompts: [(benchmark: Int, text: String)]

    public static func load(directory: String) throws -> BenchmarkPromptSet {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw DecontaminationError.notADirectory(directory)
        }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw DecontaminationError.notADirectory(directory)
        }
        var files: [URL] = []
        for case let url as URL in walker {
            let name = url.lastPathComponent
            if [".json", ".jsonl", ".json.gz", ".jsonl.gz"].contains(where: { name.hasSuffix($0) }) { files.append(url) }
        }
        files.sort { $0.path < $1.path }
        var order: [String] = []
        var byName: [String: Benchmark] = [:]
        var seen: [String: Set<String>] = [:]
        var prompts: [(String, String)] = []
        let rootComponents = root.pathComponents.count
        for url in files {
            let rel = Array(url.standardizedFileURL.pathComponents.dropFirst(rootComponents))
            var name = rel.count > 1 ? rel[0] : url.lastPathComponent
            if rel.count <= 1 {
                for ext in [".gz", ".jsonl", ".json"] where name.hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
            }
            if byName[name] == nil {
                order.append(name)
                byName[name] = Benchmark(name: name, files: 0, prompts: 0, skippedRecords: 0)
            }
            byName[name]!.files += 1
            let reader = try JSONRecordReader(path: url.path)
            while let record = try reader.next() {
                guard let value = try? record.parse(), let text = firstTurnPrompt(value) else {
                    byName[name]!.skippedRecords += 1
                    continue
                }
                if seen[name, default: []].insert(text).inserted {
                    prompts.append((name, text))
                    byName[name]!.prompts += 1
                }
            }
        }
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return BenchmarkPromptSet(benchmarks: order.compactMap { byName[$0] }, prompts: prompts.compactMap { p in index[p.0].map { ($0, p.1) } })
    }

    static func firstTurnPrompt(_ v: JSONValue) -> String? {
        guard case .object(let o) = v else { return nil }
        if let conv = o["conversation_input"]?.arrayValue { return firstUser(conv) }
        if let q = o["question"]?.stringValue { return q }
        if let p = o["prompt"] {
            if let s = p.stringValue { return s }
            if let a = p.arrayValue { return firstUser(a) }
        }
        return nil
    }

    static func firstUser(_ messages: [JSONValue]) -> String? {
        for m in messages where m["role"]?.stringValue == "user" { return m["content"]?.stringValue }
        return nil
    }
}

public enum DecontaminationError: Error, CustomStringConvertible {
    case notADirectory(String)
    case tooManyBenchmarks(Int)

    public var description: String {
        switch self {
        case .notADirectory(let d): return "\(d): not a folder; pass the folder that holds one subfolder per benchmark"
        case .tooManyBenchmarks(let n): return "\(n) benchmarks found; at most 64 are supported in one run"
        }
    }
}
