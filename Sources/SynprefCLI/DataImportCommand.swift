import ArgumentParser
import Foundation
import SynprefData
import SynprefModels

extension PreferenceFormat: ExpressibleByArgument {}
extension OnError: ExpressibleByArgument {}
extension PreferenceTier: ExpressibleByArgument {}

/// `synpref data import FILE... [--format F] [--store URL] [--source NAME] [--on-error fail|skip]`
struct DataImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate, deduplicate and store preference pairs from files.",
        discussion: """
            Every record is checked (roles and order, non-empty and different responses, \
            valid UTF-8, size limits); problems are listed as file:line, field, reason. \
            With --on-error fail (default) nothing is stored unless every record is valid; \
            with --on-error skip the valid pairs are stored and the others written to a \
            rejects file. Pairs are deduplicated by content hash within and across sources. \
            Imports commit in chunks and are idempotent, so re-running a killed import \
            resumes it.

            Hugging Face datasets are read without Python: give hf://datasets/org/name[@revision] \
            (e.g. hf://datasets/Skywork/Skywork-Reward-Preference-80K-v0.2) with --split and, for \
            datasets with several configs, --config. The split's files are found as the datasets \
            library finds them and downloaded into the Hugging Face cache (HF_HOME, HF_HUB_CACHE, \
            HF_TOKEN, HF_ENDPOINT; HF_HUB_OFFLINE=1 uses the cache only), with resume; the source \
            name defaults to org/name/split.
            """)

    @Argument(help: "Preference files (JSON Lines, a JSON array or Parquet; .gz allowed), or hf://datasets/org/name[@revision].")
    var files: [String]

    @Option(help: "With hf://datasets/...: the split (default: the only split, else train).")
    var split: String?

    @Option(help: "With hf://datasets/...: the dataset card's config (default: its default config).")
    var config: String?

    @Option(help: "Record layout; detected from the first record when omitted. One of: \(PreferenceFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: PreferenceFormat?

    @Option(help: "Store URL: sqlite:PATH or postgres://user@host/db.")
    var store: String = PreferenceStores.defaultURL

    @Option(help: "Source name for all files (default: <folder>/<file name> per file).")
    var source: String?

    @Option(name: .customLong("on-error"), help: "fail: store nothing if any record is invalid; skip: store the valid ones and write a rejects file.")
    var onError: OnError = .fail

    @Option(help: "Where --on-error skip writes rejected records (default: synpref-rejects-<id>.jsonl).")
    var rejects: String?

    @Option(name: .customLong("prompt-key"), help: "OpenRLHF: the prompt field (strings or messages).")
    var promptKey: String?

    @Option(name: .customLong("chosen-key"), help: "OpenRLHF: the chosen field.")
    var chosenKey: String = "chosen"

    @Option(name: .customLong("rejected-key"), help: "OpenRLHF: the rejected field.")
    var rejectedKey: String = "rejected"

    @Option(name: .customLong("chunk-size"), help: "Pairs per store transaction.")
    var chunkSize: Int = 2000

    @Flag(name: .customLong("dry-run"), help: "Only check the files (parse and validate every record); store nothing.")
    var dryRun = false

    func run() async throws {
        for f in files where !DatasetReference.isDatasetReference(f) && !FileManager.default.fileExists(atPath: f) {
            throw ValidationError("\(f): no such file")
        }
        if (split != nil || config != nil) && !files.contains(where: DatasetReference.isDatasetReference) {
            throw ValidationError("--split and --config apply to hf://datasets/... arguments; none was given.")
        }
        var options = ImportOptions(
            format: format,
            formatOptions: FormatOptions(promptKey: promptKey, chosenKey: chosenKey, rejectedKey: rejectedKey),
            source: source, onError: onError, rejectsPath: rejects, chunkSize: chunkSize)
        let progress = ProgressLine()
        var paths: [String] = []
        for f in files {
            guard DatasetReference.isDatasetReference(f) else {
                paths.append(f)
                continue
            }
            let dataset = try DatasetReference(parsing: f).resolve(split: split, config: config, progress: progress)
            progress.line("\(f): split \(dataset.split) at commit \(dataset.commit.prefix(12)), "
                          + "\(dataset.files.count) file(s) in \(dataset.files.first.map { $0.url.deletingLastPathComponent().path } ?? "")")
            for file in dataset.files {
                paths.append(file.url.path)
                options.fileSources[file.url.path] = "\(dataset.repository)/\(dataset.split)"
            }
        }
        let target: (any PreferenceStore)? = dryRun ? nil : try await PreferenceStores.open(store)
        let importer = PreferenceImporter(store: target, options: options, progress: progress)
        do {
            let report = try await importer.run(paths)
            progress.finish()
            if dryRun { DataImportCommand.printIssues(report) }
            print(DataImportCommand.summary(report, dryRun: dryRun))
            try await target?.close()
            if dryRun && report.issueCount > 0 { throw ExitCode.failure }
        } catch let e as ImportError {
            progress.finish()
            try? await target?.close()
            switch e {
            case .invalidRecords(let report):
                DataImportCommand.printIssues(report)
                print(DataImportCommand.summary(report, dryRun: true))
            case .unreadable(_, _, let report):
                if !report.files.isEmpty { print(DataImportCommand.summary(report, dryRun: !report.stored)) }
            }
            DataOutput.err("error: \(FlagAdvice.describe(e))")
            throw ExitCode.failure
        }
    }

    static func printIssues(_ report: ImportReport) {
        for i in report.issues { DataOutput.err("\(i)") }
        if report.issueCount > report.issues.count {
            DataOutput.err("… and \(report.issueCount - report.issues.count) more problem(s)")
        }
    }

    static func summary(_ r: ImportReport, dryRun: Bool) -> String {
        var out: [String] = []
        for f in r.files {
            out.append("\(f.path): \(f.format?.rawValue ?? "?") (\(f.layout.rawValue)), \(f.records) records, source \(f.source)")
        }
        let t = r.totals
        let header: [String]
        var rows: [[String]] = []
        if dryRun {
            header = ["source", "records", "invalid", "valid pairs"]
            for (name, c) in r.sources.sorted(by: { $0.key < $1.key }) {
                rows.append([name, "\(c.records)", "\(c.invalidRecords)", "\(c.pairs)"])
            }
            rows.append(["total", "\(t.records)", "\(t.invalidRecords)", "\(t.pairs)"])
        } else {
            header = ["source", "records", "invalid", "pairs", "inserted", "duplicate", "already stored", "in other sources"]
            for (name, c) in r.sources.sorted(by: { $0.key < $1.key }) {
                rows.append([name, "\(c.records)", "\(c.invalidRecords)", "\(c.pairs)", "\(c.inserted)", "\(c.duplicates)", "\(c.alreadyStored)",
                             "\(c.crossSourceDuplicates.values.reduce(0, +))"])
            }
            rows.append(["total", "\(t.records)", "\(t.invalidRecords)", "\(t.pairs)", "\(t.inserted)", "\(t.duplicates)", "\(t.alreadyStored)",
                         "\(t.crossSourceDuplicates.values.reduce(0, +))"])
        }
        out.append(DataOutput.table(header, rows))
        for (name, c) in r.sources.sorted(by: { $0.key < $1.key }) where !c.crossSourceDuplicates.isEmpty {
            let parts = c.crossSourceDuplicates.sorted { $0.key < $1.key }.map { "\($0.value) already from \($0.key)" }
            out.append("  \(name): \(parts.joined(separator: ", "))")
        }
        if r.issueCount > 0 {
            out.append("\(r.issueCount) problem(s) in \(t.invalidRecords) record(s)" + (r.rejectsPath.map { "; rejected records written to \($0)" } ?? ""))
        }
        if t.records > 0 && r.seconds > 0 {
            out.append(String(format: "%@ in %.1f s (%.0f records/s)", dryRun ? "checked" : "imported", r.seconds, Double(t.records) / r.seconds))
        }
        return out.joined(separator: "\n")
    }
}
