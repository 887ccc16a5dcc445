import Foundation
import SynprefCore
import SynprefData

/// The human side of Stage 1 for one annotation project, on the store's work queue and
/// curation log: pairs are loaded into the project's queue (`<project>/human-verify`, the
/// queue `synpref curate run` offers pairs to humans in), leased to annotators one at a
/// time, answered by `overlap` different people, decided by `HumanConsensus`, and — when
/// the answers disagree — resolved by a reviewer (`<project>/human-review`).
///
/// Every answer is one transaction: the label (`human:<name>`, relative to the stored pair)
/// and the completed claim whose result (`HumanAnswer`) records the verdict as shown, the
/// order the responses were shown in, strength, rationale and time. Decisions are applied
/// after it, only to pairs not yet verified by humans (unverified or silver), with the tier
/// they were read in as the expected one, so two processes deciding the same pair move it
/// once; `reconcile()` applies decisions a crash left undone.
public struct AnnotationDesk: Sendable {
    public let store: any PreferenceStore
    public let project: String
    /// How long an annotator holds a pair without the page renewing it.
    public var lease: TimeInterval

    public init(store: any PreferenceStore, project: String, lease: TimeInterval = 300) {
        self.store = store
        self.project = project
        self.lease = lease
    }

    public var queue: String { "\(project)/human-verify" }
    public var reviewQueue: String { "\(project)/human-review" }
    static let actor = "annotation"

    /// The project's settings (the defaults when none are stored).
    public func settings() async throws -> AnnotationSettings {
        guard let text = try await store.annotationProject(name: project) else { return AnnotationSettings() }
        return try AnnotationSettings.parse(text)
    }

    /// Whether Response A is the stored chosen response for this annotator: drawn from the
    /// pair's content and the annotator's name, so it is the same on every page load and
    /// differs between annotators.
    public static func chosenShownFirst(_ pair: PreferencePair, annotator: String) -> Bool {
        var rng = KeyedRandom(seed: 0x5eed_a11e, key: "shown|\(pair.contentHash.hex)|\(annotator)")
        return rng.next() & 1 == 0
    }

    // MARK: Loading pairs

    /// Which pairs of a tier to load: from one source, of one task category, objective or
    /// subjective (nil: any).
    public struct LoadFilter: Sendable, Equatable {
        public var source: String?
        public var taskCategory: String?
        public var objectivity: PreferenceAttributes.Objectivity?

        public init(source: String? = nil, taskCategory: String? = nil, objectivity: PreferenceAttributes.Objectivity? = nil) {
            self.source = source
            self.taskCategory = taskCategory
            self.objectivity = objectivity
        }

        func matches(_ p: PreferencePair) -> Bool {
            if let source, p.source != source { return false }
            if let taskCategory, p.attributes?.taskCategory != taskCategory { return false }
            if let objectivity, p.attributes?.objectivity != objectivity { return false }
            return true
        }
    }

    /// Adds up to `limit` pairs of `tier` (matching `filter`) that are not in the queue yet,
    /// in the project's priority (the paper's order, or the reward model's least certain
    /// first using the latest reward-model label of each pair). Returns how many were added.
    public func load(tier: PreferenceTier, limit: Int, filter: LoadFilter = LoadFilter()) async throws -> Int {
        let s = try await settings()
        guard limit > 0 else { return 0 }
        let pairs = try await store.allPairs(tier: tier).filter(filter.matches)
        var confidence: [Int64: Double] = [:]
        if s.priority == .uncertainty {
            for p in pairs.prefix(20_000) {
                guard let id = p.id else { continue }
                if let p = try await store.labels(pairID: id).last(where: { $0.labeler.kind == .rewardModel })?.confidence { confidence[id] = p }
            }
        }
        let ordered = HumanVerification.ordered(pairs, confidence: confidence, seed: 0).compactMap(\.id)
        var added = 0, next = 0
        while added < limit && next < ordered.count {
            let chunk = Array(ordered[next..<min(ordered.count, next + limit - added)])
            next += chunk.count
            let before = try await totalTasks()
            try await enqueue(chunk, round: nil, overlap: s.overlap)
            added += try await totalTasks() - before
        }
        return added
    }

    /// Offers pairs to `overlap` annotators each (keyed by pair: a pair in the queue already is not added again).
    func enqueue(_ pairs: [Int64], round: Int?, overlap: Int) async throws {
        let payload = round.map { "{\"round\":\($0)}" } ?? "{}"
        let tasks = pairs.map { NewTask(pairID: $0, kind: "verify", payload: payload, requiredWorkers: overlap, maxAttempts: 50, key: "pair:\($0)") }
        for chunk in stride(from: 0, to: tasks.count, by: 1000) {
            _ = try await store.enqueue(Array(tasks[chunk..<min(tasks.count, chunk + 1000)]), queue: queue)
        }
    }

    private func totalTasks() async throws -> Int { try await store.queueCounts(queue: queue).tasks.values.reduce(0, +) }

    // MARK: Annotating

