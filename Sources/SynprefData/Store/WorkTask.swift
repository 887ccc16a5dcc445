import Foundation

/// A task as one worker claimed it: what to do, and until when the lease runs.
public struct WorkTask: Sendable, Hashable {
    /// Where a task stands in its queue.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Needs more workers: completed claims plus live leases are fewer than required.
        case pending
        /// Every slot it still needs is held by a live lease.
        case leased
        /// Completed by as many workers as it requires.
        case done
        /// Gave up: `maxAttempts` claims ended without a result, or one was released without retry.
        case failed
    }

    public var id: Int64
    public var queue: String
    public var pairID: Int64?
    public var kind: String
    public var payload: String
    public var requiredWorkers: Int
    /// Claims made on the task so far, by any worker, this one included.
    public var attempts: Int
    public var maxAttempts: Int
    /// The worker holding this claim.
    public var worker: String
    /// When this claim's lease runs out unless renewed.
    public var leaseExpiresAt: Date

    public init(
        id: Int64, queue: String, pairID: Int64?, kind: String, payload: String, requiredWorkers: Int, attempts: Int,
        maxAttempts: Int, worker: String, leaseExpiresAt: Date
    ) {
        self.id = id
        self.queue = queue
        self.pairID = pairID
        self.kind = kind
        self.payload = payload
        self.requiredWorkers = requiredWorkers
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.worker = worker
        self.leaseExpiresAt = leaseExpiresAt
    }
}
