/// A task to enqueue: optionally about one pair, with a kind and a free-form payload
/// (e.g. JSON) for the worker.
public struct NewTask: Sendable, Hashable {
    public var pairID: Int64?
    /// What the task asks for (e.g. "attributes", "label"); claims can filter by it.
    public var kind: String
    public var payload: String
    /// How many distinct workers must complete the task (k annotators of one pair); at least 1.
    public var requiredWorkers: Int
    /// How many claims may end without a result (lease expired, released) before the task
    /// fails; at least 1. With one required worker, the task is claimed at most this often.
    public var maxAttempts: Int
    /// If set, a task with this key already in the queue (in any state) is not added again:
    /// `enqueue` returns the existing task's id. Several processes enqueueing the same work
    /// (e.g. "attributes for pair 17") then share one task.
    public var key: String?

    public init(pairID: Int64? = nil, kind: String = "", payload: String = "", requiredWorkers: Int = 1, maxAttempts: Int = 5, key: String? = nil) {
        self.pairID = pairID
        self.kind = kind
        self.payload = payload
        self.requiredWorkers = requiredWorkers
        self.maxAttempts = maxAttempts
        self.key = key
    }
}
