import Foundation
import SynprefCore
import SynprefData

/// What a human annotator decides about a pair (Stage 1's protocol): which response is
/// better, or that it cannot be determined (the pair is then discarded).
public enum HumanVerdict: String, Sendable, CaseIterable {
    case chosenBetter = "chosen"
    case rejectedBetter = "rejected"
    case cannotDetermine = "undetermined"
}

/// Stage 1's human verification through the project's work queue
/// (`<project>/human-verify`): pairs are offered in the paper's priority, each verdict is
/// recorded with its task's completion in one transaction — the label
/// (`human:<annotator>`), and the move to gold in the verified orientation (flipped when
/// the stored rejected response is better) or to discarded.
public struct HumanVerification: Sendable {
    public let project: CurationProject
    public var queue: String { project.queue("human-verify") }

    public init(project: CurationProject) { self.project = project }

    /// The order pairs are offered in: objective before subjective, low controversiality
    /// before medium before high (pairs without attributes last), then — once a reward
    /// model exists — the smallest |p − 0.5| first (the model's least certain pairs), then a
    /// seeded random order (so pairs alike for all of these are a spread sample of the pool,
    /// not its first rows).
    public static func ordered(_ pairs: [PreferencePair], confidence: [Int64: Double], seed: Int) -> [PreferencePair] {
        func rank(_ p: PreferencePair) -> (Int, Int) {
            guard let at = p.attributes else { return (2, 3) }
            let o = at.objectivity == .objective ? 0 : 1
            let c: Int
            switch at.controversiality {
            case .low: c = 0
            case .medium: c = 1
            case .high: c = 2
            }
            return (o, c)
        }
        let keyed = pairs.map { p -> (PreferencePair, (Int, Int), Double, UInt64) in
            var rng = KeyedRandom(seed: UInt64(seed), key: "human-order|\(p.contentHash.hex)")
            return (p, rank(p), confidence[p.id ?? 0].map { abs($0 - 0.5) } ?? 1, rng.next())
        }
        return keyed.sorted { a, b in
            if a.1 != b.1 { return a.1 < b.1 }
            if a.2 != b.2 { return a.2 < b.2 }
            return a.3 < b.3
        }.map(\.0)
    }

    /// Offers up to `budget` unverified pairs to humans, in priority order. Returns the pairs offered.
    public func enqueue(round: Int, budget: Int, confidence: [Int64: Double] = [:]) async throws -> [Int64] {
        guard budget > 0 else { return [] }
        let candidates = try await project.store.allPairs(tier: .unverified)
        let chosen = Self.ordered(candidates, confidence: confidence, seed: project.config.seed).prefix(budget).compactMap(\.id)
        try await enqueue(chosen, round: round)
        return chosen
    }

    /// Offers `pairs` to humans (keyed by pair: a pair offered before is not offered again),
    /// each to as many annotators as the project's annotation settings ask (`overlap`, 1
    /// when the project has none).
    public func enqueue(_ pairs: [Int64], round: Int) async throws {
        let desk = AnnotationDesk(store: project.store, project: project.name)
        try await desk.enqueue(pairs, round: round, overlap: try await desk.settings().overlap)
    }

    /// Records `annotator`'s verdict on a task it holds. Throws `StoreError.leaseLost` when it
    /// no longer holds it (the lease ran out, or it was answered already): nothing is recorded.
    public func record(task: WorkTask, annotator: Labeler, verdict: HumanVerdict, note: String? = nil) async throws {
        guard let pairID = task.pairID else { throw CurationError.input(file: queue, reason: "task \(task.id) names no pair") }
        let label = LabelEntry(pairID: pairID, labeler: annotator, label: PreferenceLabel(rawValue: verdict.rawValue)!, rationale: note)
        let move: TierChange
        switch verdict {
        case .chosenBetter: move = TierChange(pairID: pairID, to: .gold, reason: "\(annotator): the stored chosen response is better", flipped: false)
        case .rejectedBetter: move = TierChange(pairID: pairID, to: .gold, reason: "\(annotator): the stored rejected response is better", flipped: true)
        case .cannotDetermine: move = TierChange(pairID: pairID, to: .discarded, reason: "\(annotator): the preference cannot be determined")
        }
        _ = try await project.store.apply(CurationBatch(labels: [label], moves: [move],
                                                        completions: [TaskCompletion(taskID: task.id, worker: task.worker, result: verdict.rawValue)],
                                                        actor: annotator.description))
    }

    /// What simulated annotators did.
    public struct SimulationReport: Sendable, Equatable {
        public var answered = 0
        /// Answers that matched the truth (the rest are the configured noise).
        public var correct = 0
        /// Tasks about pairs the truth file does not know (given up, with the reason).
        public var unknown = 0
    }

    /// Simulated annotators answer every open task from the truth file: each answer is the
    /// truth, except with probability `noise` the other label (drawn from the project's seed,
    /// the pair and the annotator, so reruns answer alike). They take tasks in turn and are
    /// recorded as `human:sim-<name>`.
    public func simulate(_ simulation: CurationConfig.Simulation, truth: [ContentHash: PreferenceLabel]) async throws -> SimulationReport {
        var report = SimulationReport()
        var turn = 0, idle = 0
        // Annotators take batches in turn until a whole round of them finds nothing.
        while idle < simulation.annotators.count {
            let worker = "sim-\(simulation.annotators[turn % simulation.annotators.count])"
            turn += 1
            let tasks = try await project.store.claim(queue: queue, worker: worker, limit: 64, lease: 600)
            if tasks.isEmpty {
                idle += 1
                continue
            }
            idle = 0
            for t in tasks {
                guard let id = t.pairID, let pair = try await project.store.pair(id: id), let known = truth[pair.contentHash] else {
                    try await project.store.release(t.id, worker: worker, error: "the simulation's truth file has no label for this pair", retry: false)
                    report.unknown += 1
                    continue
                }
                var rng = KeyedRandom(seed: UInt64(project.config.seed), key: "\(pair.contentHash.hex)|\(worker)")
                let wrong = rng.unit() < simulation.noise
                let answer: PreferenceLabel = wrong ? (known == .chosen ? .rejected : .chosen) : known
                try await record(task: t, annotator: .human(worker), verdict: answer == .chosen ? .chosenBetter : .rejectedBetter)
                report.answered += 1
                if !wrong { report.correct += 1 }
            }
        }
        return report
    }

    /// Tasks still waiting for a human or held by one. Decisions a crash left undone are
    /// applied first; reviews of disagreements count as open.
    public func openTasks() async throws -> Int {
        let desk = AnnotationDesk(store: project.store, project: project.name)
        try await desk.reconcile()
        var open = 0
        for q in [queue, desk.reviewQueue] {
            let counts = try await project.store.queueCounts(queue: q)
            open += (counts.tasks[.pending] ?? 0) + (counts.tasks[.leased] ?? 0)
        }
        return open
    }
}
