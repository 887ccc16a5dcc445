import ArgumentParser
import Foundation
import SynprefCore
import SynprefData
import SynprefJudge

/// `synpref judge attributes|preference|verify`: LLM judges over OpenAI-compatible endpoints.
struct JudgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Ask LLM judges for preference attributes, preference labels or answer verification.",
        discussion: """
            TASK is attributes (the 5-tuple: task_category, objectivity, controversiality, \
            desired_attributes, annotation_guideline), preference (which response is better, \
            against a guideline and up to 8 human-labelled examples; the two responses shown as \
            "Candidate 1" / "Candidate 2" in a seeded random order per pair and sample; votes \
            aggregated within each judge, then across judges) or verify (each response of an \
            objective pair judged correct or not: confirmed, flipped or undetermined). \
            --judges is a JSON list of endpoints (see docs/judges.md); API keys come from the \
            environment variable each judge names. Input: any format `synpref data import` \
            reads; a Synpref jsonl pair may carry "examples": [pairs with attributes] for \
            preference. Output, one line per input pair in input order, written atomically at \
            the end: attributes -> {"id"?, "attributes": {...}} (or null with "errors"); \
            preference and verify -> {"id"?, "label", "confidence", "votes": {"chosen", \
            "rejected", "tie", "invalid"}}. Every answer is appended to --cache as it arrives \
            (default: OUTPUT.cache.jsonl), so a killed run started again pays for nothing twice. \
            For OpenAI's Batch API: --batch-requests FILE writes the calls instead of sending \
            them (custom_id = cache key); --batch-results FILE stores the batch's answers in the \
            cache, after which the same command finishes from the cache. \
            Store mode (--store URL instead of --input/--output): one task per pair of --tier \
            that needs the task is put in the store's work queue (--queue; enqueueing twice adds \
            nothing), then this process claims batches of tasks and records results in the \
            curation log (attributes set by llm_judge:<judge>; one label per judge as \
            llm_judge:<judge> with confidence and rationale, plus the aggregate with several \
            judges), each batch together with its tasks' completion in one transaction. Run the \
            same command on more machines to share the queue; answers are kept in the store, so \
            a killed worker's paid answers are reused by whoever takes its tasks.
            """)

    @Argument(help: "attributes, preference or verify.")
    var task: TaskArgument

    @Option(help: "Judges file (JSON list).")
    var judges: String

    @Option(help: "Input pairs (any format `synpref data import` reads).")
    var input: String?

    @Option(help: "Output JSON lines file.")
    var output: String?

    @Option(help: "Answer cache (JSON lines, appended; default: OUTPUT.cache.jsonl). Store mode keeps answers in the store.")
    var cache: String?

    @Option(help: "Judge the pairs of this store through its work queue instead of --input/--output (sqlite:PATH or postgres://...).")
    var store: String?

    @Option(help: "Store mode: only pairs of this tier (unverified, silver, gold, discarded; default: every tier).")
    var tier: PreferenceTier?

    @Option(help: "Store mode: the work queue's name (default: judge-TASK).")
    var queue: String?

    @Option(help: "Store mode: this worker's name in the queue (default: host:pid:start time, unique per run).")
    var worker: String?

    @Option(name: .customLong("batch-size"), help: "Store mode: tasks claimed at a time (by each of two claim loops).")
    var batchSize: Int = 64

    @Option(help: "Store mode: seconds a claim lasts; renewed while the judges work, so a killed worker's tasks return after this long.")
    var lease: Double = 120

    @Flag(name: .customLong("no-enqueue"), help: "Store mode: only work on tasks already in the queue.")
    var noEnqueue = false

    @Flag(name: .customLong("no-wait"), help: "Store mode: stop when no task is free, even while other workers still hold some.")
    var noWait = false

    @Option(help: "Samples per judge for preference and verify (default: each judge's \"samples\").")
    var samples: Int?

    @Option(help: "Seed of the candidate order and of the servers' sampling.")
    var seed: UInt64 = 0

    @Option(help: "majority or unanimous (across judges).")
    var aggregate: Aggregation = .majority

    @Option(help: "Judge only the first N pairs.")
    var limit: Int?

    @Option(name: .customLong("budget-usd"), help: "Stop starting new calls once this much has been spent (per the judges' prices).")
    var budgetUSD: Double?

    @Option(name: .customLong("max-requests"), help: "Stop starting new calls after this many.")
    var maxRequests: Int?

    @Option(help: "Preference guideline (Markdown; default: the shipped one).")
    var guideline: String?

    @Option(help: "Prompt template (Jinja) for the task instead of the shipped one.")
    var prompt: String?

    @Option(help: "Write the run's summary as JSON here too.")
    var summary: String?

    @Option(name: .customLong("batch-requests"), help: "Write the calls the cache cannot answer as OpenAI Batch API input (JSONL) instead of sending them.")
    var batchRequests: String?

    @Option(name: .customLong("batch-results"), help: "Store the answers of an OpenAI Batch API output file in the cache before judging.")
    var batchResults: String?

    enum TaskArgument: String, ExpressibleByArgument, CaseIterable { case attributes, preference, verify }

    func validate() throws {
        if let s = samples, s < 1 { throw ValidationError("--samples must be at least 1") }
        if let l = limit, l < 1 { throw ValidationError("--limit must be at least 1") }
        if let b = budgetUSD, b <= 0 { throw ValidationError("--budget-usd must be positive") }
        if let m = maxRequests, m < 1 { throw ValidationError("--max-requests must be at least 1") }
        if store != nil {
            if input != nil || output != nil { throw ValidationError("--store replaces --input and --output: give one or the other") }
            if cache != nil { throw ValidationError("--cache: with --store the answers are kept in the store; drop --cache") }
            if batchRequests != nil { throw ValidationError("--batch-requests works on files: run it with --input/--output, then --batch-results with --store") }
            if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
            if !(lease >= 5) { throw ValidationError("--lease must be at least 5 seconds") }
        } else {
            if input == nil || output == nil { throw ValidationError("give --input FILE and --output FILE, or --store URL") }
            if tier != nil || queue != nil || worker != nil || noEnqueue { throw ValidationError("--tier, --queue, --worker and --no-enqueue need --store") }
        }
    }

    func run() async throws {
        let progressLine = ProgressLine()
        let task = JudgeTask(rawValue: self.task.rawValue)!
        let configs = try JudgeConfig.load(path: judges)
        let clients = try configs.map { try ChatClient(judge: $0) }
        var templates = try PromptTemplates.defaults()
        if let guideline { templates.guideline = try PromptTemplates.read(guideline) }
        if let prompt {
            let t = try PromptTemplates.template(try PromptTemplates.read(prompt), file: prompt)
            switch task {
            case .attributes: templates.attributes = t
            case .preference: templates.preference = t
            case .verify: templates.verify = t
            }
        }
        var options = JudgeRunner.Options(task: task)
        options.collectOnly = batchRequests != nil
        options.samples = samples
        options.seed = seed
        options.aggregate = aggregate
        options.budgetUSD = budgetUSD
        options.maxRequests = maxRequests
        if let store {
            try await runStore(store, clients: clients, templates: templates, options: options, progressLine: progressLine)
            return
        }
        guard let input, let output else { return }
        let items = try readItems(input)
        let cachePath = cache ?? output + ".cache.jsonl"
        let responseCache = try ResponseCache(path: cachePath)
        if responseCache.unreadableLines > 0 {
            progressLine.line("synpref judge: \(cachePath): \(responseCache.unreadableLines) torn line(s) ignored (a run was killed while writing)")
        }
        try await ingestBatchResults(into: responseCache, progressLine)
        let runner = JudgeRunner(clients: clients, templates: templates, cache: responseCache, options: options)
        let started = Date()
        let outcomes = try await runner.run(items) { p in
            progressLine.update(Self.describe(p, elapsed: Date().timeIntervalSince(started)))
        }
        let final = runner.progress
        progressLine.update(Self.describe(final, elapsed: Date().timeIntervalSince(started)), force: true)
        let summaryValue = Self.summary(task: task, runner: runner, outcomes: outcomes, elapsed: Date().timeIntervalSince(started))
        if let summary { try Data((summaryValue.serialized(indent: 2) + "\n").utf8).write(to: URL(fileURLWithPath: summary)) }
        progressLine.line("synpref judge: " + summaryValue.serialized())
        if let batchRequests {
            let writer = try AtomicLineWriter(path: batchRequests)
            for line in runner.batchRequests { try writer.write(line.serialized()) }
            try writer.commit()
            progressLine.line("synpref judge: \(runner.batchRequests.count) call(s) written to \(batchRequests) for the Batch API "
                + "(answered calls come from the cache); submit it, then run this command again with --batch-results OUTPUT instead of --batch-requests")
            if runner.batchRequests.isEmpty == false { return }
        }
        if let reason = runner.stopReason {
            throw ValidationError("stopped early: \(reason); \(outcomes.filter { if case .notDone = $0 { true } else { false } }.count) pair(s) unfinished, nothing written to \(output). "
                + "Answers so far are in \(cachePath): run the same command again (with a higher limit) to finish without paying for them twice.")
        }
        let writer = try AtomicLineWriter(path: output)
        do {
            for (item, outcome) in zip(items, outcomes) { try writer.write(outcome.line(id: item.id).serialized()) }
            try writer.commit()
        } catch {
            writer.abandon()
            throw error
        }
    }

    func ingestBatchResults(into cache: any AnswerCache, _ progressLine: ProgressLine) async throws {
        guard let batchResults else { return }
        let (stored, failed) = try await cache.ingestBatchResults(path: batchResults)
        progressLine.line("synpref judge: \(batchResults): \(stored) answer(s) stored in the cache, \(failed.count) line(s) without an answer")
        for f in failed.prefix(10) { progressLine.line("  \(f)") }
    }

    /// Store mode: enqueue what the tier needs, then work the queue until it is empty.
    func runStore(_ url: String, clients: [ChatClient], templates: PromptTemplates, options: JudgeRunner.Options,
                  progressLine: ProgressLine) async throws {
        try await withStore(url) { target in
            try await work(target, clients: clients, templates: templates, options: options, progressLine: progressLine)
        }
    }

    private func work(_ target: any PreferenceStore, clients: [ChatClient], templates: PromptTemplates, options: JudgeRunner.Options,
                      progressLine: ProgressLine) async throws {
        let cache = StoreAnswerCache(log: target)
        try await ingestBatchResults(into: cache, progressLine)
        let runner = JudgeRunner(clients: clients, templates: templates, cache: cache, options: options)
        var workerOptions = JudgeQueueWorker.Options(queue: queue ?? JudgeQueueWorker.defaultQueue(options.task),
                                                     worker: worker ?? JudgeQueueWorker.defaultWorkerName())
        workerOptions.batchSize = batchSize
        workerOptions.lease = lease
        workerOptions.waitForOthers = !noWait
        let qw = JudgeQueueWorker(store: target, runner: runner, options: workerOptions)
        if !noEnqueue {
            let (queued, skipped) = try await qw.enqueue(tier: tier, limit: limit) { seen in
                progressLine.update("judge: enqueueing: \(seen) pairs looked at")
            }
            var why = ""
            if skipped > 0 {
                switch options.task {
                case .attributes: why = ", \(skipped) skipped (they have attributes)"
                case .verify: why = ", \(skipped) skipped (not objective, or no attributes yet: run `synpref judge attributes` first)"
                case .preference: break
                }
            }
            progressLine.line("synpref judge: \(queued) pair(s) in queue \(workerOptions.queue)\(why)")
        }
        let started = Date()
        let queueName = workerOptions.queue
        // Done / total and the ETA count the queue's open tasks, not only the batches claimed so far.
        let before = try await target.queueCounts(queue: queueName)
        let open = (before.tasks[.pending] ?? 0) + (before.tasks[.leased] ?? 0)
        let report = try await qw.run { p in
            var shown = p
            shown.items = Swift.max(p.items, open)
            progressLine.update(Self.describe(shown, elapsed: Date().timeIntervalSince(started)))
        }
        let final = runner.progress
        progressLine.update(Self.describe(final, elapsed: Date().timeIntervalSince(started)), force: true)
        var summaryValue = Self.summary(task: options.task, runner: runner, outcomes: [], elapsed: Date().timeIntervalSince(started))
        let counts = try await target.queueCounts(queue: queueName)
        if case .object(var o) = summaryValue {
            o["outcomes"] = nil
            o["store"] = ["queue": .string(queueName), "worker": .string(workerOptions.worker),
                          "tasks_recorded": .integer(report.tasks), "labels": .integer(report.labels), "attributes": .integer(report.attributes),
                          "no_valid_answer": .integer(report.invalid), "released": .integer(report.released), "lease_lost": .integer(report.leaseLost),
                          "queue_tasks": .object(JSONObject(WorkTask.State.allCases.map { ($0.rawValue, JSONValue.integer(counts.tasks[$0] ?? 0)) }))]
            summaryValue = .object(o)
        }
        if let summary { try Data((summaryValue.serialized(indent: 2) + "\n").utf8).write(to: URL(fileURLWithPath: summary)) }
        progressLine.line("synpref judge: " + summaryValue.serialized())
        if let reason = runner.stopReason {
            throw ValidationError("stopped early: \(reason); \(report.released) task(s) given back to queue \(queueName). "
                + "Answers so far are in the store: run the same command again (with a higher limit) to finish without paying for them twice.")
        }
    }

    /// The pairs of `--input` with each record's "id" and "examples".
    func readItems(_ input: String) throws -> [JudgeItem] {
        let reader = try PreferenceFileReader(path: input, source: "judge", overrideSource: false)
        reader.keepRaw = true
        var items: [JudgeItem] = []
        let exampleDecoder = PreferenceFormat.jsonl.decoder()
        while let batch = try reader.nextBatch() {
            for outcome in batch {
                if let issue = outcome.issues.first { throw issue }
                let raw = outcome.raw.flatMap { try? JSONParser.parse($0) }
                let id = raw?["id"].flatMap { v -> String? in
                    switch v { case .string(let s): return s; case .integer(let i): return String(i); default: return nil }
                }
                var examples: [PreferencePair] = []
                for (k, e) in (raw?["examples"]?.arrayValue ?? []).enumerated() {
                    for r in exampleDecoder.decode(e) {
                        switch r {
                        case .success(let p): examples.append(p)
                        case .failure(let f):
                            throw RecordIssue(file: input, line: outcome.line, field: "examples[\(k)].\(f.field)", reason: f.reason)
                        }
                    }
                }
                for p in outcome.pairs { items.append(JudgeItem(id: id, pair: p.pair, examples: examples)) }
                if let limit, items.count >= limit { return Array(items.prefix(limit)) }
            }
        }
        return items
    }

    static func describe(_ p: JudgeProgress, elapsed: Double) -> String {
        let rate = Double(p.calls) / Swift.max(elapsed, 1e-9)
        var s = "judge: \(p.itemsDone)/\(p.items) pairs, \(p.calls) calls (\(p.cached) cached), " + String(format: "%.1f calls/s", rate)
        s += ", \(p.promptTokens + p.completionTokens) tokens, " + String(format: "$%.4f", p.cost)
        s += ", \(p.retries) retries, \(p.invalid) invalid"
        if p.itemsDone > 0 && p.itemsDone < p.items {
            let eta = elapsed / Double(p.itemsDone) * Double(p.items - p.itemsDone)
            s += String(format: ", ETA %.0fs", eta)
        }
        return s
    }

    static func summary(task: JudgeTask, runner: JudgeRunner, outcomes: [JudgeOutcome], elapsed: Double) -> JSONValue {
        let p = runner.progress
        var labels: [String: Int] = [:]
        for o in outcomes {
            switch o {
            case .attributes(let a, _, _): labels[a == nil ? "invalid" : "ok", default: 0] += 1
            case .verdict(let v, _): labels[v.label.rawValue, default: 0] += 1
            case .notDone: labels["not done", default: 0] += 1
            }
        }
        var bias = JSONObject()
        for (judge, c) in runner.positionBias.sorted(by: { $0.key < $1.key }) {
            let decided = c.first + c.second
            bias[judge] = ["first": .integer(c.first), "second": .integer(c.second), "tie": .integer(c.tie),
                           "first_share": decided > 0 ? .double(Double(c.first) / Double(decided)) : .null]
        }
        var reasons = JSONObject()
        for (r, n) in runner.invalidReasons.sorted(by: { $0.value > $1.value }).prefix(20) { reasons[r] = .integer(n) }
        let received = p.calls + p.cached - p.failed
        return [
            "task": .string(task.rawValue), "pairs": .integer(p.items), "outcomes": .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.integer($0.value)) })),
            "calls": .integer(p.calls), "cached": .integer(p.cached), "retries": .integer(p.retries),
            "prompt_tokens": .integer(p.promptTokens), "completion_tokens": .integer(p.completionTokens),
            "cost_usd": .double(p.cost), "invalid_answers": .integer(p.invalid), "failed_calls": .integer(p.failed),
            "parse_rate": received > 0 ? .double(Double(received - (p.invalid - p.failed)) / Double(received)) : .null,
            "position_bias": .object(bias), "invalid_reasons": .object(reasons),
            "seconds": .double(elapsed), "stopped": runner.stopReason.map(JSONValue.string) ?? .null,
        ]
    }
}

extension Aggregation: ExpressibleByArgument {}
