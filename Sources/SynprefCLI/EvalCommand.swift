import ArgumentParser
import Foundation
import SynprefCore
import SynprefEval

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a reward model on the standard benchmarks.",
        discussion: """
            Benchmarks: rewardbench, rewardbench2, ppe, rmb, rm-bench, judgebench, or all. Each is scored \
            with its own official rule (see docs/benchmarks.md).

            --data is the benchmark's folder or file, or, with all, a folder laid out like \
            shared/data/benchmarks: judgebench/, rm-bench/, rmb/, rewardbench2/, rewardbench/, ppe/. \
            Missing folders are skipped with where to get them.

            Scores: --scores FILE reads JSON lines {"id": string, "score": number} answering the request \
            file written by --dump-requests FILE (JSON lines {"id": string, "messages": [{"role", "content"}]}, \
            one per distinct response; ids are SHA-256 of the canonical messages, stable across runs and \
            benchmarks). So any external scorer can be used: dump, score, evaluate.

            Writes results.json and report.html to --output (default synpref-eval/) and prints a summary.
            """)

    @Option(help: "Benchmark name, or all.")
    var benchmark: String

    @Option(help: "Benchmark data: a file or folder (a root folder for all).")
    var data: String

    @Option(help: "Reward model to score with (local runtime).")
    var model: String?

    @Option(help: "Precomputed scores: JSON lines {\"id\", \"score\"}.")
    var scores: String?

    @Option(help: "Folder for results.json and report.html.")
    var output: String = "synpref-eval"

    @Option(name: .customLong("dump-requests"), help: "Write the distinct requests to score as JSON lines to this file.")
    var dumpRequests: String?

    func validate() throws {
        if model != nil, scores != nil { throw ValidationError("Use either --model or --scores, not both.") }
        if model == nil, scores == nil, dumpRequests == nil {
            throw ValidationError("Give --scores FILE or --model REF, or --dump-requests FILE to write what needs scoring.")
        }
    }

    /// The score source of this run. The `--model` branch is where the local runtime plugs in:
    /// `ModelScoreSource(scorer: rewardModel, batchSize: …, cache: ScoreCache(path:
    /// ScoreCache.defaultPath(fingerprint:), fingerprint:))`, with `renderInput` (chat-template
    /// text, the exact cache key) and `countTokens` (for tokens/s) set from the model's tokenizer.
    func makeSource() throws -> (any ScoreSource)? {
        if model != nil { throw EvalModelNotAvailable() }
        return try scores.map { try PrecomputedScores(path: $0) }
    }

    func run() async throws {
        if model != nil { _ = try makeSource() }
        let progress = EvalProgress()
        let started = Date()
        let (loaded, skipped) = try EvalRunner.load(benchmark, data: data, progress: progress)
        for s in skipped { progress.line("skipped \(s.benchmark): \(s.reason)") }
        let requests = EvalRunner.requests(loaded)
        progress.line("loaded \(loaded.map(\.name).joined(separator: ", ")): \(requests.count) distinct responses to score "
                      + String(format: "(%.2f s)", Date().timeIntervalSince(started)))
        if let dumpRequests {
            try EvalRunner.writeRequests(requests, to: dumpRequests)
            progress.line("wrote \(requests.count) requests to \(dumpRequests)")
        }
        guard let source = try makeSource() else { return }
        let outcome = try await source.scores(for: requests, progress: progress)
        let stats = outcome.statistics
        if stats.scored > 0 || stats.cacheHits > 0 {
            var line = "scored \(stats.scored) responses, \(stats.cacheHits) from the cache ("
                + String(format: "%.1f%% hit rate", stats.cacheHitRate * 100)
            if let r = stats.responsesPerSecond { line += String(format: ", %.2f responses/s", r) }
            if let t = stats.tokensPerSecond { line += String(format: ", %.0f tokens/s", t) }
            progress.line(line + ")")
        }
        let reports = try EvalRunner.evaluate(loaded, scores: outcome.table)
        let results = EvalResults(reports: reports, skipped: skipped, provenance: source.provenance,
                                  statistics: outcome.statistics, requestCount: requests.count)
        let written = try results.write(to: output)
        print(SummaryTable.render(results), terminator: "")
        progress.line("wrote \(written.results) and \(written.report) "
                      + String(format: "(%.2f s in all)", Date().timeIntervalSince(started)))
    }
}

/// `--model` waits for the local runtime (issue 2); the lead wires it to `ModelScoreSource`.
struct EvalModelNotAvailable: Error, CustomStringConvertible {
    var description: String {
        "--model is not available yet: the local reward-model runtime (issue 2) has not landed. Meanwhile, write the "
            + "requests with --dump-requests FILE, score them with any scorer, and pass the scores with --scores FILE."
    }
}
