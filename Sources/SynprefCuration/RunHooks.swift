import SynprefCore
import SynprefJudge

/// How a pipeline run names itself on the work queues and reports what it does.
public struct RunHooks: Sendable {
    /// This process's name on the work queues.
    public var worker = JudgeQueueWorker.defaultWorkerName()
    /// One line per event (a step started, finished, skipped).
    public var log: @Sendable (String) -> Void = { _ in }
    /// Progress of model downloads, training and scoring.
    public var progress: any ProgressObserver = SilentProgress()
    /// Judge progress (calls, cost) while a judge step runs: (step, progress).
    public var judgeProgress: @Sendable (String, JudgeProgress) -> Void = { _, _ in }

    public init() {}
}
