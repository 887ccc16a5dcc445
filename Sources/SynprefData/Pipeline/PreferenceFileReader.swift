import Foundation
import SynprefCore

/// What one record of a file turned into: valid pairs ready for the store, and the
/// problems of the rest (with the raw record, for the rejects file).
public struct RecordOutcome: Sendable {
    public var line: Int
    public var pairs: [PreparedPair]
    public var issues: [RecordIssue]
    /// Pairs of this record that failed (a best-of-N record may lose only some).
    public var badPairs: Int
    /// The record's raw JSON text when it has issues (nil otherwise, to save memory).
    public var raw: [UInt8]?
}

/// Streams a preference file record by record: parse (strict JSON), decode (format),
/// validate, prepare (hash and JSON texts). Records are processed in parallel batches on
/// all cores and come back in file order; memory stays bounded by the batch window.
public final class PreferenceFileReader {
    public let path: String
    /// The name used in reports (`file:line`).
    public let displayPath: String
    /// The source of pairs whose record names none (or of all, with `overrideSource`).
    public let source: String
    public let overrideSource: Bool
    public private(set) var format: PreferenceFormat?
    private let options: FormatOptions
    private let validator: PairValidator
    private let reader: JSONRecordReader
    private var decoder: (any PreferenceRecordDecoder)?
    private var pending: [RecordOutcome] = []  // outcomes decided during format detection
    /// Records per parallel window.
    public var window: Int
    private let workers: Int

    public init(
        path: String, source: String, overrideSource: Bool = true, format: PreferenceFormat? = nil, options: FormatOptions = FormatOptions(),
        validator: PairValidator = PairValidator(), window: Int = 2048, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws {
        self.path = path
        self.displayPath = path
        self.source = source
        self.overrideSource = overrideSource
        self.format = format
        self.options = options
        self.validator = validator
        self.reader = try JSONRecordReader(path: path)
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
    public func nextBatch() throws -> [RecordOutcome]? {
        var records: [JSONRecord] = []
        records.reserveCapacity(window)
        while records.count < window, let r = try reader.next() { records.append(r) }
        if records.isEmpty && pending.isEmpty {
            if decoder == nil && sawRecords { throw FormatDetectionError(path: displayPath, reasons: detectionIssues) }
            return nil
        }
        if !records.isEmpty { sawRecords = true }
        var out = pending
        pending = []
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
                out.append(RecordOutcome(line: issue.line, pairs: [], issues: [issue], badPairs: 1, raw: records.first { $0.line == issue.line }?.bytes))
            }
            detectionIssues.removeAll()
        }
        let todo = Array(records[start...])
        out.append(contentsOf: process(todo))
        return out
    }

    private var sawRecords = false
    private var detectionIssues: [RecordIssue] = []

    private func parseIssue(_ r: JSONRecord, _ e: any Error) -> RecordIssue {
        if let j = e as? JSONError {
            return RecordIssue(file: displayPath, line: r.fileLine(of: j), field: "(json)", reason: "column \(j.column): \(j.reasonDescription)")
        }
        return RecordIssue(file: displayPath, line: r.line, field: "(json)", reason: "\(e)")
    }

    /// Processes records on `workers` threads; results keep the input order.
    private func process(_ records: [JSONRecord]) -> [RecordOutcome] {
        guard let decoder else { return [] }
        let n = records.count
        if n == 0 { return [] }
        let results = OutcomeSlots(count: n)
        let chunks = min(n, workers * 4)
        let per = (n + chunks - 1) / chunks
        let display = displayPath
        let source = source
        let override = overrideSource
        let validator = validator
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per
            let hi = min(n, lo + per)
            guard lo < hi else { return }
            for i in lo..<hi {
                results.set(i, PreferenceFileReader.outcome(records[i], decoder: decoder, validator: validator, file: display, source: source, overrideSource: override))
            }
        }
        return results.take()
    }

    static func outcome(_ r: JSONRecord, decoder: any PreferenceRecordDecoder, validator: PairValidator, file: String, source: String, overrideSource: Bool) -> RecordOutcome {
        let value: JSONValue
        do {
            value = try r.parse()
        } catch {
            let issue = RecordIssue(file: file, line: r.fileLine(of: error), field: "(json)", reason: "column \(error.column): \(error.reasonDescription)")
            return RecordOutcome(line: r.line, pairs: [], issues: [issue], badPairs: 1, raw: r.bytes)
        }
        var pairs: [PreparedPair] = []
        var issues: [RecordIssue] = []
        var bad = 0
        for result in decoder.decode(value) {
            switch result {
            case .failure(let f):
                bad += 1
                issues.append(RecordIssue(file: file, line: r.line, f))
            case .success(var pair):
                let problems = validator.issues(pair)
                if problems.isEmpty {
                    if pair.source.isEmpty || overrideSource { pair.source = source }
                    pair.origin = "\(file):\(r.line)"
                    pairs.append(PreparedPair(pair))
                } else {
                    bad += 1
                    issues.append(contentsOf: problems.map { RecordIssue(file: file, line: r.line, $0) })
                }
            }
        }
        return RecordOutcome(line: r.line, pairs: pairs, issues: issues, badPairs: bad, raw: issues.isEmpty ? nil : r.bytes)
    }
}

/// No record of a file revealed its format.
public struct FormatDetectionError: Error, CustomStringConvertible {
    public var path: String
    public var reasons: [RecordIssue]

    public var description: String {
        var s = "\(path): cannot detect the preference format"
        if let first = reasons.first { s += " (\(first))" } else { s += " (the file has no records)" }
        return s + "; pass --format (one of \(PreferenceFormat.allCases.map(\.rawValue).joined(separator: ", ")))"
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
