import Foundation
import SynprefCore
import SynprefData
import SynprefJinja

/// A pair to judge, with its id in the input (if any) and, for preference, human-labelled
/// examples (each example's `chosen` is the response the human preferred).
public struct JudgeItem: Sendable {
    public var id: String?
    public var pair: PreferencePair
    public var examples: [PreferencePair]

    public init(id: String?, pair: PreferencePair, examples: [PreferencePair] = []) {
        self.id = id
        self.pair = pair
        self.examples = examples
    }
}

/// What the judges said about one item.
public enum JudgeOutcome: Sendable {
    /// Attributes from the first judge (in the judges file's order) whose answer was valid;
    /// nil with the reasons when none was.
    case attributes(PreferenceAttributes?, judge: String?, reasons: [String])
    case verdict(Verdict, reasons: [String])
    /// Not finished because the run stopped (budget or request limit).
    case notDone
}

/// Counts for the progress line and the summary.
public struct JudgeProgress: Sendable {
    public var items = 0, itemsDone = 0
    /// Calls answered by a server in this run, and calls answered from the cache.
    public var calls = 0, cached = 0
    public var promptTokens = 0, completionTokens = 0
    public var cost = 0.0
    public var retries = 0
    /// Answers that did not parse or had a wrong value; calls that failed for good.
    public var invalid = 0, failed = 0
}

/// Runs one task over many items against one or more judges: builds each prompt, takes
/// answers from the cache or the endpoint (a call is paid for once: the cache entry is
/// written as soon as the answer arrives), parses them, and aggregates.
///
/// Per (pair, sample) a seeded draw puts the two responses in a random order (the same for
/// every judge), and `seed` is sent to servers that support reproducible sampling. A call
/// that fails for good (a 4xx, or retries exhausted) counts as an invalid vote with its
/// reason; the item still ends labelled or undetermined. With a budget or a request limit,
/// no new call starts once it is reached; calls in flight finish (so a budget can be
/// overshot by at most the calls in flight) and unfinished items are `notDone`.
public final class JudgeRunner: @unchecked Sendable {
    public struct Options: Sendable {
        public var task: JudgeTask
        /// Samples per judge (default: each judge's `samples`; attributes always 1).
        public var samples: Int?
        public var seed: UInt64 = 0
        public var aggregate = Aggregation.majority
        public var budgetUSD: Double?
        public var maxRequests: Int?
        /// Collect the calls the cache cannot answer instead of sending them (for the
        /// OpenAI Batch API: `batchRequests`); those pairs end `notDone`.
        public var collectOnly = false

        public init(task: JudgeTask) { self.task = task }
    }

    /// With `Options.collectOnly`: the calls that were not sent, as OpenAI Batch API input
    /// lines (`{"custom_id": cache key, "method": "POST", "url": "/v1/chat/completions",
    /// "body": ...}`), in the order they were planned.
    public var batchRequests: [JSONValue] { lock.withLock { collected } }
    private var collected: [JSONValue] = []

    public let clients: [ChatClient]
    public let templates: PromptTemplates
    public let cache: any AnswerCache
    public let options: Options
    private let lock = NSLock()
    private var state = JudgeProgress()
    private var stopped: String?
    /// Per judge: verdicts for the first position, the second, and ties.
    private var positions: [String: (first: Int, second: Int, tie: Int)] = [:]
    private var reasons: [String: Int] = [:]

    public init(clients: [ChatClient], templates: PromptTemplates, cache: any AnswerCache, options: Options) {
        self.clients = clients
        self.templates = templates
        self.cache = cache
        self.options = options
    }

    public var progress: JudgeProgress {
        lock.withLock {
            var p = state
            p.retries = clients.reduce(0) { $0 + $1.retries }
            return p
        }
    }

    /// Why the run stopped early, if it did.
    public var stopReason: String? { lock.withLock { stopped } }
    /// Share of valid non-tie verdicts per judge that picked the first position, and counts.
    public var positionBias: [String: (first: Int, second: Int, tie: Int)] { lock.withLock { positions } }
    /// Invalid-answer and failure reasons with their counts.
    public var invalidReasons: [String: Int] { lock.withLock { reasons } }

    /// Which item, judge, sample and (verify) which response a call is for.
    struct CallMeta: Sendable {
        var item: Int, judge: Int, sample: Int, part: Int
        /// Preference: true when the stored chosen response is shown as Candidate 2.
        var swapped: Bool
    }

