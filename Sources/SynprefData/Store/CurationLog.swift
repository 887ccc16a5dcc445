/// What curation decided about stored pairs: labels, attributes, tier moves and
/// contamination marks.
///
/// Guarantees: the label log and the tier-move log are append-only (the database refuses
/// updates and deletes), so no label is ever lost; `apply` records labels, attributes and
/// tier moves of many pairs atomically.
public protocol CurationLog: Sendable {
    /// Records labels, attribute updates and tier moves in one transaction (all or nothing).
    /// A tier move whose `expectedFrom` does not match the pair's tier fails the whole batch,
    /// and so does a completion of a task the worker no longer holds.
    func apply(_ batch: CurationBatch) async throws -> CurationResult

    /// The label log of a pair, oldest first.
    func labels(pairID: Int64) async throws -> [LabelEntry]
    /// The tier-move log of a pair, oldest first.
    func tierMoves(pairID: Int64) async throws -> [TierMove]

    /// Flags pairs as containing benchmark text: sets `contaminatedBy` and moves them to
    /// `discarded` with a logged tier move (reason "contaminated: <benchmark>"). Flagged
    /// pairs are never exported, not even flipped. Returns how many were newly flagged.
    func markContaminated(_ marks: [(pairID: Int64, benchmark: String)], actor: String) async throws -> Int
}
