import Foundation
import SynprefCore

public struct ExportReport: Sendable {
    public var written = 0
    /// Pairs the format cannot hold (e.g. multi-turn pairs for RewardBench), with the
    /// first reason seen; they are counted and named, never dropped silently.
    public var refused = 0
    public var firstRefusal: String?
    public var seconds: Double = 0
}

public enum ExportError: Error, CustomStringConvertible {
    case notWritable(PreferenceFormat)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .notWritable(let f):
            return "format \(f.rawValue) is read-only; export as one of \(PreferenceFormat.writable.map(\.rawValue).joined(separator: ", "))"
        case .cannotWrite(let path, let reason): return "\(path): cannot write (\(reason))"
        }
    }
}

/// Writes the pairs of one tier as JSON Lines in a training or evaluation format, in id
/// order, page by page (memory stays flat). Benchmark-contaminated pairs are never
/// written. Training and evaluation formats get each pair in its verified orientation
/// (`PreferencePair.verified()`); Synpref's `jsonl` keeps the stored one, with the label log.
/// `flip` then swaps chosen and rejected (recycling discarded pairs, as in Skywork-Reward-V2's
/// Stage 2).
public struct PreferenceExporter: Sendable {
    public var format: PreferenceFormat
    public var flip: Bool
    public var pageSize: Int

    public init(format: PreferenceFormat, flip: Bool = false, pageSize: Int = 2000) {
        self.format = format
        self.flip = flip
        self.pageSize = pageSize
    }

    public func run(store: any PairStore & CurationLog, tier: PreferenceTier, to path: String,
                    progress: any ProgressObserver = SilentProgress()) async throws -> ExportReport {
        guard let encoder = format.encoder() else { throw ExportError.notWritable(format) }
        let started = Date()
        // A temporary file renamed into place at the end: a failed export leaves no partial
        // file (and an earlier export at `path` intact).
        let writer: AtomicLineWriter
        do { writer = try AtomicLineWriter(path: path) } catch {
            throw ExportError.cannotWrite(path: path, reason: error.reason)
        }
        var report: ExportReport
        do {
            report = try await writePages(store: store, tier: tier, encoder: encoder, to: writer, progress: progress)
            try writer.commit()
        } catch let error as AtomicWriteError {
            writer.abandon()
            throw ExportError.cannotWrite(path: path, reason: error.reason)
        } catch {
            writer.abandon()
            throw error
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func writePages(store: any PairStore & CurationLog, tier: PreferenceTier, encoder: any PreferenceRecordEncoder,
                            to writer: AtomicLineWriter, progress: any ProgressObserver) async throws -> ExportReport {
        var report = ExportReport()
        let total = try await store.count(tier: tier)
        var after: Int64 = 0
        var buffer: [UInt8] = []
        while true {
            let page = try await store.pairs(PairQuery(tier: tier, afterID: after, limit: pageSize))
            guard let last = page.last?.id else { break }
            after = last
            for var p in page {
                // Synpref's jsonl keeps the stored orientation with the label log (it round-trips
                // the store); training formats get the verified orientation.
                if format == .jsonl { p.labels = try await store.labels(pairID: p.id ?? 0) } else { p = p.verified() }
                if flip { p = p.flipped() }
                do {
                    let line = try encoder.encode(p)
                    buffer.append(contentsOf: line.utf8)
                    buffer.append(0x0A)
                    report.written += 1
                } catch {
                    report.refused += 1
                    if report.firstRefusal == nil { report.firstRefusal = "pair \(p.id ?? 0): \(error)" }
                }
            }
            try writer.write(bytes: buffer)
            buffer.removeAll(keepingCapacity: true)
            progress.report(ProgressEvent(task: "export", completed: report.written + report.refused, total: total, unit: "pairs"))
        }
        return report
    }
}
