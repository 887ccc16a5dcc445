import Foundation
import SynprefCore

/// What to do with records that fail checks.
public enum OnError: String, Sendable, CaseIterable {
    /// Report every problem and store nothing (the default): a first pass validates all
    /// files, the second stores them.
    case fail
    /// Store the good records, write the bad ones with their reasons to a rejects file.
    case skip
}

public struct ImportOptions: Sendable {
    /// nil: detect per file.
    public var format: PreferenceFormat?
    public var formatOptions: FormatOptions
    /// The source name for every file; nil: `<parent folder>/<file name without extensions>`
    /// (or the `source` field of `jsonl` records).
    public var source: String?
    /// Source names of particular files (by path), used when `source` is nil (a record's own
    /// `source` field still wins): the files of a Hugging Face dataset are named by the
    /// dataset and split, not by their cache path.
    public var fileSources: [String: String] = [:]
    public var onError: OnError
    /// Where `skip` writes rejected records (JSON Lines); nil: `synpref-rejects-<import id>.jsonl`.
    public var rejectsPath: String?
    /// Pairs per store transaction.
    public var chunkSize: Int
    public var limits: ValidationLimits
    /// How many problems the report keeps in memory (all are counted, and in `skip` mode
    /// all are written to the rejects file).
    public var maxReportedIssues: Int
    /// Called right after each chunk has committed to the store, with the number of chunks
    /// committed so far in this import (chunks commit in file order, one at a time).
    public var onChunkCommitted: (@Sendable (_ committedChunks: Int) -> Void)?

    public init(
        format: PreferenceFormat? = nil, formatOptions: FormatOptions = FormatOptions(), source: String? = nil,
        onError: OnError = .fail, rejectsPath: String? = nil, chunkSize: Int = 2000, limits: ValidationLimits = ValidationLimits(),
        maxReportedIssues: Int = 50, onChunkCommitted: (@Sendable (_ committedChunks: Int) -> Void)? = nil
    ) {
        self.format = format
        self.formatOptions = formatOptions
        self.source = source
        self.onError = onError
        self.rejectsPath = rejectsPath
        self.chunkSize = max(1, chunkSize)
        self.limits = limits
        self.maxReportedIssues = maxReportedIssues
        self.onChunkCommitted = onChunkCommitted
    }
}

/// Per-source counts of an import. Every record read ends up in exactly one bucket:
/// `records = validRecords + invalidRecords`; every valid pair in exactly one of
/// `inserted`, `duplicates`, `alreadyStored`, `crossSourceDuplicates`.
public struct SourceCounts: Sendable, Hashable {
    public var records = 0
    public var validRecords = 0
    public var invalidRecords = 0
    /// Valid pairs (a best-of-N record gives several).
    public var pairs = 0
    /// Pairs that failed checks (a record may have some good and some bad pairs).
    public var invalidPairs = 0
    public var inserted = 0
    /// Same content seen earlier in this import from this source.
    public var duplicates = 0
    /// Same content stored from this source by an earlier import (e.g. re-running an
    /// import that was killed).
    public var alreadyStored = 0
    /// Same content already stored (or imported earlier in this run) from another source.
    public var crossSourceDuplicates: [String: Int] = [:]

    public init() {}
}

public struct ImportReport: Sendable {
    public struct FileSummary: Sendable, Hashable {
        public var path: String
        public var source: String
        public var format: PreferenceFormat?
        public var layout: JSONRecordLayout
        public var records: Int
    }

    public var importID: String
    public var files: [FileSummary] = []
    public var sources: [String: SourceCounts] = [:]
    /// The first `maxReportedIssues` problems.
    public var issues: [RecordIssue] = []
    public var issueCount = 0
    public var rejectsPath: String?
    /// False for a dry run or when `fail` found problems.
    public var stored = false
    public var seconds: Double = 0

    public var totals: SourceCounts {
        var t = SourceCounts()
        for c in sources.values {
            t.records += c.records
            t.validRecords += c.validRecords
            t.invalidRecords += c.invalidRecords
            t.pairs += c.pairs
            t.invalidPairs += c.invalidPairs
            t.inserted += c.inserted
            t.duplicates += c.duplicates
            t.alreadyStored += c.alreadyStored
            for (k, v) in c.crossSourceDuplicates { t.crossSourceDuplicates[k, default: 0] += v }
        }
        return t
    }
}