    /// One call to make.
    struct Call: Sendable {
        var meta: CallMeta
        var request: ChatRequest
        var key: String
    }

    enum CallResult: Sendable {
        case answer(String)
        case failed(String)
        case skipped
    }

    /// Judges `items`. Prompts are rendered as their calls are started (a window of calls
    /// in flight), and each item's answers are dropped once its outcome is known, so
    /// memory follows the window, not the number of items.
    public func run(_ items: [JudgeItem], onProgress: @escaping @Sendable (JudgeProgress) -> Void = { _ in }) async throws -> [JudgeOutcome] {
        lock.withLock { state.items += items.count }
        var outcomes = [JudgeOutcome?](repeating: nil, count: items.count)
        var metas: [Int: [CallMeta]] = [:]
        var results: [Int: [CallResult?]] = [:]
        var remaining: [Int: Int] = [:]
        var nextItem = 0
        var queue: [(item: Int, slot: Int, call: Call)] = []
        queue.reserveCapacity(64)
        func nextCall() throws -> (item: Int, slot: Int, call: Call)? {
            while queue.isEmpty {
                guard nextItem < items.count else { return nil }
                let i = nextItem
                nextItem += 1
                let calls = try plan(items[i], index: i)
                if calls.isEmpty {
                    outcomes[i] = outcome(items[i], [], [])
                    continue
                }
                metas[i] = calls.map(\.meta)
                results[i] = [CallResult?](repeating: nil, count: calls.count)
                remaining[i] = calls.count
                queue = calls.enumerated().map { (i, $0.offset, $0.element) }.reversed()
            }
            return queue.popLast()
        }
        let window = Swift.max(4, clients.reduce(0) { $0 + $1.judge.maxConcurrency } * 2)
        try await withThrowingTaskGroup(of: (Int, Int, CallResult).self) { group in
            var inFlight = 0
            func startNext() throws -> Bool {
                guard let (i, j, call) = try nextCall() else { return false }
                group.addTask { (i, j, try await self.perform(call)) }
                inFlight += 1
                return true
            }
            while inFlight < window, try startNext() {}
            while let (i, j, result) = try await group.next() {
                inFlight -= 1
                results[i]?[j] = result
                remaining[i, default: 1] -= 1
                if remaining[i] == 0 {
                    outcomes[i] = outcome(items[i], metas[i] ?? [], (results[i] ?? []).map { $0 ?? .skipped })
                    metas[i] = nil
                    results[i] = nil
                    remaining[i] = nil
                    lock.withLock { state.itemsDone += 1 }
                }
                onProgress(progress)
                _ = try startNext()
            }
        }
        return outcomes.map { $0 ?? .notDone }
    }

    // MARK: - Planning

    private func plan(_ item: JudgeItem, index: Int) throws -> [Call] {
        let pairKey = ContentHash(context: item.pair.context, chosen: item.pair.chosen, rejected: item.pair.rejected).description
        var calls: [Call] = []
        for (j, client) in clients.enumerated() {
            let samples = options.task == .attributes ? 1 : (options.samples ?? client.judge.samples)
            for s in 0..<samples {
                var rng = KeyedRandom(seed: options.seed, key: "\(pairKey)|\(s)")
                let swapped = rng.next() & 1 == 1
                let seed = Int(rng.next() & 0x7fff_ffff)
                switch options.task {
                case .attributes:
                    let (a, b) = swapped ? (item.pair.rejected, item.pair.chosen) : (item.pair.chosen, item.pair.rejected)
                    let text = try templates.render(templates.attributes, [
                        "conversation": PromptTemplates.conversation(item.pair.context),
                        "response_a": .string(a.content), "response_b": .string(b.content),
                    ], task: "attributes")
                    calls.append(call(index, j, s, 0, text, client, seed, swapped))
                case .preference:
                    let (c1, c2) = swapped ? (item.pair.rejected, item.pair.chosen) : (item.pair.chosen, item.pair.rejected)
                    let examples: [JinjaValue] = item.examples.prefix(8).enumerated().map { e, ex in
                        var erng = KeyedRandom(seed: options.seed, key: "\(pairKey)|\(s)|example \(e)")
                        let flip = erng.next() & 1 == 1
                        let (x1, x2) = flip ? (ex.rejected, ex.chosen) : (ex.chosen, ex.rejected)
                        return .object(JinjaObject([
                            ("conversation", PromptTemplates.conversation(ex.context)),
                            ("attributes", PromptTemplates.attributes(ex.attributes)),
                            ("candidate_1", .string(x1.content)), ("candidate_2", .string(x2.content)),
                            ("label", .string(flip ? "Candidate 2" : "Candidate 1")),
                        ]))
                    }
                    let text = try templates.render(templates.preference, [
                        "guideline": .string(templates.guideline), "examples": .array(examples),
                        "conversation": PromptTemplates.conversation(item.pair.context),
                        "attributes": PromptTemplates.attributes(item.pair.attributes),
                        "candidate_1": .string(c1.content), "candidate_2": .string(c2.content),
                    ], task: "preference")
                    calls.append(call(index, j, s, 0, text, client, seed, swapped))
                case .verify:
                    for (part, response) in [item.pair.chosen, item.pair.rejected].enumerated() {
                        let text = try templates.render(templates.verify, [
                            "conversation": PromptTemplates.conversation(item.pair.context),
                            "attributes": PromptTemplates.attributes(item.pair.attributes),
                            "response": .string(response.content),
                        ], task: "verify")
                        calls.append(call(index, j, s, part, text, client, seed, false))
                    }
                }
            }
        }
        return calls
    }

