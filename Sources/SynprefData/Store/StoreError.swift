/// Why a store operation failed.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case badURL(String, reason: String)
    /// `worker` has no live claim on the task (see `WorkQueue`).
    case leaseLost(taskID: Int64, worker: String)
    case unknownPair(Int64)
    case tierConflict(pairID: Int64, expected: PreferenceTier, actual: PreferenceTier)
    case schemaTooNew(found: Int, supported: Int)
    case invalidValue(String)
    case database(String)

    public var description: String {
        switch self {
        case .badURL(let url, let reason):
            return "store URL '\(url)': \(reason). Use sqlite:PATH (e.g. sqlite:./synpref.db) or postgres://user[:password]@host[:port]/database."
        case .leaseLost(let id, let worker):
            return "task \(id): worker '\(worker)' holds no lease on it (the lease ran out, or the claim was already completed or released); drop the result, the task is not offered to this worker again"
        case .unknownPair(let id): return "no pair with id \(id) in the store"
        case .tierConflict(let id, let expected, let actual):
            return "pair \(id) is in tier \(actual.rawValue), not \(expected.rawValue) as the move expected; nothing was applied"
        case .schemaTooNew(let found, let supported):
            return "the store has schema version \(found), newer than this synpref supports (\(supported)); upgrade synpref"
        case .invalidValue(let what): return "invalid value: \(what)"
        case .database(let message): return "database error: \(message)"
        }
    }
}
