/// A queue's tasks and claims by state (states with none are absent).
public struct QueueCounts: Sendable, Hashable {
    public var tasks: [WorkTask.State: Int]
    public var claims: [WorkClaim.State: Int]

    public init(tasks: [WorkTask.State: Int] = [:], claims: [WorkClaim.State: Int] = [:]) {
        self.tasks = tasks
        self.claims = claims
    }

    /// No task was ever enqueued on the queue.
    public var isEmpty: Bool { tasks.isEmpty }
}
