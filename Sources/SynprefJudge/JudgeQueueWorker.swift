import Foundation
import SynprefCore
import SynprefData

/// Judges the pairs of a store through its work queue, so several `synpref judge` processes
/// on several machines share one pool: each claims a batch of tasks (one per pair, keyed
/// `pair:<id>`, so enqueueing the same work twice adds nothing), keeps its leases alive while
/// the judges answer, and records each pair's result in the curation log together with the
/// completion of its task, in one transaction per batch. A killed worker's leases run out
/// and its tasks go to the next claimer; answers it already received are in the store's
/// answer log, so nobody pays for them again.
///
/// What is recorded: attributes (set by `llm_judge:<judge>`); for preference and verify, one
/// label per judge that gave a valid answer (`llm_judge:<judge>`, its plurality label, the
/// share of its valid votes for that label as confidence, and the rationale of one answer
/// that gave it) and, with several judges, the aggregate
/// (`llm_judge:<rule>(<judge>,<judge>...)`, with the aggregate confidence). A judge with no
/// valid answer records nothing; the task's result keeps the reasons. Tiers change only
/// through `Options.decide` (the curation pipeline's decision), with the labels; a move whose
/// pair was moved meanwhile by someone else (`expectedFrom` no longer holds) is dropped.
public final class JudgeQueueWorker: @unchecked Sendable {
    public struct Options: Sendable {
        public var queue: String
        /// This worker's name in the queue (claims are per worker: a worker is never given a
        /// task it claimed before, so each run should have a name of its own).
        public var worker: String
        /// Tasks claimed at a time by each of `loops` claim loops.
        public var batchSize = 64
        /// Seconds a claim lasts; renewed every third of it while the judges work.
        public var lease: TimeInterval = 120
        /// Claim loops in this process (two keep the judges busy while a batch finishes).
        public var loops = 2
        /// When no task is left to claim but other workers still hold some, wait for them
        /// (their leases may run out and come back) instead of stopping.
        public var waitForOthers = true
        public var pollInterval: TimeInterval = 5
        /// Preference and verify: a tier move to record with a pair's labels, in the same
        /// transaction (the curation pipeline moves confident pairs to silver and the rest to
        /// discarded); nil records labels only.
        public var decide: (@Sendable (_ pairID: Int64, _ verdict: Verdict) -> TierChange?)?

        public init(queue: String, worker: String) {
            self.queue = queue
            self.worker = worker
        }
    }

    /// What this worker did.
    public struct Report: Sendable {
        public var tasks = 0, labels = 0, attributes = 0
        /// Pairs for which no judge gave a valid answer (recorded in the task result only).
        public var invalid = 0
        /// Tasks given back unfinished (the run stopped on a budget or request limit).
        public var released = 0
        /// Tasks whose lease ran out before their result was recorded (another worker takes them).
        public var leaseLost = 0
    }

    public static func defaultQueue(_ task: JudgeTask) -> String { "judge-\(task.rawValue)" }

