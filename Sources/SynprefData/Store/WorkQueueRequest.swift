import Foundation

/// The argument checks both stores make before touching the queue.
enum WorkQueueRequest {
    /// A worker needs a name (claims are kept per worker) and a lease a positive duration.
    static func check(worker: String, lease: TimeInterval) throws {
        if worker.isEmpty { throw StoreError.invalidValue("a work-queue worker needs a non-empty name") }
        if !(lease > 0 && lease.isFinite) { throw StoreError.invalidValue("lease \(lease) s: a lease must be a positive number of seconds") }
    }

    /// A claim that can take nothing: no room, or a filter listing no pair or no kind.
    static func matchesNothing(limit: Int, filter: ClaimFilter) -> Bool {
        limit <= 0 || filter.pairIDs?.isEmpty == true || filter.kinds?.isEmpty == true
    }
}
