import Foundation
import SynprefCore

/// What one record of a file turned into: valid pairs ready for the store, and the
/// problems of the rest (with the raw record, for the rejects file).
public struct RecordOutcome: Sendable {
    public var line: Int
    /// The valid pairs, prepared for the store (empty when the reader only checks).
    public var pairs: [PreparedPair]
    /// How many pairs of this record are valid (also when they are not prepared).
    public var validPairs: Int
    /// The source of this record's pairs.
    public var source: String
    public var issues: [RecordIssue]
    /// Pairs of this record that failed (a best-of-N record may lose only some).
    public var badPairs: Int
    /// The record's raw JSON text when it has issues (nil otherwise, to save memory).
    public var raw: [UInt8]?
}

/// Streams a preference file record by record: parse (strict JSON), decode (format),
/// validate, and (unless `prepare` is false) prepare (hash and JSON texts). Records are processed in parallel batches on
/// all cores and come back in file order; memory stays bounded by the batch window.
public final class PreferenceFileReader {
    public let path: String
    /// The name used in reports (`file:line`).
    public let displayPath: String
    /// The source of pairs whose record names none (or of all, with `overrideSource`).
    public let source: String
    public let overrideSource: Bool
    /// False: only check records (no content hashes or store texts are computed).
    public let prepare: Bool
    public private(set) var format: PreferenceFormat?
    private let options: FormatOptions
    private let validator: PairValidator
    private let reader: any RecordStream
    private var decoder: (any PreferenceRecordDecoder)?
    private var pending: [RecordOutcome] = []  // outcomes to return before the in-flight batch
    /// Records per parallel window.
    public var window: Int
    /// Keep every record's raw JSON in its outcome (for callers that read fields beyond
    /// the pair, such as an id or examples), not only the records with issues.
    public var keepRaw = false
    private let workers: Int

