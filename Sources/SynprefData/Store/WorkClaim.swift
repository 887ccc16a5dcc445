import Foundation

/// One worker's claim on a task: its lease, and how it ended.
public struct WorkClaim: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// The worker holds the task until `leaseExpiresAt`.
        case leased
        /// The worker completed the task with `result`.
        case done
        /// The worker gave the task back (`WorkQueue.release`) with `error`.
        case released
        /// The lease ran out before the worker completed or released it.
        case expired
    }

    public var taskID: Int64
    public var worker: String
    public var state: State
    /// Which claim on the task this was (1 for the first, by any worker).
    public var attempt: Int
    public var claimedAt: Date
    /// When the lease runs (or ran) out.
    public var leaseExpiresAt: Date
    /// When the claim was completed, released or found expired.
    public var finishedAt: Date?
    public var result: String?
    public var error: String?

    public init(
        taskID: Int64, worker: String, state: State, attempt: Int, claimedAt: Date, leaseExpiresAt: Date,
        finishedAt: Date? = nil, result: String? = nil, error: String? = nil
    ) {
        self.taskID = taskID
        self.worker = worker
        self.state = state
        self.attempt = attempt
        self.claimedAt = claimedAt
        self.leaseExpiresAt = leaseExpiresAt
        self.finishedAt = finishedAt
        self.result = result
        self.error = error
    }
}