    /// A pair leased to a person, with what the page shows.
    public struct Assignment: Sendable {
        public var task: WorkTask
        public var pair: PreferencePair
        /// Response A is the stored chosen response.
        public var chosenShownFirst: Bool
        public var responseA: Message { chosenShownFirst ? pair.chosen : pair.rejected }
        public var responseB: Message { chosenShownFirst ? pair.rejected : pair.chosen }
    }

    /// The pair `annotator` holds (after a reload), else the next one they may take.
    public func current(annotator: String) async throws -> Assignment? {
        try await assignment(queue: queue, worker: annotator)
    }

    func assignment(queue: String, worker: String) async throws -> Assignment? {
        while true {
            var next = try await store.held(queue: queue, worker: worker).first
            if next == nil { next = try await store.claimNext(queue: queue, worker: worker, lease: lease) }
            guard let task = next else { return nil }
            guard let id = task.pairID, let pair = try await store.pair(id: id) else {
                try await store.release(task.id, worker: worker, error: "the task names no stored pair", retry: false)
                continue
            }
            return Assignment(task: task, pair: pair, chosenShownFirst: Self.chosenShownFirst(pair, annotator: worker))
        }
    }

    /// Records `annotator`'s answer to a task they hold, then applies what the answers so
    /// far decide. Throws `StoreError.leaseLost` when they no longer hold it (nothing is recorded).
    public func submit(taskID: Int64, annotator: String, verdict: HumanAnswer.Verdict, strength: HumanAnswer.Strength? = nil,
                       rationale: String? = nil, milliseconds: Int? = nil) async throws {
        let (task, pair) = try await taskAndPair(taskID, queue: queue)
        let answer = HumanAnswer(verdict: verdict, chosenShownFirst: Self.chosenShownFirst(pair, annotator: annotator), strength: strength,
                                 rationale: rationale, milliseconds: milliseconds)
        _ = try await store.apply(CurationBatch(
            labels: [LabelEntry(pairID: task.pairID!, labeler: .human(annotator), label: answer.label, rationale: rationale)],
            completions: [TaskCompletion(taskID: taskID, worker: annotator, result: answer.serialized())],
            actor: Labeler.human(annotator).description))
        try await decide(taskID: taskID)
    }

    /// Gives a pair back: another annotator gets it; this one never sees it again.
    public func skip(taskID: Int64, annotator: String) async throws {
        try await store.release(taskID, worker: annotator, error: "skipped by \(annotator)", retry: true)
    }

    /// Keeps the lease while the page is open. Throws `StoreError.leaseLost` once it ran out.
    public func renew(taskID: Int64, annotator: String) async throws {
        try await store.renew(taskID, worker: annotator, lease: lease)
    }

    /// Gives back every pair and review `person` holds (on logout).
    public func releaseAll(person: String) async throws {
        for q in [queue, reviewQueue] {
            for t in try await store.held(queue: q, worker: person) {
                try? await store.release(t.id, worker: person, error: "\(person) logged out", retry: true)
            }
        }
    }

    private func taskAndPair(_ taskID: Int64, queue: String) async throws -> (QueuedTask, PreferencePair) {
        guard let task = try await store.task(id: taskID), task.queue == queue, let id = task.pairID, let pair = try await store.pair(id: id) else {
            throw CurationError.input(file: queue, reason: "task \(taskID) is not a pair of this project's queue")
        }
        return (task, pair)
    }

    // MARK: Deciding

    /// Applies what a finished task's answers decide (see `HumanConsensus`): a move to gold
    /// or discarded, or a review task. Does nothing while answers are missing or once the
    /// pair is gold or discarded.
    public func decide(taskID: Int64) async throws {
        guard let task = try await store.task(id: taskID), task.queue == queue, task.state == .done, let pairID = task.pairID,
              let pair = try await store.tiers(of: [pairID])[pairID], pair.tier == .unverified || pair.tier == .silver else { return }
        let answers = try await store.claims(taskID: taskID).filter { $0.state == .done }
        let labels = answers.compactMap { HumanAnswer.parse($0.result)?.label }
        let names = answers.map(\.worker).joined(separator: ", ")
        switch HumanConsensus.decide(labels) {
        case .gold(let flipped):
            try await move(pairID, from: pair.tier, to: .gold, flipped: flipped,
                           reason: "\(names): the stored \(flipped ? "rejected" : "chosen") response is better")
        case .discard(let reason):
            try await move(pairID, from: pair.tier, to: .discarded, flipped: nil, reason: "\(names): \(reason)")
        case .review(let reason):
            let payload: JSONObject = ["task": .integer(Int(taskID)), "reason": .string(reason)]
            _ = try await store.enqueue([NewTask(pairID: pairID, kind: "review", payload: JSONValue.object(payload).serialized(),
                                                 maxAttempts: 50, key: "review:\(taskID)")], queue: reviewQueue)
        }
    }