    public init(
        path: String, source: String, overrideSource: Bool = true, prepare: Bool = true, format: PreferenceFormat? = nil, options: FormatOptions = FormatOptions(),
        validator: PairValidator = PairValidator(), window: Int = 2048, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws {
        self.path = path
        self.displayPath = path
        self.source = source
        self.overrideSource = overrideSource
        self.prepare = prepare
        self.format = format
        self.options = options
        self.validator = validator
        self.reader = ParquetFileReader.isParquet(path: path) ? try ParquetRecordStream(path: path) : try JSONRecordReader(path: path)
        self.window = max(1, window)
        self.workers = max(1, workers)
        if let format { decoder = format.decoder(options) }
    }

    /// Bytes of the file consumed so far (compressed bytes for gzip), for progress.
    public var fileOffset: Int { reader.fileOffset }
    public var layout: JSONRecordLayout { reader.layout }

    /// The next outcomes in file order (at most `window` records), or nil at the end.
    /// Throws `JSONRecordReaderError` when the file itself cannot be read on, and
    /// `FormatDetectionError` when no record reveals the format.
    ///
    /// Pipelined: once the format is known, each call hands the window it reads to the
    /// worker threads and returns the window read by the previous call, so reading the file
    /// (and whatever the caller does with a batch) overlaps with decoding and checking.
    public func nextBatch() throws -> [RecordOutcome]? {
        if let e = deferredError {
            deferredError = nil
            throw e
        }
        if inFlight == nil {
            // Nothing is being processed: read (and detect) synchronously until a window
            // goes to the workers, or the file ends.
            guard let first = try readWindow() else { return nil }
            if inFlight == nil { return first }  // still detecting
            pending = first  // outcomes that come before the batch now in flight
        }
        // One window is being processed: read the next one meanwhile.
        var next: [RecordOutcome]? = nil
        do {
            next = try readWindow()
        } catch {
            // Return what was read before the failure first; throw on the next call.
            deferredError = error
        }
        let out = pending + (finishInFlight() ?? [])
        pending = []
        if let next { pending = next }
        return out.isEmpty && inFlight == nil && deferredError == nil && next == nil ? nil : out
    }

    /// Reads up to `window` records. Outcomes decided here (format detection problems) are
    /// returned; the records to decode go to the workers as the new in-flight batch (if a
    /// batch is already in flight, the caller collects it first). Nil at the end of the file.
    private func readWindow() throws -> [RecordOutcome]? {
        var records: [JSONRecord] = []
        records.reserveCapacity(window)
        while records.count < window, let r = try reader.next() { records.append(r) }
        if records.isEmpty {
            if decoder == nil && sawRecords { throw FormatDetectionError(path: displayPath, reasons: detectionIssues) }
            return nil
        }
        sawRecords = true
        var out: [RecordOutcome] = []
        var start = 0
        if decoder == nil {
            // Detect from the first record that parses as an object of a known layout.
            while start < records.count && decoder == nil {
                let r = records[start]
                switch Result(catching: { try r.parse() }) {
                case .success(let value):
                    switch PreferenceFormat.detect(value) {
                    case .success(let f):
                        format = f
                        decoder = f.decoder(options)
                        continue  // process this record normally below
                    case .failure(let issue):
                        detectionIssues.append(RecordIssue(file: displayPath, line: r.line, issue))
                    }
                case .failure(let e):
                    detectionIssues.append(parseIssue(r, e))
                }
                start += 1
                if detectionIssues.count >= 100 { throw FormatDetectionError(path: displayPath, reasons: detectionIssues) }
            }
            if decoder == nil {
                if records.count < window { throw FormatDetectionError(path: displayPath, reasons: detectionIssues) }
                return out  // keep looking in the next window
            }
            // Records before the first recognisable one are reported as issues too.
            for issue in detectionIssues {
                out.append(RecordOutcome(line: issue.line, pairs: [], validPairs: 0, source: source, issues: [issue], badPairs: 1,
                                         raw: records.first { $0.line == issue.line }?.bytes))
            }
            detectionIssues.removeAll()
        }
        let todo = start == 0 ? records : Array(records[start...])
        if !todo.isEmpty, let decoder {
            let batch = InFlightBatch()
            let job = ProcessJob(records: todo, decoder: decoder, validator: validator, file: displayPath, source: source,
                                 overrideSource: overrideSource, prepare: prepare, keepRaw: keepRaw, workers: workers)
            if let previous = inFlight {
                // Collected by the caller before this one (readWindow runs while one is in flight).
                queued = (previous, batch)
            }
            inFlight = batch
            DispatchQueue.global().async { batch.finish(job.run()) }
        }
        return out
    }

    /// Waits for the oldest batch in flight and returns its outcomes.
    private func finishInFlight() -> [RecordOutcome]? {
        if let (older, newer) = queued {
            queued = nil
            inFlight = newer
            return older.wait()
        }
        guard let batch = inFlight else { return nil }
        inFlight = nil
        return batch.wait()
    }

    private var inFlight: InFlightBatch? = nil
    /// (older, newer) when a window was handed to the workers while another was in flight.
    private var queued: (InFlightBatch, InFlightBatch)? = nil
    private var deferredError: (any Error)? = nil

    private var sawRecords = false
    private var detectionIssues: [RecordIssue] = []

    private func parseIssue(_ r: JSONRecord, _ e: any Error) -> RecordIssue {
        if let j = e as? JSONError {
            return RecordIssue(file: displayPath, line: r.fileLine(of: j), field: "(json)", reason: "column \(j.column): \(j.reasonDescription)")
        }
        return RecordIssue(file: displayPath, line: r.line, field: "(json)", reason: "\(e)")
    }

    /// Decodes and checks a window of records on `workers` threads; results keep the input order.
    private struct ProcessJob: Sendable {
        let records: [JSONRecord]
        let decoder: any PreferenceRecordDecoder
        let validator: PairValidator
        let file: String
        let source: String
        let overrideSource: Bool
        let prepare: Bool
        let keepRaw: Bool
        let workers: Int

        func run() -> [RecordOutcome] {
            let n = records.count
            if n == 0 { return [] }
            let results = OutcomeSlots(count: n)
            let chunks = min(n, workers * 4)
            let per = (n + chunks - 1) / chunks
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * per
                let hi = min(n, lo + per)
                guard lo < hi else { return }
                for i in lo..<hi {
                    results.set(i, PreferenceFileReader.outcome(records[i], decoder: decoder, validator: validator, file: file,
                                                                source: source, overrideSource: overrideSource, prepare: prepare,
                                                                keepRaw: keepRaw))
                }
            }
            return results.take()
        }
    }

