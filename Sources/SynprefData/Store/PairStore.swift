/// The pairs of a store, keyed by content hash.
///
/// Guarantees: a pair is stored once per content hash; `insert` is idempotent and each call
/// is one transaction, so an import killed mid-way resumes without duplicates or losses.
public protocol PairStore: Sendable {
    /// Stores the pairs whose content hash is new, in one transaction; for each input pair,
    /// in order, says whether it was inserted or which stored pair already has its content.
    /// Attributes, labels and a non-default tier carried by a new pair are recorded too.
    /// `importID` marks rows written by one import run (see `InsertOutcome`).
    func insert(_ pairs: [PreparedPair], importID: String) async throws -> [InsertOutcome]

    /// The pair with its attributes and full label history, or nil.
    func pair(id: Int64) async throws -> PreferencePair?
    /// The stored pair ids of those content hashes that are stored.
    func pairIDs(for hashes: [ContentHash]) async throws -> [ContentHash: Int64]
    /// The tier and verified orientation of those of `ids` that are stored, without reading
    /// the pairs themselves.
    func tiers(of ids: [Int64]) async throws -> [Int64: PairTier]
    /// Pairs in id order after `afterID` (keyset paging), filtered by tier and/or source.
    /// Pairs flagged as benchmark-contaminated are left out unless asked for. Labels are
    /// not loaded (use `pair(id:)` or `CurationLog.labels(pairID:)`); attributes are.
    func pairs(_ query: PairQuery) async throws -> [PreferencePair]
    /// How many pairs are in `tier` (nil: in the whole store).
    func count(tier: PreferenceTier?) async throws -> Int
    /// Counts by source, tier, attributes and length percentiles.
    func stats() async throws -> PreferenceStats
}

extension PairStore {
    /// Every pair of `tier` (contaminated pairs left out), in id order, read page by page;
    /// labels are not loaded.
    public func allPairs(tier: PreferenceTier?, pageSize: Int = 2000) async throws -> [PreferencePair] {
        var out: [PreferencePair] = []
        var after: Int64 = 0
        while true {
            let page = try await pairs(PairQuery(tier: tier, afterID: after, limit: pageSize))
            guard let last = page.last?.id else { return out }
            after = last
            out += page
        }
    }
}
