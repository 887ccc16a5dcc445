import ArgumentParser
import Foundation
import SynprefData

/// `synpref data decontaminate --store URL --benchmarks DIR [--ngram 13]`
struct DataDecontaminateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decontaminate",
        abstract: "Discard pairs that share an n-gram with a first-turn prompt of a benchmark.",
        discussion: """
            DIR holds one folder per benchmark (like shared/data/benchmarks: judgebench, \
            rm-bench, rmb, rewardbench2). Words are runs of letters and digits after \
            lower-casing; a pair whose context shares one n-gram (default 13 words) with a \
            benchmark's first-turn prompt is moved to the discarded tier, flagged with the \
            benchmark's name (logged; never exported, not even flipped).
            """)

    @Option(help: "Store URL: sqlite:PATH or postgres://user@host/db.")
    var store: String = PreferenceStores.defaultURL

    @Option(help: "Folder with one subfolder per benchmark.")
    var benchmarks: String

    @Option(help: "n-gram length in words.")
    var ngram: Int = 13

    @Flag(name: .customLong("include-responses"), help: "Also check the chosen and rejected responses, not only the context.")
    var includeResponses = false

    func run() async throws {
        guard ngram >= 1 else { throw ValidationError("--ngram must be at least 1") }
        let prompts = try BenchmarkPromptSet.load(directory: benchmarks)
        let decontaminator = try Decontaminator(prompts: prompts, n: ngram, includeResponses: includeResponses)
        for b in prompts.benchmarks {
            DataOutput.err("\(b.name): \(b.prompts) first-turn prompt(s) from \(b.files) file(s)\(b.skippedRecords > 0 ? ", \(b.skippedRecords) record(s) without a prompt" : "")")
        }
        DataOutput.err("\(decontaminator.ngramCount) distinct \(ngram)-grams indexed")
        let target = try await PreferenceStores.open(store)
        let progress = ProgressLine()
        let report = try await decontaminator.run(store: target, progress: progress)
        progress.finish()
        try await target.close()
        var rows = prompts.benchmarks.map { [$0.name, "\($0.prompts)", "\(report.perBenchmark[$0.name] ?? 0)"] }
        rows.append(["any", "", "\(report.flagged)"])
        print(DataOutput.table(["benchmark", "prompts", "contaminated pairs"], rows))
        print(String(format: "checked %d pair(s) in %.1f s; %d newly discarded as contaminated", report.scanned, report.seconds, report.flagged))
    }
}
