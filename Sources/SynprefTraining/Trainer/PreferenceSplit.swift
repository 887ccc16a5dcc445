import Foundation
import SynprefCore
import SynprefData

/// A deterministic train / validation / held-out split of a preference file that keeps every
/// prompt on one side (rule `synpref-split/1`):
///
/// - Group key: the pair's first user turn, lower-cased, whitespace runs collapsed to one
///   space, trimmed (the whole context's JSON when it has no user turn). Pairs whose
///   conversations start with the same question share a key, so a held-out prompt is never
///   trained on, not even as the start of another conversation.
/// - Position: the first 8 bytes of SHA-256(`"synpref-split/1\n<seed>\n<key>"`) as a
///   big-endian integer, divided by 2⁶⁴: uniform in [0, 1), fixed by the content alone (not
///   by file order or the machine).
/// - Part: held-out when position < `heldOutFraction`; validation when below
///   `heldOutFraction + validationFraction`; train otherwise. Parts are therefore close to,
///   not exactly, the fractions, and a pair keeps its part when other pairs are added.
/// - Exact duplicate pairs (same content hash, see `ContentHash`) are written once; records
///   that fail the checks of `synpref data import` stop the split (`OnError.fail`) or are
///   left out and counted (`OnError.skip`).
public struct PreferenceSplit: Sendable {
    public static let ruleVersion = "synpref-split/1"

    public enum Part: String, Sendable, CaseIterable {
        case train, validation
        case heldOut = "held-out"

        /// The part's file name in the output folder.
        public var fileName: String { "\(rawValue).jsonl" }
    }

    public var heldOutFraction: Double
    public var validationFraction: Double
    public var seed: UInt64

    public init(heldOutFraction: Double, validationFraction: Double = 0, seed: UInt64 = 0) throws {
        for (setting, f) in [(TrainingSetting.heldOutFraction, heldOutFraction), (.validationFraction, validationFraction)] where !(f >= 0 && f < 1) {
            throw PreferenceSplitError.invalidFraction([setting], value: f)
        }
        guard heldOutFraction + validationFraction < 1 else {
            throw PreferenceSplitError.invalidFraction([.heldOutFraction, .validationFraction], value: heldOutFraction + validationFraction)
        }
        self.heldOutFraction = heldOutFraction
        self.validationFraction = validationFraction
        self.seed = seed
    }