public enum ImportError: Error, CustomStringConvertible {
    /// Invalid records were found with `onError` = fail; nothing was stored.
    case invalidRecords(ImportReport)
    /// A file could not be read to its end (with `fail`, nothing was stored).
    case unreadable(path: String, reason: String, report: ImportReport)

    public var description: String {
        switch self {
        case .invalidRecords(let r):
            return "\(r.issueCount) problem(s) in \(r.totals.invalidRecords) record(s); nothing was stored. Fix the data, or skip invalid records (they go to a rejects file) to store the valid ones."
        case .unreadable(let path, let reason, _):
            return "\(path): \(reason)"
        }
    }
}

/// Imports preference files into a store (or, without a store, only checks them):
/// read → parse → decode → validate → deduplicate by content hash → store in chunks.
///
/// Crash safety: each chunk is one store transaction and inserting is idempotent by
/// content hash, so re-running an import that was killed stores exactly the missing pairs
/// (the report counts the others as `alreadyStored`). Memory stays bounded by the chunk
/// and the parse window, whatever the file size. Checking (a dry run, and the first pass
/// of `fail`) computes no content hashes, so it reports no duplicate counts.
public struct PreferenceImporter: Sendable {
    public var store: (any PairStore)?
    public var options: ImportOptions
    public var progress: any ProgressObserver

    public init(store: (any PairStore)?, options: ImportOptions = ImportOptions(), progress: any ProgressObserver = SilentProgress()) {
        self.store = store
        self.options = options
        self.progress = progress
    }

    /// The default source name of a file: `<parent folder>/<name without .gz/.jsonl/.json>`.
    public static func defaultSource(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        var name = url.lastPathComponent
        for ext in [".gz", ".jsonl", ".json", ".ndjson"] where name.hasSuffix(ext) { name = String(name.dropLast(ext.count)) }
        let parent = url.deletingLastPathComponent().lastPathComponent
        return parent.isEmpty || parent == "/" || parent == "." ? name : "\(parent)/\(name)"
    }

