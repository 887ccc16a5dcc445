import ArgumentParser
import Foundation
import SynprefData
import SynprefTraining

/// `synpref data split FILE --output DIR [--held-out F] [--validation F] [--seed S] [--format F] [--on-error fail|skip]`
struct DataSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split a preference file into train, validation and held-out parts, keeping each prompt on one side.",
        discussion: """
            Deterministic and order-independent: pairs are grouped by their first user turn \
            (lower-cased, whitespace collapsed), and a group's part follows from the SHA-256 of \
            "synpref-split/1\\n<seed>\\n<key>": held-out when its first 8 bytes / 2^64 fall below \
            --held-out, validation below --held-out + --validation, train above. So no prompt is \
            on two sides, the parts are close to (not exactly) the fractions, and a pair keeps its \
            part when the file grows. Exact duplicate pairs are written once. Records are checked \
            as `synpref data import` checks them.

            Writes DIR/train.jsonl, DIR/held-out.jsonl, DIR/validation.jsonl (with --validation) in \
            --format (default trl) and DIR/split.json (the rule, the input's SHA-256, the counts).
            """)

    @Argument(help: "Preference file (any format `synpref data import` reads; .gz allowed).")
    var input: String

    @Option(help: "Output folder.")
    var output: String

    @Option(name: .customLong("held-out"), help: "Fraction of prompts held out for evaluation.")
    var heldOut: Double = 0.2

    @Option(help: "Fraction of prompts for validation (best-checkpoint selection); 0 writes no validation file.")
    var validation: Double = 0

    @Option(help: "Seed mixed into the hash (another seed draws another split).")
    var seed: UInt64 = 0

    @Option(help: "Format of the parts: \(PreferenceFormat.writable.map(\.rawValue).joined(separator: ", ")).")
    var format: PreferenceFormat = .trl

    @Option(name: .customLong("input-format"), help: "Layout of the input; detected from the first record when omitted.")
    var inputFormat: PreferenceFormat?

    @Option(name: .customLong("on-error"), help: "fail: write nothing if any record is invalid; skip: leave invalid records out (counted and listed).")
    var onError: OnError = .fail

    func run() throws {
        let split: PreferenceSplit
        do { split = try PreferenceSplit(heldOutFraction: heldOut, validationFraction: validation, seed: seed) } catch {
            throw ValidationError("\(error)")
        }
        let progress = ProgressLine()
        let report: PreferenceSplitReport
        do {
            report = try split.run(input: input, outputDirectory: output, format: format, inputFormat: inputFormat,
                                   onError: onError, progress: progress)
        } catch let e as PreferenceSplitError {
            progress.finish()
            if case .invalidRecords(_, _, let issues) = e { for i in issues { DataOutput.err("\(i)") } }
            DataOutput.err("error: \(FlagAdvice.describe(e))")
            throw ExitCode.failure
        }
        progress.finish()
        for i in report.issues { DataOutput.err("left out: \(i)") }
        if report.issueCount > report.issues.count { DataOutput.err("… and \(report.issueCount - report.issues.count) more problem(s)") }
        var lines = ["\(input): \(report.inputFormat?.rawValue ?? "?"), \(report.records) records, "
                     + "\(report.invalidRecords) invalid (left out), \(report.duplicates) duplicate pair(s) written once"]
        let rows = PreferenceSplit.Part.allCases.compactMap { p -> [String]? in
            guard let file = report.files[p] else { return nil }
            return [p.rawValue, "\(report.counts[p] ?? 0)", "\(report.groups[p] ?? 0)", file]
        }
        lines.append(DataOutput.table(["part", "pairs", "prompts", "file"], rows))
        if let m = report.manifest { lines.append("split described in \(m)") }
        print(lines.joined(separator: "\n"))
    }
}