    /// The key a pair's group is known by (see the type's documentation).
    public static func groupKey(_ context: [Message]) -> String {
        guard let first = context.first(where: { $0.role == .user }) else { return ConversationCodec.canonical(context) }
        return first.content.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Where `key` falls in [0, 1).
    public func position(ofKey key: String) -> Double {
        let digest = SHA256.hex("\(PreferenceSplit.ruleVersion)\n\(seed)\n\(key)")
        let value = UInt64(digest.prefix(16), radix: 16) ?? 0
        return Double(value) / 18_446_744_073_709_551_616.0  // 2^64
    }

    public func part(ofKey key: String) -> Part {
        let x = position(ofKey: key)
        if x < heldOutFraction { return .heldOut }
        if x < heldOutFraction + validationFraction { return .validation }
        return .train
    }

    public func part(of pair: PreferencePair) -> Part { part(ofKey: PreferenceSplit.groupKey(pair.context)) }

    /// Reads `input` (any format SynprefData reads), and writes one file per non-empty
    /// fraction (`train.jsonl`, `validation.jsonl`, `held-out.jsonl`) in `format` into
    /// `outputDirectory`, plus `split.json` describing the split. Files are written under
    /// temporary names and renamed at the end, so a failed split leaves no partial parts.
    public func run(input: String, outputDirectory: String, format: PreferenceFormat = .trl,
                    formatOptions: FormatOptions = FormatOptions(), inputFormat: PreferenceFormat? = nil,
                    onError: OnError = .fail, progress: any ProgressObserver = SilentProgress()) throws -> PreferenceSplitReport {
        guard let encoder = format.encoder() else { throw PreferenceSplitError.notWritable(format) }
        let fm = FileManager.default
        guard fm.fileExists(atPath: input) else { throw PreferenceSplitError.unreadable(path: input, reason: "no such file") }
        do { try fm.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true) } catch {
            throw PreferenceSplitError.cannotWrite(path: outputDirectory, reason: error.localizedDescription)
        }
        let parts = Part.allCases.filter { $0 != .validation || validationFraction > 0 }
        var writers: [Part: PartWriter] = [:]
        defer { for w in writers.values { w.discard() } }
        for p in parts {
            writers[p] = try PartWriter(path: (outputDirectory as NSString).appendingPathComponent(p.fileName))
        }
        var report = PreferenceSplitReport(input: input, outputDirectory: outputDirectory, format: format, split: self)
        var seen = Set<ContentHash>()
        var groups: [Part: Set<String>] = [:]
        let reader: PreferenceFileReader
        do {
            reader = try PreferenceFileReader(path: input, source: (input as NSString).lastPathComponent, format: inputFormat, options: formatOptions)
            while let batch = try reader.nextBatch() {
                for outcome in batch {
                    report.records += 1
                    if !outcome.issues.isEmpty {
                        report.invalidRecords += 1
                        report.issueCount += outcome.issues.count
                        for issue in outcome.issues where report.issues.count < PreferenceSplitReport.issueLimit { report.issues.append(issue) }
                    }
                    for prepared in outcome.pairs {
                        guard seen.insert(prepared.hash).inserted else {
                            report.duplicates += 1
                            continue
                        }
                        let key = PreferenceSplit.groupKey(prepared.pair.context)
                        let part = self.part(ofKey: key)
                        let target = part == .validation && writers[.validation] == nil ? Part.train : part
                        let line: String
                        do { line = try encoder.encode(prepared.pair) } catch {
                            throw PreferenceSplitError.cannotEncode(path: input, line: outcome.line, format: format, reason: "\(error)")
                        }
                        try writers[target]?.append(line)
                        report.counts[target, default: 0] += 1
                        groups[target, default: []].insert(key)
                    }
                }
                progress.report(ProgressEvent(task: "split", completed: report.records, total: nil, unit: "records"))
            }
        } catch let e as PreferenceSplitError {
            throw e
        } catch let e as FormatDetectionError {
            throw PreferenceSplitError.unreadable(path: input, reason: e.description)
        } catch {
            throw PreferenceSplitError.unreadable(path: input, reason: "\(error)")
        }
        report.inputFormat = reader.format
        if report.invalidRecords > 0 && onError == .fail {
            throw PreferenceSplitError.invalidRecords(path: input, count: report.invalidRecords, issues: report.issues)
        }
        for p in parts { report.groups[p] = groups[p]?.count ?? 0 }
        report.inputSHA256 = try PreferenceSplit.fileSHA256(input)
        for p in parts {
            guard let w = writers[p] else { continue }
            try w.commit()
            report.files[p] = w.path
        }
        writers = [:]
        let manifest = (outputDirectory as NSString).appendingPathComponent("split.json")
        do {
            try Data((report.json.serialized() + "\n").utf8).write(to: URL(fileURLWithPath: manifest), options: .atomic)
        } catch {
            throw PreferenceSplitError.cannotWrite(path: manifest, reason: error.localizedDescription)
        }
        report.manifest = manifest
        return report
    }

    static func fileSHA256(_ path: String) throws -> String {
        do { return try SHA256.hex(fileAt: path) } catch {
            throw PreferenceSplitError.unreadable(path: path, reason: error.reason)
        }
    }
}

/// One part's output: lines go to a temporary file that `commit` renames into place.
private final class PartWriter {
    let path: String
    private let temporary: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var done = false

    init(path: String) throws {
        self.path = path
        temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let h = FileHandle(forWritingAtPath: temporary) else {
            throw PreferenceSplitError.cannotWrite(path: temporary, reason: "cannot create the file")
        }
        handle = h
    }