    public func run(_ files: [String]) async throws -> ImportReport {
        let started = Date()
        var report = ImportReport(importID: UUID().uuidString.lowercased())
        let totalBytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        if store == nil || options.onError == .fail {
            // Pass 1: check everything (this is the whole job of a dry run).
            try await pass(files, storing: nil, report: &report, totalBytes: totalBytes, label: store == nil ? "check" : "validate")
            if report.issueCount > 0 || store == nil {
                report.seconds = Date().timeIntervalSince(started)
                if store != nil { throw ImportError.invalidRecords(report) }
                return report
            }
            report = ImportReport(importID: report.importID)
        }
        guard let store else { return report }
        try await pass(files, storing: store, report: &report, totalBytes: totalBytes, label: "import")
        report.stored = true
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    private func pass(_ files: [String], storing store: (any PairStore)?, report: inout ImportReport, totalBytes: Int, label: String) async throws {
        var rejects: RejectsWriter? = nil
        if store != nil && options.onError == .skip {
            let path = options.rejectsPath ?? "synpref-rejects-\(report.importID.prefix(8)).jsonl"
            rejects = try RejectsWriter(path: path)
            report.rejectsPath = path
        }
        defer { rejects?.close() }
        var chunk: [PreparedPair] = []
        var committedChunks = 0
        var bytesBefore = 0
        var pairsDone = 0
        var lastReport = Date.distantPast
        for path in files {
            let source = options.source ?? options.fileSources[path] ?? PreferenceImporter.defaultSource(for: path)
            let reader = try openReader(path, source: source, prepare: store != nil)
            var records = 0
            var inFlight: ([PreparedPair], Task<[InsertOutcome], any Error>)? = nil
            /// Counts the outcomes of a committed chunk.
            func account(_ stored: [PreparedPair], _ outcomes: [InsertOutcome]) {
                for (p, o) in zip(stored, outcomes) {
                    var c = report.sources[p.pair.source, default: SourceCounts()]
                    switch o {
                    case .inserted: c.inserted += 1
                    case .existing(_, let s, let imp):
                        if s != p.pair.source {
                            c.crossSourceDuplicates[s, default: 0] += 1
                        } else if imp == report.importID {
                            c.duplicates += 1
                        } else {
                            c.alreadyStored += 1
                        }
                    }
                    report.sources[p.pair.source] = c
                }
            }
            /// Waits for the chunk in flight (if any) and counts it.
            func settle() async throws {
                if let (stored, task) = inFlight {
                    inFlight = nil
                    account(stored, try await task.value)
                    committedChunks += 1
                    options.onChunkCommitted?(committedChunks)
                }
            }
            /// Sends the current chunk to the store; it commits while the next one is parsed.
            /// One chunk at a time is in flight, so chunks commit in file order.
            func flush() async throws {
                guard let store, !chunk.isEmpty else { return }
                try await settle()
                let toStore = chunk
                let importID = report.importID
                inFlight = (toStore, Task { try await store.insert(toStore, importID: importID) })
                chunk.removeAll(keepingCapacity: true)
            }
            do {
                while let batch = try reader.nextBatch() {
                    for o in batch {
                        records += 1
                        // Count under the file's source (jsonl records may name their own).
                        let key = o.source
                        var c = report.sources[key, default: SourceCounts()]
                        c.records += 1
                        c.pairs += o.validPairs
                        if o.issues.isEmpty {
                            c.validRecords += 1
                        } else {
                            c.invalidRecords += 1
                            c.invalidPairs += o.badPairs
                            report.issueCount += o.issues.count
                            for i in o.issues where report.issues.count < options.maxReportedIssues { report.issues.append(i) }
                            try rejects?.write(o)
                        }
                        report.sources[key] = c
                        if store != nil {
                            chunk.append(contentsOf: o.pairs)
                            if chunk.count >= options.chunkSize { try await flush() }
                        }
                        pairsDone += o.validPairs
                    }
                    let now = Date()
                    if now.timeIntervalSince(lastReport) >= 0.25 {
                        lastReport = now
                        progress.report(ProgressEvent(task: label, completed: bytesBefore + reader.fileOffset, total: totalBytes, unit: "bytes"))
                        progress.report(ProgressEvent(task: label, completed: pairsDone, total: nil, unit: "pairs"))
                    }
                }
                try await flush()
                try await settle()
            } catch let e as JSONRecordReaderError {
                try await flush()
                try await settle()
                report.files.append(.init(path: path, source: source, format: reader.format, layout: reader.layout, records: records))
                throw ImportError.unreadable(path: path, reason: "\(e)", report: report)
            } catch let e as ParquetError {
                try await flush()
                try await settle()
                report.files.append(.init(path: path, source: source, format: reader.format, layout: reader.layout, records: records))
                throw ImportError.unreadable(path: path, reason: "\(e)", report: report)
            } catch let e as FormatDetectionError {
                try await settle()
                report.files.append(.init(path: path, source: source, format: nil, layout: reader.layout, records: records))
                throw ImportError.unreadable(path: path, reason: "\(e)", report: report)
            }
            bytesBefore += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            report.files.append(.init(path: path, source: source, format: reader.format, layout: reader.layout, records: records))
        }
        progress.report(ProgressEvent(task: label, completed: totalBytes, total: totalBytes, unit: "bytes"))
        progress.report(ProgressEvent(task: label, completed: pairsDone, total: nil, unit: "pairs"))
    }

    private func openReader(_ path: String, source: String, prepare: Bool) throws -> PreferenceFileReader {
        do {
            return try PreferenceFileReader(
                path: path, source: source, overrideSource: options.source != nil, prepare: prepare, format: options.format,
                options: options.formatOptions, validator: PairValidator(limits: options.limits))
        } catch {
            throw ImportError.unreadable(path: path, reason: "\(error)", report: ImportReport(importID: ""))
        }
    }
}

/// The rejects file: one JSON line per rejected record,
/// `{"file":…,"line":…,"issues":[{"field":…,"reason":…}],"record":"<raw JSON text>"}`.
final class RejectsWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ImportError.unreadable(path: path, reason: "cannot create the rejects file", report: ImportReport(importID: ""))
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ o: RecordOutcome) throws {
        guard let first = o.issues.first else { return }
        var obj = JSONObject()
        obj["file"] = .string(first.file)
        obj["line"] = .integer(o.line)
        obj["issues"] = .array(o.issues.map { .object(["field": .string($0.field), "reason": .string($0.reason), "line": .integer($0.line)]) })
        obj["record"] = .string(String(decoding: o.raw ?? [], as: UTF8.self))
        JSONWriter.append(.object(obj), to: &buffer)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        try? flush()
        try? handle.close()
    }
}
