import Foundation
import SynprefCore
import SynprefData
import SynprefJudge

/// Stage 1, step 6: preference-aware LLM labelling of the retrieved pairs. Each pair is
/// judged with up to 8 human-labelled examples — the gold pair that retrieved it, then that
/// pair's nearest gold neighbours — through the project's work queue
/// (`<project>/judge-preference`). With its labels, in the same transaction, each pair moves:
/// a `chosen` or `rejected` aggregate at least `min_confidence` sure → silver, in the
/// orientation the judges found (flipped when they prefer the stored rejected); a tie, no
/// majority or a less sure label → discarded, with the reason; no valid answer at all → no
/// move.
public enum RoundLabelling {
    /// The tier move a verdict leads to under `minConfidence`; nil when no judge gave a valid
    /// answer (a failing endpoint, a prompt too long for the model): the pair stays
    /// unverified, its task records why, and a later run with a working judge decides it.
    public static func decision(pairID: Int64, verdict: Verdict, minConfidence: Double) -> TierChange? {
        if verdict.votes.valid == 0 { return nil }
        switch verdict.label {
        case .chosen where verdict.confidence >= minConfidence:
            return TierChange(pairID: pairID, to: .silver, expectedFrom: .unverified,
                              reason: String(format: "llm judges: chosen better (confidence %.2f)", verdict.confidence), flipped: false)
        case .rejected where verdict.confidence >= minConfidence:
            return TierChange(pairID: pairID, to: .silver, expectedFrom: .unverified,
                              reason: String(format: "llm judges: rejected better (confidence %.2f)", verdict.confidence), flipped: true)
        case .chosen, .rejected:
            return TierChange(pairID: pairID, to: .discarded, expectedFrom: .unverified,
                              reason: String(format: "llm judges: confidence %.2f below %.2f", verdict.confidence, minConfidence))
        case .tie:
            return TierChange(pairID: pairID, to: .discarded, expectedFrom: .unverified, reason: "llm judges: tie")
        case .undetermined:
            return TierChange(pairID: pairID, to: .discarded, expectedFrom: .unverified, reason: "llm judges: no majority")
        }
    }

    /// The retrieved pairs with their examples: the gold pair that retrieved each, then that
    /// pair's nearest gold neighbours (at most 8).
    public static func items(_ retrieval: RoundRetrieval.Result) -> [(pairID: Int64, examples: [Int64])] {
        var items: [(pairID: Int64, examples: [Int64])] = []
        for (gold, pairs) in retrieval.retrieved {
            let examples = [gold] + (retrieval.goldNeighbours[gold] ?? [])
            for p in pairs { items.append((p, Array(examples.prefix(8)))) }
        }
        return items
    }

    /// Enqueues the retrieved pairs with their examples and works the queue with `runner`
    /// (a preference `JudgeRunner` over the project's judges).
    public static func run(_ project: CurationProject, retrieval: RoundRetrieval.Result, runner: JudgeRunner, worker: String,
                           onProgress: @escaping @Sendable (JudgeProgress) -> Void = { _ in }) async throws -> JudgeQueueWorker.Report {
        var options = JudgeQueueWorker.Options(queue: project.queue("judge-preference"), worker: worker)
        let minConfidence = project.config.minConfidence
        options.decide = { id, verdict in decision(pairID: id, verdict: verdict, minConfidence: minConfidence) }
        let qw = JudgeQueueWorker(store: project.store, runner: runner, options: options)
        try await qw.enqueue(pairs: items(retrieval))
        return try await qw.run(onProgress: onProgress)
    }
}
