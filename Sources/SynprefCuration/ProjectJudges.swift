import Foundation
import SynprefCore
import SynprefData
import SynprefJudge

/// The project's LLM judges (its judges file) working one of its queues: answers are kept
/// in the store (a resumed step pays for no call twice), tasks are keyed by pair (enqueueing
/// again adds nothing), and several processes may work the same queue (`curate work`).
public struct ProjectJudges: Sendable {
    public let project: CurationProject
    public let clients: [ChatClient]
    public let templates: PromptTemplates

    /// The project's judges, or nil when its configuration names no judges file.
    public init?(project: CurationProject) throws {
        guard let path = project.config.judges else { return nil }
        self.project = project
        clients = try JudgeConfig.load(path: path).map { try ChatClient(judge: $0) }
        templates = try PromptTemplates.defaults()
    }

    /// What one queue's work did, for the step record and the round report.
    public struct Work: Sendable {
        public var report: JudgeQueueWorker.Report
        public var progress: JudgeProgress
        /// Per judge: how often it preferred the response shown first / second / neither.
        public var positions: [String: (first: Int, second: Int, tie: Int)]
        public var stopReason: String?

        public var json: JSONObject {
            var bias = JSONObject()
            for (name, p) in positions.sorted(by: { $0.key < $1.key }) {
                bias[name] = ["first": .integer(p.first), "second": .integer(p.second), "tie": .integer(p.tie)]
            }
            var o: JSONObject = ["tasks": .integer(report.tasks), "labels": .integer(report.labels), "attributes": .integer(report.attributes),
                                 "no_valid_answer": .integer(report.invalid), "released": .integer(report.released),
                                 "calls": .integer(progress.calls), "cached": .integer(progress.cached), "cost_usd": .double(progress.cost),
                                 "prompt_tokens": .integer(progress.promptTokens), "completion_tokens": .integer(progress.completionTokens),
                                 "position_bias": .object(bias)]
            o["stopped"] = stopReason.map(JSONValue.string) ?? .null
            return o
        }
    }

    /// Works the project's queue `step` for `task` until it is empty: `enqueue` first puts
    /// in what the step needs, `decide` gives each verdict's tier move (nil: labels only).
    /// `budgetUSD` caps what this work may spend.
    public func work(task: JudgeTask, step: String, worker: String, budgetUSD: Double?,
                     decide: (@Sendable (Int64, Verdict) -> TierChange?)? = nil,
                     enqueue: (JudgeQueueWorker) async throws -> Void,
                     onProgress: @escaping @Sendable (JudgeProgress) -> Void = { _ in }) async throws -> Work {
        var options = JudgeRunner.Options(task: task)
        options.seed = UInt64(project.config.seed)
        options.aggregate = project.config.aggregate
        options.budgetUSD = budgetUSD
        let runner = JudgeRunner(clients: clients, templates: templates, cache: StoreAnswerCache(log: project.store), options: options)
        var workerOptions = JudgeQueueWorker.Options(queue: project.queue(step), worker: worker)
        workerOptions.decide = decide
        let qw = JudgeQueueWorker(store: project.store, runner: runner, options: workerOptions)
        try await enqueue(qw)
        let report = try await qw.run(onProgress: onProgress)
        return Work(report: report, progress: runner.progress, positions: runner.positionBias, stopReason: runner.stopReason)
    }
}
