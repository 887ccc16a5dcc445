import Foundation

/// Where preference pairs live between curation steps: one protocol, one schema, two
/// implementations — `SQLitePreferenceStore` (embedded default, `sqlite:./synpref.db`) and
/// `PostgresPreferenceStore` (`postgres://…`, many workers on many machines).
///
/// Guarantees every implementation keeps (the shared conformance tests check them):
/// - a pair is stored once per content hash; `insert` is idempotent and each call is one
///   transaction, so an import killed mid-way resumes without duplicates or losses;
/// - the label log and the tier-move log are append-only (the database refuses updates
///   and deletes), so no label is ever lost;
/// - `apply` records labels, attributes and tier moves of many pairs atomically;
/// - a claimed task is leased to one worker until its lease expires; then any worker may
///   claim it again, so a crashed worker's tasks return to the queue.
public protocol PreferenceStore: Sendable {
    /// Stores the pairs whose content hash is new, in one transaction; for each input pair,
    /// in order, says whether it was inserted or which stored pair already has its content.
    /// Attributes, labels and a non-default tier carried by a new pair are recorded too.
    /// `importID` marks rows written by one import run (see `InsertOutcome`).
    func insert(_ pairs: [PreparedPair], importID: String) async throws -> [InsertOutcome]

    /// The pair with its attributes and full label history, or nil.
    func pair(id: Int64) async throws -> PreferencePair?
    /// The stored pair ids of those content hashes that are stored.
    func pairIDs(for hashes: [ContentHash]) async throws -> [ContentHash: Int64]
    /// Pairs in id order after `afterID` (keyset paging), filtered by tier and/or source.
    /// Pairs flagged as benchmark-contaminated are left out unless asked for. Labels are
    /// not loaded (use `pair(id:)` or `labels(pairID:)`); attributes are.
    func pairs(_ query: PairQuery) async throws -> [PreferencePair]
    func count(tier: PreferenceTier?) async throws -> Int

    /// Records labels, attribute updates and tier moves in one transaction (all or nothing).
    /// A tier move whose `expectedFrom` does not match the pair's tier fails the whole batch.
    func apply(_ batch: CurationBatch) async throws -> CurationResult

    /// The label log of a pair, oldest first.
    func labels(pairID: Int64) async throws -> [LabelEntry]
    /// The tier-move log of a pair, oldest first.
    func tierMoves(pairID: Int64) async throws -> [TierMove]

    /// Adds tasks to a named queue; returns their ids.
    func enqueue(_ tasks: [NewTask], queue: String) async throws -> [Int64]
    /// Leases up to `limit` available tasks (pending, or leased with an expired lease) to
    /// `worker` for `lease` seconds, oldest first. Concurrent claimers never get the same task.
    /// Tasks that have used up `maxAttempts` are marked failed instead.
    func claim(queue: String, worker: String, limit: Int, lease: TimeInterval) async throws -> [WorkTask]
    /// Extends the leases `worker` still holds; returns the ids it still holds.
    func renew(_ taskIDs: [Int64], worker: String, lease: TimeInterval) async throws -> [Int64]
    /// Marks a task done. Throws `StoreError.leaseLost` if `worker` no longer holds it.
    func complete(_ taskID: Int64, worker: String, result: String?) async throws
    /// Gives a task back: pending again (retry) or failed. Throws `StoreError.leaseLost` if
    /// `worker` no longer holds it.
    func release(_ taskID: Int64, worker: String, error: String, retry: Bool) async throws
    /// Task counts by state for a queue.
    func queueCounts(queue: String) async throws -> [WorkTask.State: Int]

    /// Flags pairs as containing benchmark text: sets `contaminatedBy` and moves them to
    /// `discarded` with a logged tier move (reason "contaminated: <benchmark>"). Flagged
    /// pairs are never exported, not even flipped. Returns how many were newly flagged.
    func markContaminated(_ marks: [(pairID: Int64, benchmark: String)], actor: String) async throws -> Int

    /// Counts by source, tier, attributes and length percentiles.
    func stats() async throws -> PreferenceStats