    private func call(_ item: Int, _ judge: Int, _ sample: Int, _ part: Int, _ text: String, _ client: ChatClient,
                      _ seed: Int, _ swapped: Bool) -> Call {
        let request = ChatRequest(messages: [(role: "user", content: text)], schema: options.task.schema,
                                  schemaName: options.task.rawValue, seed: seed)
        return Call(meta: CallMeta(item: item, judge: judge, sample: sample, part: part, swapped: swapped), request: request,
                    key: ResponseCache.key(request, judge: client.judge))
    }

    // MARK: - Calling

    private func perform(_ call: Call) async throws -> CallResult {
        let client = clients[call.meta.judge]
        if let hit = try await cachedAnswer(call.key) {
            lock.withLock {
                state.cached += 1
            }
            return .answer(hit.content)
        }
        if options.collectOnly {
            let line: JSONValue = ["custom_id": .string(call.key), "method": "POST", "url": "/v1/chat/completions",
                                   "body": call.request.body(for: client.judge)]
            lock.withLock { collected.append(line) }
            return .skipped
        }
        let allowed: Bool = lock.withLock {
            if stopped != nil { return false }
            if let budget = options.budgetUSD, state.cost >= budget {
                stopped = String(format: "the budget of $%.2f was reached", budget)
                return false
            }
            if let max = options.maxRequests, state.calls >= max {
                stopped = "the limit of \(max) requests was reached"
                return false
            }
            state.calls += 1
            return true
        }
        guard allowed else { return .skipped }
        // Each answer is stored before its call gives up its concurrency slot, so a kill loses
        // at most `max_concurrency` received answers. One that cannot be stored stops the
        // run: going on would pay for it again.
        struct SaveFailure: Error { var error: JudgeError }
        let cache = self.cache, key = call.key, name = client.judge.name
        let answer: ChatAnswer
        do {
            answer = try await client.complete(call.request) { answer in
                do { try await cache.store(answer, key: key, judge: name) } catch let e as JudgeError { throw SaveFailure(error: e) } catch {
                    throw SaveFailure(error: .cache(file: "store", reason: "cannot save an answer (\(error))"))
                }
            }
        } catch let failure as SaveFailure {
            throw failure.error
        } catch let error as JudgeError {
            lock.withLock { state.failed += 1 }
            return .failed("\(error)")
        }
        lock.withLock {
            state.promptTokens += answer.promptTokens
            state.completionTokens += answer.completionTokens
            state.cost += client.judge.cost(promptTokens: answer.promptTokens, completionTokens: answer.completionTokens)
        }
        return .answer(answer.content)
    }

    private func cachedAnswer(_ key: String) async throws -> ChatAnswer? {
        do { return try await cache.answer(for: key) } catch let e as JudgeError { throw e } catch {
            throw JudgeError.cache(file: "store", reason: "cannot read the answer cache (\(error))")
        }
    }

    // MARK: - Outcomes

