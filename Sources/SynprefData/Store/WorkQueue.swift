import Foundation

/// Named queues of tasks leased to workers: LLM judges (many tasks at a time, short
/// leases) and human annotators (one task at a time, leases renewed while a page is open,
/// the same task answered by several people).
///
/// A task needs `requiredWorkers` (k) distinct workers. Each worker that takes it gets a
/// *claim* of its own — a lease until a given time, then a result or a failure — and never
/// gets the same task a second time, whether its claim was completed, released or expired.
/// A task is offered to a worker while its completed claims plus its live leases are fewer
/// than k; it is `done` once k claims completed. Claims that end without a result (an
/// expired lease, a release) free their slot for another worker and count as failed
/// attempts: after `maxAttempts` of them the task is `failed`.
///
/// Guarantees every implementation keeps:
/// - concurrent claimers never take more than k live-or-completed slots of a task, and
///   never give one worker two claims on it;
/// - a worker holds its claim until the lease runs out; `renew`, `complete` and `release`
///   throw `StoreError.leaseLost` once it no longer does, so a late result is never
///   recorded for a slot another worker may have taken;
/// - a crashed worker's leases expire and its slots return to the queue.
public protocol WorkQueue: Sendable {
    /// Adds tasks to a named queue; returns their ids, in order. A task whose `key` is
    /// already in the queue is not added: its id is the existing task's.
    func enqueue(_ tasks: [NewTask], queue: String) async throws -> [Int64]

    /// Leases up to `limit` tasks of `queue` to `worker` for `lease` seconds, oldest first:
    /// tasks that still need a worker, that `worker` never claimed, and that match `filter`.
    func claim(queue: String, worker: String, limit: Int, lease: TimeInterval, filter: ClaimFilter) async throws -> [WorkTask]

    /// Extends the leases `worker` still holds on these tasks to `lease` seconds from now;
    /// returns the ids it still holds.
    func renew(_ taskIDs: [Int64], worker: String, lease: TimeInterval) async throws -> [Int64]

    /// Records `worker`'s result for a task. Throws `StoreError.leaseLost` if `worker` does
    /// not hold a lease on it.
    func complete(_ taskID: Int64, worker: String, result: String?) async throws

    /// Gives `worker`'s claim back without a result: the slot goes to another worker
    /// (`retry`, until the task has used up its attempts), or the task fails for every
    /// worker (`retry: false`, e.g. the task itself is broken). Throws
    /// `StoreError.leaseLost` if `worker` does not hold a lease on it.
    func release(_ taskID: Int64, worker: String, error: String, retry: Bool) async throws

    /// Every claim on a task (with the results of completed ones), oldest first.
    func claims(taskID: Int64) async throws -> [WorkClaim]

    /// The task with this id, or nil.
    func task(id: Int64) async throws -> QueuedTask?

    /// Tasks and claims of a queue by state, as of now (a lease that ran out counts as
    /// expired even before the store has noticed).
    func queueCounts(queue: String) async throws -> QueueCounts
}

extension WorkQueue {
    /// Leases up to `limit` tasks of `queue` to `worker`, whatever they are about.
    public func claim(queue: String, worker: String, limit: Int, lease: TimeInterval) async throws -> [WorkTask] {
        try await claim(queue: queue, worker: worker, limit: limit, lease: lease, filter: .any)
    }

    /// Leases the oldest task `worker` may take, if any (one task at a time, as an
    /// annotator works).
    public func claimNext(queue: String, worker: String, lease: TimeInterval, filter: ClaimFilter = .any) async throws -> WorkTask? {
        try await claim(queue: queue, worker: worker, limit: 1, lease: lease, filter: filter).first
    }

    /// Extends `worker`'s lease on one task. Throws `StoreError.leaseLost` if `worker` does
    /// not hold it any more.
    public func renew(_ taskID: Int64, worker: String, lease: TimeInterval) async throws {
        if try await renew([taskID], worker: worker, lease: lease).isEmpty {
            throw StoreError.leaseLost(taskID: taskID, worker: worker)
        }
    }
}

/// A task as it stands in its queue (`WorkQueue.task(id:)`).
public struct QueuedTask: Sendable, Hashable {
    public var id: Int64
    public var queue: String
    public var pairID: Int64?
    public var kind: String
    public var payload: String
    public var state: WorkTask.State

    public init(id: Int64, queue: String, pairID: Int64?, kind: String, payload: String, state: WorkTask.State) {
        self.id = id
        self.queue = queue
        self.pairID = pairID
        self.kind = kind
        self.payload = payload
        self.state = state
    }
}
