import ArgumentParser
import Foundation
import SynprefData

/// `synpref data export --store URL --tier T [--format trl|openrlhf|rewardbench|jsonl] [--flip] OUT`
struct DataExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the pairs of one tier as JSON Lines for training or evaluation.",
        discussion: """
            trl: {"prompt": [messages], "chosen": [assistant], "rejected": [assistant]}; \
            openrlhf: full conversations {"chosen": [...], "rejected": [...]} (use \
            --apply_chat_template); rewardbench: single-turn rows; jsonl: everything Synpref \
            stores (attributes, tier, labels). --flip swaps chosen and rejected (recycling \
            discarded pairs). Pairs flagged as benchmark-contaminated are never exported.
            """)

    @Option(help: "Store URL: sqlite:PATH or postgres://user@host/db.")
    var store: String = PreferenceStores.defaultURL

    @Option(help: "unverified, silver, gold or discarded.")
    var tier: PreferenceTier

    @Option(help: "trl, openrlhf, rewardbench or jsonl (also trl-conversational).")
    var format: PreferenceFormat = .trl

    @Flag(help: "Swap chosen and rejected.")
    var flip = false

    @Argument(help: "Output file (JSON Lines).")
    var out: String

    func run() async throws {
        guard PreferenceFormat.writable.contains(format) else {
            throw ValidationError("format \(format.rawValue) cannot be written; use one of \(PreferenceFormat.writable.map(\.rawValue).joined(separator: ", "))")
        }
        let target = try await PreferenceStores.open(store)
        let progress = ProgressLine()
        let report = try await PreferenceExporter(format: format, flip: flip).run(store: target, tier: tier, to: out, progress: progress)
        progress.finish()
        try await target.close()
        print("wrote \(report.written) pair(s) of tier \(tier.rawValue) to \(out) as \(format.rawValue)\(flip ? " (flipped)" : "")")
        if report.refused > 0 {
            print("\(report.refused) pair(s) not written: the format cannot hold them (first: \(report.firstRefusal ?? "?"))")
        }
    }
}