    private func outcome(_ item: JudgeItem, _ calls: [CallMeta], _ results: [CallResult]) -> JudgeOutcome {
        if results.contains(where: { if case .skipped = $0 { return true } else { return false } }) { return .notDone }
        var itemReasons: [String] = []
        func invalid(_ judge: String, _ reason: String) {
            itemReasons.append("\(judge): \(reason)")
            lock.withLock {
                state.invalid += 1
                reasons[reason, default: 0] += 1
            }
        }
        switch options.task {
        case .attributes:
            for (call, result) in zip(calls, results) {
                let name = clients[call.judge].judge.name
                switch result {
                case .answer(let content):
                    let (attributes, reason) = JudgeTask.parseAttributes(content)
                    if let attributes { return .attributes(attributes, judge: name, reasons: itemReasons) }
                    invalid(name, reason ?? "invalid answer")
                case .failed(let reason): invalid(name, reason)
                case .skipped: break
                }
            }
            return .attributes(nil, judge: nil, reasons: itemReasons)
        case .preference:
            var perJudge = clients.map { (judge: $0.judge.name, votes: Votes()) }
            var rationales: [String: [PairLabel: String]] = [:]
            for (call, result) in zip(calls, results) {
                let name = clients[call.judge].judge.name
                switch result {
                case .answer(let content):
                    let (verdict, reason) = JudgeTask.parseVerdict(content)
                    guard let verdict else { invalid(name, reason ?? "invalid answer"); perJudge[call.judge].votes.invalid += 1; continue }
                    lock.withLock {
                        var p = positions[name] ?? (0, 0, 0)
                        switch verdict { case 1: p.first += 1; case 2: p.second += 1; default: p.tie += 1 }
                        positions[name] = p
                    }
                    let label: PairLabel
                    switch (verdict, call.swapped) {
                    case (0, _): label = .tie; perJudge[call.judge].votes.tie += 1
                    case (1, false), (2, true): label = .chosen; perJudge[call.judge].votes.chosen += 1
                    default: label = .rejected; perJudge[call.judge].votes.rejected += 1
                    }
                    if rationales[name]?[label] == nil, let r = JudgeTask.rationale(content) { rationales[name, default: [:]][label] = r }
                case .failed(let reason):
                    invalid(name, reason)
                    perJudge[call.judge].votes.invalid += 1
                case .skipped: break
                }
            }
            var verdict = Verdict.aggregate(perJudge, rule: options.aggregate, tieIsUndetermined: false)
            for (judge, label) in verdict.judgeLabels { verdict.judgeRationales[judge] = rationales[judge]?[label] }
            return .verdict(verdict, reasons: itemReasons)
        case .verify:
            // Per (judge, sample): chosen correct and rejected incorrect → a vote for chosen;
            // the opposite → rejected; alike → tie; an invalid half → invalid.
            var perJudge = clients.map { (judge: $0.judge.name, votes: Votes()) }
            var halves: [String: [Int: Bool?]] = [:]
            var halfRationales: [String: [Int: String]] = [:]
            for (call, result) in zip(calls, results) {
                let name = clients[call.judge].judge.name
                var correct: Bool?
                switch result {
                case .answer(let content):
                    let (value, reason) = JudgeTask.parseCorrect(content)
                    if value == nil { invalid(name, reason ?? "invalid answer") }
                    correct = value
                    if let r = JudgeTask.rationale(content) { halfRationales["\(call.judge)|\(call.sample)", default: [:]][call.part] = r }
                case .failed(let reason): invalid(name, reason)
                case .skipped: break
                }
                halves["\(call.judge)|\(call.sample)", default: [:]][call.part] = .some(correct)
            }
            var rationales: [String: [PairLabel: String]] = [:]
            for (key, parts) in halves.sorted(by: { $0.key < $1.key }) {
                let judge = Int(key.split(separator: "|")[0]) ?? 0
                guard let c = parts[0] ?? nil, let r = parts[1] ?? nil else { perJudge[judge].votes.invalid += 1; continue }
                let label: PairLabel
                switch (c, r) {
                case (true, false): label = .chosen; perJudge[judge].votes.chosen += 1
                case (false, true): label = .rejected; perJudge[judge].votes.rejected += 1
                default: label = .tie; perJudge[judge].votes.tie += 1
                }
                let name = clients[judge].judge.name
                if rationales[name]?[label] == nil, let text = halfRationales[key] {
                    rationales[name, default: [:]][label] = "chosen: \(text[0] ?? "") / rejected: \(text[1] ?? "")"
                }
            }
            var verdict = Verdict.aggregate(perJudge, rule: options.aggregate, tieIsUndetermined: true)
            for (judge, label) in verdict.judgeLabels {
                verdict.judgeRationales[judge] = rationales[judge]?[label == .undetermined ? .tie : label]
            }
            return .verdict(verdict, reasons: itemReasons)
        }
    }
}
