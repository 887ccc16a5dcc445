import Foundation
import SynprefCore

/// Finds pairs that share at least one word n-gram (default 13, see `NGramTokenizer`)
/// with a first-turn prompt of a benchmark (Skywork-Reward-V2, App. C.1).
///
/// The pair text checked is its context — every turn before the responses — and, with
/// `includeResponses`, the two responses too. The index keeps one 64-bit hash per
/// distinct benchmark n-gram with a bit per benchmark, so a hit names every benchmark
/// that n-gram occurs in.
public struct Decontaminator: Sendable {
    public let tokenizer: NGramTokenizer
    public let benchmarks: [BenchmarkPromptSet.Benchmark]
    public let includeResponses: Bool
    private let index: [UInt64: UInt64]

    public init(prompts: BenchmarkPromptSet, n: Int = 13, includeResponses: Bool = false) throws {
        guard prompts.benchmarks.count <= 64 else { throw DecontaminationError.tooManyBenchmarks(prompts.benchmarks.count) }
        tokenizer = NGramTokenizer(n: n)
        benchmarks = prompts.benchmarks
        self.includeResponses = includeResponses
        var idx: [UInt64: UInt64] = [:]
        for p in prompts.prompts {
            let bit = UInt64(1) << UInt64(p.benchmark)
            tokenizer.forEachNGram(p.text) { h in idx[h, default: 0] |= bit }
        }
        index = idx
    }

    /// Distinct benchmark n-grams in the index.
    public var ngramCount: Int { index.count }

    /// A bit per benchmark (index into `benchmarks`) that shares an n-gram with the pair.
    public func contamination(of pair: PreferencePair) -> UInt64 {
        var mask: UInt64 = 0
        let check = { (text: String) in
            tokenizer.forEachNGram(text) { h in
                if let m = index[h] { mask |= m }
            }
        }
        for m in pair.context { check(m.content) }
        if includeResponses {
            check(pair.chosen.content)
            check(pair.rejected.content)
        }
        return mask
    }

    public func names(_ mask: UInt64) -> [String] {
        benchmarks.indices.filter { mask & (UInt64(1) << UInt64($0)) != 0 }.map { benchmarks[$0].name }
    }

    /// Checks many pairs on all cores; masks come back in input order.
    public func contamination(of pairs: [PreferencePair]) -> [UInt64] {
        let n = pairs.count
        guard n > 0 else { return [] }
        let slots = MaskSlots(count: n)
        let chunks = min(n, ProcessInfo.processInfo.activeProcessorCount * 4)
        let per = (n + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(n, lo + per)
            guard lo < hi else { return }
            for i in lo..<hi { slots.set(i, contamination(of: pairs[i])) }
        }
        return slots.values
    }

    /// Flags every contaminated pair of the store (see `CurationLog.markContaminated`).
    public func run(store: any PairStore & CurationLog, pageSize: Int = 5000, actor: String = "decontaminate",
                    progress: any ProgressObserver = SilentProgress()) async throws -> DecontaminationReport {
        let started = Date()
        var report = DecontaminationReport(benchmarks: benchmarks, ngram: tokenizer.n, indexedNGrams: ngramCount)
        let total = try await store.count(tier: nil)
        var after: Int64 = 0
        while true {
            let page = try await store.pairs(PairQuery(afterID: after, limit: pageSize))
            guard let last = page.last?.id else { break }
            after = last
            let masks = contamination(of: page)
            var marks: [(pairID: Int64, benchmark: String)] = []
            for (p, m) in zip(page, masks) where m != 0 {
                let names = self.names(m)
                for name in names { report.perBenchmark[name, default: 0] += 1 }
                if let id = p.id { marks.append((id, names.joined(separator: ","))) }
            }
            report.scanned += page.count
            if !marks.isEmpty { report.flagged += try await store.markContaminated(marks, actor: actor) }
            progress.report(ProgressEvent(task: "decontaminate", completed: report.scanned, total: total, unit: "pairs"))
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}

public struct DecontaminationReport: Sendable {
    public var benchmarks: [BenchmarkPromptSet.Benchmark]
    public var ngram: Int
    public var indexedNGrams: Int
    /// Pairs checked (those not flagged before).
    public var scanned = 0
    /// Pairs newly flagged as contaminated.
    public var flagged = 0
    /// Contaminated pairs per benchmark (a pair overlapping two benchmarks counts in both).
    public var perBenchmark: [String: Int] = [:]
    public var seconds: Double = 0
}

/// `@unchecked Sendable`: each slot is written by exactly one `concurrentPerform`
/// iteration and read only after `concurrentPerform` returns.
private final class MaskSlots: @unchecked Sendable {
    private var buffer: UnsafeMutableBufferPointer<UInt64>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    func set(_ i: Int, _ v: UInt64) { buffer[i] = v }
    var values: [UInt64] { Array(buffer) }
}