    static func outcome(_ r: JSONRecord, decoder: any PreferenceRecordDecoder, validator: PairValidator, file: String, source: String,
                        overrideSource: Bool, prepare: Bool = true, keepRaw: Bool = false) -> RecordOutcome {
        var decoded = decoder.fastDecode(r.bytes)
        if decoded == nil {
            let value: JSONValue
            do {
                value = try r.parse()
            } catch {
                let issue = RecordIssue(file: file, line: r.fileLine(of: error), field: "(json)", reason: "column \(error.column): \(error.reasonDescription)")
                return RecordOutcome(line: r.line, pairs: [], validPairs: 0, source: source, issues: [issue], badPairs: 1, raw: r.bytes)
            }
            decoded = decoder.decode(value)
        }
        var pairs: [PreparedPair] = []
        var valid = 0
        var recordSource = source
        var issues: [RecordIssue] = []
        var bad = 0
        for result in decoded ?? [] {
            switch result {
            case .failure(let f):
                bad += 1
                issues.append(RecordIssue(file: file, line: r.line, f))
            case .success(var pair):
                let problems = validator.issues(pair)
                if problems.isEmpty {
                    if pair.source.isEmpty || overrideSource { pair.source = source }
                    recordSource = pair.source
                    valid += 1
                    if prepare {
                        pair.origin = "\(file):\(r.line)"
                        pairs.append(PreparedPair(pair))
                    }
                } else {
                    bad += 1
                    issues.append(contentsOf: problems.map { RecordIssue(file: file, line: r.line, $0) })
                }
            }
        }
        return RecordOutcome(line: r.line, pairs: pairs, validPairs: valid, source: recordSource, issues: issues, badPairs: bad, raw: issues.isEmpty && !keepRaw ? nil : r.bytes)
    }
}

/// No record of a file revealed its format.
public struct FormatDetectionError: Error, CustomStringConvertible {
    public var path: String
    public var reasons: [RecordIssue]

    public var description: String {
        var s = "\(path): cannot detect the preference format"
        if let first = reasons.first { s += " (\(first))" } else { s += " (the file has no records)" }
        return s + "; name the format (one of \(PreferenceFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
    }
}

/// A window being decoded on the worker threads.
/// `@unchecked Sendable`: `result` is written once, by the worker, before `done` is
/// signalled, and read only after waiting on `done`.
private final class InFlightBatch: @unchecked Sendable {
    private var result: [RecordOutcome] = []
    private let done = DispatchSemaphore(value: 0)

    func finish(_ outcomes: [RecordOutcome]) {
        result = outcomes
        done.signal()
    }

    func wait() -> [RecordOutcome] {
        done.wait()
        return result
    }
}

/// Result slots written by `concurrentPerform` workers, each index by exactly one worker.
/// `@unchecked Sendable`: every slot is written once by one thread, and read only after
/// `concurrentPerform` returned (which orders the writes before the reads).
private final class OutcomeSlots: @unchecked Sendable {
    private var slots: UnsafeMutableBufferPointer<RecordOutcome?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    func set(_ i: Int, _ value: RecordOutcome) { slots[i] = value }

    func take() -> [RecordOutcome] { slots.compactMap { $0 } }
}

extension PreferenceFileReader {
    /// Every pair of the file at `path`, in file order; the first bad record is thrown
    /// (`RecordIssue`: file, line, field).
    public static func readAll(path: String, source: String? = nil) throws -> [PreferencePair] {
        let reader = try PreferenceFileReader(path: path, source: source ?? (path as NSString).lastPathComponent, overrideSource: source != nil)
        var out: [PreferencePair] = []
        while let batch = try reader.nextBatch() {
            for outcome in batch {
                if let issue = outcome.issues.first { throw issue }
                out += outcome.pairs.map(\.pair)
            }
        }
        return out
    }
}
