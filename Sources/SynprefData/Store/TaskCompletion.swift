/// A work-queue result recorded together with a `CurationBatch`: the worker's claim on the
/// task is completed in the same transaction as the labels it produced, so a crash can never
/// leave labels without a completed task (which another worker would label again) nor a
/// completed task without its labels.
public struct TaskCompletion: Sendable, Hashable {
    public var taskID: Int64
    public var worker: String
    public var result: String?

    public init(taskID: Int64, worker: String, result: String? = nil) {
        self.taskID = taskID
        self.worker = worker
        self.result = result
    }
}