    /// A move that only happens if the pair is still where it was read; a pair another
    /// process has moved meanwhile stays where that process put it.
    private func move(_ pairID: Int64, from: PreferenceTier, to: PreferenceTier, flipped: Bool?, reason: String, labels: [LabelEntry] = [],
                      completions: [TaskCompletion] = [], actor: String = AnnotationDesk.actor) async throws {
        do {
            _ = try await store.apply(CurationBatch(labels: labels, moves: [TierChange(pairID: pairID, to: to, expectedFrom: from, reason: reason, flipped: flipped)],
                                                    completions: completions, actor: actor))
        } catch StoreError.tierConflict {
            if !completions.isEmpty || !labels.isEmpty {
                _ = try await store.apply(CurationBatch(labels: labels, completions: completions, actor: actor))
            }
        }
    }

    /// Applies the decisions of every finished task a crash (or a concurrent answer) left
    /// undecided. Returns how many tasks were looked at.
    @discardableResult
    public func reconcile() async throws -> Int {
        let answers = try await store.answers(queue: queue, worker: nil)
        let tasks = Dictionary(grouping: answers, by: \.taskID)
        // Only pairs still waiting for a decision need one: one query for every pair's tier.
        let states = try await store.tiers(of: Array(Set(answers.compactMap(\.pairID))))
        for (id, list) in tasks.sorted(by: { $0.key < $1.key }) {
            guard let pairID = list.first?.pairID, let state = states[pairID], state.tier == .unverified || state.tier == .silver else { continue }
            try await decide(taskID: id)
        }
        return tasks.count
    }

    // MARK: Reviewing

    /// The review `reviewer` holds, else the next one; with the answers that sent it there.
    public func currentReview(reviewer: String) async throws -> (Assignment, [(worker: String, answer: HumanAnswer)])? {
        guard let a = try await assignment(queue: reviewQueue, worker: reviewer) else { return nil }
        return (a, try await answersBehind(review: a.task.payload))
    }

    func answersBehind(review payload: String) async throws -> [(worker: String, answer: HumanAnswer)] {
        guard let original = (try? JSONParser.parse(payload))?["task"]?.intValue else { return [] }
        return try await store.claims(taskID: Int64(original)).filter { $0.state == .done }.compactMap { c in
            HumanAnswer.parse(c.result).map { (c.worker, $0) }
        }
    }

    /// Records a reviewer's final decision (`a`, `b` or `undetermined` as they saw the
    /// pair): the pair moves to gold in that orientation, or to discarded, in the same
    /// transaction as the label and the completed review task.
    public func submitReview(taskID: Int64, reviewer: String, verdict: HumanAnswer.Verdict, rationale: String? = nil,
                             milliseconds: Int? = nil) async throws {
        guard verdict != .tie else { throw CurationError.input(file: reviewQueue, reason: "a review decides A, B or cannot determine") }
        let (_, pair) = try await taskAndPair(taskID, queue: reviewQueue)
        let answer = HumanAnswer(verdict: verdict, chosenShownFirst: Self.chosenShownFirst(pair, annotator: reviewer), rationale: rationale,
                                 milliseconds: milliseconds, role: .reviewer)
        let label = LabelEntry(pairID: pair.id!, labeler: .human(reviewer), label: answer.label, rationale: rationale ?? "review")
        let completion = TaskCompletion(taskID: taskID, worker: reviewer, result: answer.serialized())
        let actor = Labeler.human(reviewer).description
        guard pair.tier == .unverified || pair.tier == .silver else {
            _ = try await store.apply(CurationBatch(labels: [label], completions: [completion], actor: actor))
            return
        }
        if answer.label == .undetermined {
            try await move(pair.id!, from: pair.tier, to: .discarded, flipped: nil, reason: "review by \(reviewer): the preference cannot be determined",
                           labels: [label], completions: [completion], actor: actor)
        } else {
            let flipped = answer.label == .rejected
            try await move(pair.id!, from: pair.tier, to: .gold, flipped: flipped,
                           reason: "review by \(reviewer): the stored \(flipped ? "rejected" : "chosen") response is better",
                           labels: [label], completions: [completion], actor: actor)
        }
    }

    // MARK: Progress

    public struct Progress: Sendable, Equatable {
        public var doneToday = 0
        public var done = 0
        /// Open tasks of the queue this person has not answered or skipped (the one they hold included).
        public var remaining = 0
        /// Share of this person's answers on pairs now gold that match the final orientation
        /// (nil before any of them is decided).
        public var agreementWithFinal: Double?
    }

    public func progress(person: String, queue: String? = nil, now: Date = Date()) async throws -> Progress {
        let q = queue ?? self.queue
        let mine = try await store.answers(queue: q, worker: person)
        var p = Progress()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        p.done = mine.count
        p.doneToday = mine.filter { $0.finishedAt >= today }.count
        p.remaining = try await store.openTasks(queue: q, for: person)
        var agree = 0, decided = 0
        let states = try await store.tiers(of: mine.compactMap(\.pairID))
        for a in mine {
            guard let id = a.pairID, let answer = HumanAnswer.parse(a.result), let state = states[id], state.tier == .gold else { continue }
            decided += 1
            if answer.label == (state.flipped ? .rejected : .chosen) { agree += 1 }
        }
        if decided > 0 { p.agreementWithFinal = Double(agree) / Double(decided) }
        return p
    }
}