    func close() async throws
}

/// What `insert` did with one input pair.
public enum InsertOutcome: Sendable, Hashable {
    case inserted(id: Int64)
    /// Already stored (same content hash) as pair `id`, from `source`, by import `importID`.
    case existing(id: Int64, source: String, importID: String?)
}

/// Which pairs `pairs(_:)` returns.
public struct PairQuery: Sendable, Hashable {
    public var tier: PreferenceTier?
    public var source: String?
    /// Only pairs with a larger id (keyset paging: pass the last id of the previous page).
    public var afterID: Int64
    public var limit: Int
    public var includeContaminated: Bool

    public init(tier: PreferenceTier? = nil, source: String? = nil, afterID: Int64 = 0, limit: Int = 1000, includeContaminated: Bool = false) {
        self.tier = tier
        self.source = source
        self.afterID = afterID
        self.limit = limit
        self.includeContaminated = includeContaminated
    }
}

/// A tier change request inside a `CurationBatch`.
public struct TierChange: Sendable, Hashable {
    public var pairID: Int64
    public var to: PreferenceTier
    /// If set, the move (and the whole batch) fails unless the pair is in this tier now.
    public var expectedFrom: PreferenceTier?
    public var reason: String

    public init(pairID: Int64, to: PreferenceTier, expectedFrom: PreferenceTier? = nil, reason: String) {
        self.pairID = pairID
        self.to = to
        self.expectedFrom = expectedFrom
        self.reason = reason
    }
}

/// Everything one curation step decided, applied atomically: e.g. an annotator's verdict
/// (label + move to gold), or a Stage-2 round (RM labels + moves to silver/discarded).
public struct CurationBatch: Sendable {
    public var labels: [LabelEntry]
    public var attributes: [(pairID: Int64, attributes: PreferenceAttributes)]
    public var moves: [TierChange]
    /// Who applies the batch (recorded on tier moves and attributes).
    public var actor: String

    public init(labels: [LabelEntry] = [], attributes: [(pairID: Int64, attributes: PreferenceAttributes)] = [], moves: [TierChange] = [], actor: String) {
        self.labels = labels
        self.attributes = attributes
        self.moves = moves
        self.actor = actor
    }
}

public struct CurationResult: Sendable, Hashable {
    public var labelIDs: [Int64]
    /// Moves that changed a tier (a move to the tier a pair is already in is not logged).
    public var moved: Int
}

/// A task to enqueue: optionally about one pair, with a free-form payload (e.g. JSON).
public struct NewTask: Sendable, Hashable {
    public var pairID: Int64?
    public var payload: String
    public var maxAttempts: Int

    public init(pairID: Int64? = nil, payload: String = "", maxAttempts: Int = 5) {
        self.pairID = pairID
        self.payload = payload
        self.maxAttempts = maxAttempts
    }
}

/// A task as claimed from the work queue.
public struct WorkTask: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
        case pending, leased, done, failed
    }

    public var id: Int64
    public var queue: String
    public var pairID: Int64?
    public var payload: String
    /// Claims so far, including this one.
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
}

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case badURL(String, reason: String)
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
            return "task \(id): worker '\(worker)' no longer holds its lease (it expired and another worker may have claimed it); drop the result or re-claim"
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

/// Counts and length percentiles over the whole store (`synpref data stats`).
public struct PreferenceStats: Sendable, Hashable {
    public var total: Int
    public var contaminated: Int
    public var bySource: [String: Int]
    public var byTier: [String: Int]
    /// Attribute counts; pairs without attributes count under "(none)".
    public var byTaskCategory: [String: Int]
    public var byObjectivity: [String: Int]
    public var byControversiality: [String: Int]
    public var labels: Int
    /// Percentiles (p50, p90, p99, max) of lengths in Unicode scalars, by part.
    public var lengthPercentiles: [String: [Percentile]]

    public struct Percentile: Sendable, Hashable {
        public var name: String
        public var value: Int
    }

    public static let percentiles: [(name: String, q: Double)] = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)]
}
