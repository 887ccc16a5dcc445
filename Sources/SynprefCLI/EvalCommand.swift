import ArgumentParser
import Foundation
import SynprefCore
import SynprefEval
import SynprefModels

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a reward model on the standard benchmarks.",
        discussion: """
            Benchmarks: rewardbench, rewardbench2, ppe, rmb, rm-bench, judgebench, or all. Each is scored \
            with its own official rule (see docs/benchmarks.md). Also pairs: your own preference pairs \
            (any format `synpref data import` reads, e.g. a held-out split from `synpref data split`), \
            accuracy (score(chosen) > score(rejected)) with a 95% Wilson interval.

            --data is the benchmark's folder or file, or, with all, a folder laid out like \
            shared/data/benchmarks: judgebench/, rm-bench/, rmb/, rewardbench2/, rewardbench/, ppe/. \
            Missing folders are skipped with where to get them. A pairs/ folder there is evaluated \
            too when present.

            Without --data, each benchmark's official Hugging Face dataset is fetched into the \
            Hugging Face cache (no Python needed): RewardBench (allenai/reward-bench, filtered), \
            RewardBench 2 (allenai/reward-bench-2, test), PPE (lmarena-ai/PPE-Human-Preference-V1 \
            and the five PPE-*-Best-of-K sets), RM-Bench (THU-KEG/RM-Bench) and JudgeBench \
            (ScalerLab/JudgeBench, gpt and claude). RMB is on GitHub only and needs --data. The \
            dataset revisions (commits) and file hashes go to results.json. HF_TOKEN, HF_HOME, \
            HF_HUB_CACHE and HF_ENDPOINT are honoured; HF_HUB_OFFLINE=1 uses the cache only.

            Scores: --scores FILE reads JSON lines {"id": string, "score": number} answering the request \
            file written by --dump-requests FILE (JSON lines {"id": string, "messages": [{"role", "content"}]}, \
            one per distinct response; ids are SHA-256 of the canonical messages, stable across runs and \
            benchmarks). So any external scorer can be used: dump, score, evaluate.

            --model REF scores with the local runtime: a checkpoint folder with its tokenizer files \
            and chat template, or a Hugging Face repo id. Each response is rendered with the chat \
            template (no generation prompt, leading BOS stripped) and tokenized as transformers does; \
            over --max-length tokens is an error unless --truncate says which side to cut. Scores \
            are cached by (model fingerprint, exact model input) in --cache (default \
            ~/.cache/synpref/scores/, or $SYNPREF_CACHE/scores/), so re-runs, responses shared \
            between benchmarks and interrupted runs are scored once. Tokens/s and the cache hit \
            rate go to stderr and results.json.

            Writes results.json and report.html to --output (default synpref-eval/) and prints a summary.
            """)

    @Option(help: "Benchmark name (rewardbench, rewardbench2, ppe, rmb, rm-bench, judgebench, pairs), or all.")
    var benchmark: String

    @Option(help: "Benchmark data: a file or folder (a root folder for all). Default: fetch the official Hugging Face datasets.")
    var data: String?

    @Option(help: "Reward model to score with (local runtime).")
    var model: String?

    @Option(help: "Precomputed scores: JSON lines {\"id\", \"score\"}.")
    var scores: String?

    @Option(help: "Folder for results.json and report.html.")
    var output: String = "synpref-eval"

    @Option(name: .customLong("dump-requests"), help: "Write the distinct requests to score as JSON lines to this file.")
    var dumpRequests: String?

    @Option(name: .customLong("max-length"), help: "With --model: longest input in tokens, special tokens included.")
    var maxLength: Int = TextFrontEnd.Options.defaultMaxLength

    @Option(help: "With --model: cut over-long inputs instead of failing (left keeps the response, right the start).")
    var truncate: TextFrontEnd.Truncation?

    @Option(name: .customLong("batch-size"), help: "With --model: responses per forward call (and per cache flush).")
    var batchSize: Int = 16

    @Option(help: "With --model: worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "With --model: the score cache file (default: one per model fingerprint under ~/.cache/synpref/scores/).")
    var cache: String?

    func validate() throws {
        if model != nil, scores != nil { throw ValidationError("Use either --model or --scores, not both.") }
        if model == nil, scores == nil, dumpRequests == nil {
            throw ValidationError("Give --scores FILE or --model REF, or --dump-requests FILE to write what needs scoring.")
        }
        if maxLength < 1 { throw ValidationError("--max-length must be at least 1") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// The score source of this run: precomputed scores, or the local runtime through the
    /// persistent cache keyed by (fingerprint, rendered model input).
    func makeSource(progress: ProgressLine) throws -> (any ScoreSource)? {
        guard let model else { return try scores.map { try PrecomputedScores(path: $0) } }
        let rm = try RewardModel.open(model, threads: threads,
                                      frontEndOptions: TextFrontEnd.Options(maxLength: maxLength, truncation: truncate),
                                      progress: progress)
        guard rm.numLabels == 1 else { throw EvalModelError.notARewardModel(model: model, labels: rm.numLabels) }
        guard let frontEnd = rm.frontEnd else { throw TextFrontEndError.noTokenizer(model: model) }
        // A folder without a usable template fails here, before any data is read.
        if case .unavailable(let reason) = frontEnd.format { throw reason }
        let fingerprint = rm.fingerprint
        let cachePath = cache ?? ScoreCache.defaultPath(fingerprint: fingerprint)
        let source = ModelScoreSource(service: try ScoringService(model: rm), batchSize: batchSize,
                                      cache: try ScoreCache(path: cachePath, fingerprint: fingerprint))
        progress.line("model \(rm.directory?.path ?? model) (fingerprint \(fingerprint.prefix(16))…, \(rm.threads) threads); cache \(cachePath)")
        return source
    }

    func run() async throws {
        let progress = ProgressLine()
        // Open the model first: a bad --model fails before the data is read.
        let source = try makeSource(progress: progress)
        let started = Date()
        var root = data
        var datasets: [String: [ResolvedDataset]] = [:]
        var fetchSkipped: [SkippedBenchmark] = []
        if root == nil {
            let fetched = try BenchmarkDatasets.fetch(benchmark, progress: progress)
            for (name, list) in fetched.datasets.sorted(by: { $0.key < $1.key }) {
                for d in list {
                    progress.line("\(name): \(d.repository) split \(d.split) at commit \(d.commit.prefix(12)) "
                                  + "(\(d.files.count) file(s), \(d.files.reduce(0) { $0 + $1.bytes }) bytes)")
                }
            }
            root = fetched.root
            datasets = fetched.datasets
            fetchSkipped = fetched.skipped
        }
        var (loaded, skipped) = try EvalRunner.load(benchmark, data: root ?? ".", progress: progress)
        // A benchmark that could not be fetched is reported with that reason, not as a missing folder.
        skipped = fetchSkipped + skipped.filter { s in !fetchSkipped.contains { $0.benchmark == s.benchmark } }
        for s in skipped { progress.line("skipped \(s.benchmark): \(s.reason)") }
        let requests = EvalRunner.requests(loaded)
        progress.line("loaded \(loaded.map(\.name).joined(separator: ", ")): \(requests.count) distinct responses to score "
                      + String(format: "(%.2f s)", Date().timeIntervalSince(started)))
        if let dumpRequests {
            try EvalRunner.writeRequests(requests, to: dumpRequests)
            progress.line("wrote \(requests.count) requests to \(dumpRequests)")
        }
        guard let source else { return }
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
                                  statistics: outcome.statistics, requestCount: requests.count, datasets: datasets)
        let written = try results.write(to: output)
        print(SummaryTable.render(results), terminator: "")
        progress.line("wrote \(written.results) and \(written.report) "
                      + String(format: "(%.2f s in all)", Date().timeIntervalSince(started)))
    }
}

/// `--model` errors that are about the model as a whole.
enum EvalModelError: Error, CustomStringConvertible {
    case notARewardModel(model: String, labels: Int)

    var description: String {
        switch self {
        case .notARewardModel(let model, let labels):
            return "\(model): the head has \(labels) labels; `synpref eval --model` needs a reward model with num_labels = 1"
        }
    }
}