    /// A worker name unique to this process: host, process id and start time.
    public static func defaultWorkerName() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(Int(Date().timeIntervalSince1970))"
    }

    public let store: any PreferenceStore
    public let runner: JudgeRunner
    public let options: Options
    private let lock = NSLock()
    private var state = Report()
    /// Tasks claimed by this process's loops and not yet recorded or released.
    private var holding = 0

    public init(store: any PreferenceStore, runner: JudgeRunner, options: Options) {
        self.store = store
        self.runner = runner
        self.options = options
    }

    public var report: Report { lock.withLock { state } }
    private var task: JudgeTask { runner.options.task }

    /// Enqueues a task for every pair of `tier` (nil: every tier; contaminated pairs never)
    /// that needs one: attributes for pairs without attributes, verify for pairs whose
    /// attributes say objective, preference for every pair; at most `limit` pairs considered.
    /// Returns how many pairs got a task (new or already queued) and how many were skipped.
    public func enqueue(tier: PreferenceTier?, limit: Int?, onPage: @Sendable (Int) -> Void = { _ in }) async throws -> (queued: Int, skipped: Int) {
        var after: Int64 = 0
        var queued = 0, skipped = 0, seen = 0
        while true {
            let pageSize = min(1000, limit.map { $0 - seen } ?? 1000)
            guard pageSize > 0 else { break }
            let page = try await store.pairs(PairQuery(tier: tier, afterID: after, limit: pageSize))
            guard let last = page.last?.id else { break }
            after = last
            seen += page.count
            var tasks: [NewTask] = []
            for p in page {
                guard let id = p.id else { continue }
                switch task {
                case .attributes where p.attributes != nil: skipped += 1; continue
                case .verify where p.attributes?.objectivity != .objective: skipped += 1; continue
                default: break
                }
                tasks.append(NewTask(pairID: id, kind: task.rawValue, payload: "{}", maxAttempts: 10, key: "pair:\(id)"))
            }
            if !tasks.isEmpty { _ = try await store.enqueue(tasks, queue: options.queue) }
            queued += tasks.count
            onPage(seen)
        }
        return (queued, skipped)
    }

    /// Enqueues preference tasks for given pairs, each with its human-labelled examples
    /// (pair ids, shown in their verified orientation; at most 8 are used). Keyed `pair:<id>`
    /// like `enqueue(tier:limit:)`.
    public func enqueue(pairs: [(pairID: Int64, examples: [Int64])]) async throws {
        for chunk in stride(from: 0, to: pairs.count, by: 1000) {
            let tasks = pairs[chunk..<min(pairs.count, chunk + 1000)].map { p in
                NewTask(pairID: p.pairID, kind: task.rawValue, payload: JSONValue.object(["examples": .array(p.examples.prefix(8).map { .integer(Int($0)) })]).serialized(),
                        maxAttempts: 10, key: "pair:\(p.pairID)")
            }
            _ = try await store.enqueue(tasks, queue: options.queue)
        }
    }

    /// Claims and judges tasks until none is left (or the runner stops on a budget).
    public func run(onProgress: @escaping @Sendable (JudgeProgress) -> Void = { _ in }) async throws -> Report {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.loops) { group.addTask { try await self.loop(onProgress) } }
            try await group.waitForAll()
        }
        return report
    }

    private func loop(_ onProgress: @escaping @Sendable (JudgeProgress) -> Void) async throws {
        while runner.stopReason == nil {
            try Task.checkCancellation()
            let tasks = try await store.claim(queue: options.queue, worker: options.worker, limit: options.batchSize,
                                              lease: options.lease, filter: ClaimFilter(kinds: [task.rawValue]))
            if tasks.isEmpty {
                // Tasks leased by other workers may come back (a crashed worker's leases run
                // out): wait for them. Tasks this process holds, and pending tasks this worker
                // claimed before (it is never given them again), are not waited for.
                let counts = try await store.queueCounts(queue: options.queue)
                let others = (counts.tasks[.leased] ?? 0) - lock.withLock { holding }
                guard options.waitForOthers, others > 0 else { return }
                try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
                continue
            }
            lock.withLock { holding += tasks.count }
            defer { lock.withLock { holding -= tasks.count } }
            try await judge(tasks, onProgress)
        }
    }

    private func judge(_ tasks: [WorkTask], _ onProgress: @escaping @Sendable (JudgeProgress) -> Void) async throws {
        var items: [JudgeItem] = []
        var held: [WorkTask] = []
        for t in tasks {
            guard let id = t.pairID, let pair = try await store.pair(id: id) else {
                try? await store.release(t.id, worker: options.worker, error: "the task names no stored pair", retry: false)
                continue
            }
            items.append(JudgeItem(id: String(id), pair: pair, examples: try await examples(t)))
            held.append(t)
        }
        let ids = held.map(\.id)
        let store = self.store, worker = options.worker, lease = options.lease
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(lease / 3 * 1e9))
                if Task.isCancelled { break }
                _ = try? await store.renew(ids, worker: worker, lease: lease)
            }
        }
        defer { heartbeat.cancel() }
        let outcomes = try await runner.run(items, onProgress: onProgress)
        heartbeat.cancel()
        try await record(held, items, outcomes)
    }

    /// Examples named by the task's payload (`{"examples": [pair ids]}`), each in its
    /// verified orientation: flipped when its latest human label prefers the stored rejected.
    private func examples(_ t: WorkTask) async throws -> [PreferencePair] {
        guard let ids = (try? JSONParser.parse(t.payload))?["examples"]?.arrayValue else { return [] }
        var out: [PreferencePair] = []
        for v in ids.prefix(8) {
            guard let id = v.intValue, let p = try await store.pair(id: Int64(id)) else { continue }
            let human = p.labels.last { $0.labeler.kind == .human && ($0.label == .chosen || $0.label == .rejected) }
            out.append(human?.label == .rejected ? p.flipped() : p)
        }
        return out
    }

    private func record(_ tasks: [WorkTask], _ items: [JudgeItem], _ outcomes: [JudgeOutcome]) async throws {
        var batches: [String: CurationBatch] = [:]
        var released = 0, invalid = 0
        let names = runner.clients.map(\.judge.name)
        let panel = "\(runner.options.aggregate.rawValue)(\(names.joined(separator: ",")))"
        for (t, outcome) in zip(tasks, outcomes) {
            guard let pairID = t.pairID else { continue }
            let completion = TaskCompletion(taskID: t.id, worker: options.worker, result: outcome.line(id: nil).serialized())
            var actor = "judge \(options.worker)"
            var labels: [LabelEntry] = []
            var attributes: [(pairID: Int64, attributes: PreferenceAttributes)] = []
            var moves: [TierChange] = []
            switch outcome {
            case .notDone:
                try? await store.release(t.id, worker: options.worker, error: "stopped: \(runner.stopReason ?? "unfinished")", retry: true)
                released += 1
                continue
            case .attributes(let a, let judge, _):
                if let a, let judge {
                    actor = Labeler.llmJudge(judge).description
                    attributes.append((pairID, a))
                } else {
                    invalid += 1
                }
            case .verdict(let v, _):
                for name in names where (v.judgeVotes[name]?.valid ?? 0) > 0 {
                    guard let label = PreferenceLabel(rawValue: (v.judgeLabels[name] ?? .undetermined).rawValue) else { continue }
                    labels.append(LabelEntry(pairID: pairID, labeler: .llmJudge(name), label: label, confidence: v.judgeConfidence(name),
                                             rationale: v.judgeRationales[name]))
                }
                if labels.isEmpty { invalid += 1 }
                if names.count > 1 && !labels.isEmpty, let label = PreferenceLabel(rawValue: v.label.rawValue) {
                    labels.append(LabelEntry(pairID: pairID, labeler: .llmJudge(panel), label: label, confidence: v.confidence))
                }
                if let move = options.decide?(pairID, v) { moves.append(move) }
            }
            var b = batches[actor] ?? CurationBatch(actor: actor)
            b.labels += labels
            b.attributes += attributes
            b.moves += moves
            b.completions.append(completion)
            batches[actor] = b
        }
        var lost = 0, done = 0, labelCount = 0, attributeCount = 0
        for (_, batch) in batches.sorted(by: { $0.key < $1.key }) {
            var b = batch
            while !b.completions.isEmpty {
                do {
                    _ = try await store.apply(b)
                    done += b.completions.count
                    labelCount += b.labels.count
                    attributeCount += b.attributes.count
                    break
                } catch StoreError.tierConflict(let pairID, _, _) {
                    // Someone else (e.g. a human) moved the pair meanwhile: keep the labels,
                    // leave the pair where they put it.
                    b.moves.removeAll { $0.pairID == pairID }
                } catch StoreError.leaseLost(let taskID, _) {
                    // Another worker has this task now: drop its part and record the rest.
                    lost += 1
                    guard let pairID = tasks.first(where: { $0.id == taskID })?.pairID else { throw StoreError.leaseLost(taskID: taskID, worker: options.worker) }
                    b.completions.removeAll { $0.taskID == taskID }
                    b.labels.removeAll { $0.pairID == pairID }
                    b.attributes.removeAll { $0.pairID == pairID }
                    b.moves.removeAll { $0.pairID == pairID }
                }
            }
        }
        lock.withLock {
            state.tasks += done
            state.labels += labelCount
            state.attributes += attributeCount
            state.invalid += invalid
            state.released += released
            state.leaseLost += lost
        }
    }
}