    func append(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        do { try handle.write(contentsOf: buffer) } catch {
            throw PreferenceSplitError.cannotWrite(path: temporary, reason: "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func commit() throws {
        try flush()
        try? handle.close()
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw PreferenceSplitError.cannotWrite(path: path, reason: error.localizedDescription)
        }
        done = true
    }

    /// Removes the temporary file of a part that was not committed.
    func discard() {
        guard !done else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporary)
        done = true
    }
}

/// What a split did: counts per part, what was left out and why.
public struct PreferenceSplitReport: Sendable {
    /// Issues kept for the report (all are counted).
    public static let issueLimit = 20

    public var input: String
    public var inputSHA256 = ""
    public var inputFormat: PreferenceFormat?
    public var outputDirectory: String
    public var format: PreferenceFormat
    public var split: PreferenceSplit
    public var records = 0
    public var invalidRecords = 0
    public var issueCount = 0
    public var issues: [RecordIssue] = []
    /// Exact duplicate pairs written once.
    public var duplicates = 0
    public var counts: [PreferenceSplit.Part: Int] = [:]
    /// Distinct group keys (prompts) per part.
    public var groups: [PreferenceSplit.Part: Int] = [:]
    public var files: [PreferenceSplit.Part: String] = [:]
    public var manifest: String?

    public var json: JSONValue {
        let parts = PreferenceSplit.Part.allCases.filter { files[$0] != nil }
        var o = JSONObject()
        o["rule"] = .string(PreferenceSplit.ruleVersion + ": group by the first user turn (lower-cased, whitespace collapsed); "
                            + "position = first 8 bytes of SHA-256(\"synpref-split/1\\n<seed>\\n<key>\") / 2^64; "
                            + "held-out below held_out_fraction, validation below held_out + validation, train above; exact duplicates once")
        o["input"] = .string(input)
        o["input_sha256"] = .string(inputSHA256)
        o["input_format"] = inputFormat.map { .string($0.rawValue) } ?? .null
        o["output_format"] = .string(format.rawValue)
        o["seed"] = .integer(Int(truncatingIfNeeded: split.seed))
        o["held_out_fraction"] = .double(split.heldOutFraction)
        o["validation_fraction"] = .double(split.validationFraction)
        o["records"] = .integer(records)
        o["invalid_records"] = .integer(invalidRecords)
        o["duplicates"] = .integer(duplicates)
        var p = JSONObject()
        for part in parts {
            p[part.rawValue] = .object(JSONObject([
                ("file", .string(((files[part] ?? "") as NSString).lastPathComponent)),
                ("pairs", .integer(counts[part] ?? 0)),
                ("prompts", .integer(groups[part] ?? 0)),
            ]))
        }
        o["parts"] = .object(p)
        o["issues"] = .array(issues.map { .string($0.description) })
        return .object(o)
    }
}

/// Why a split could not be made; each names the file or option and what to do.
public enum PreferenceSplitError: Error, CustomStringConvertible, Sendable {
    /// A fraction (or the sum of the named fractions) outside [0, 1).
    case invalidFraction([TrainingSetting], value: Double)
    case notWritable(PreferenceFormat)
    case unreadable(path: String, reason: String)
    case invalidRecords(path: String, count: Int, issues: [RecordIssue])
    case cannotEncode(path: String, line: Int, format: PreferenceFormat, reason: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidFraction(let settings, let value):
            return "\(settings.map(\.rawValue).joined(separator: " + ")) is \(value); fractions must be at least 0 and together below 1"
        case .notWritable(let f):
            return "format \(f.rawValue) is read-only; write the parts as one of \(PreferenceFormat.writable.map(\.rawValue).joined(separator: ", "))"
        case .unreadable(let path, let reason):
            return "\(path): cannot read the preference data (\(reason))"
        case .invalidRecords(let path, let count, let issues):
            let first = issues.first.map { " (first: \($0))" } ?? ""
            return "\(path): \(count) invalid record(s)\(first); nothing was written. Fix them, or skip invalid records to leave them out"
        case .cannotEncode(let path, let line, let format, let reason):
            return "\(path):\(line): the \(format.rawValue) format cannot hold this pair (\(reason)); choose another format (trl or jsonl hold every pair)"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write (\(reason)); check the output folder and its permissions"
        }
    }
}
