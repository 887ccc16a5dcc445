/// Turning each query's ranked candidates into its final neighbours: at most `k[i]` for
/// query i, skipping candidates `drop` rejects, and (with `excludeSelected`) giving each
/// corpus item to the first query, in query order, that keeps it; later queries take their
/// next candidates instead. Candidates are searched with `overfetch(k)` per query so that
/// skipped ones can be replaced.
public enum NeighbourSelection {
    public struct Result: Sendable {
        public var neighbours: [[ExactSearch.Neighbour]]
        /// Candidates skipped because an earlier query had taken them.
        public var duplicates: Int
        /// Candidates `drop` rejected.
        public var dropped: Int
    }

    /// How many candidates to search for when some may be skipped.
    public static func overfetch(_ k: Int) -> Int { k == 0 ? 0 : k * 4 + 8 }

    public static func select(_ candidates: [[ExactSearch.Neighbour]], k: [Int], excludeSelected: Bool,
                              drop: (_ query: Int, _ candidate: ExactSearch.Neighbour) -> Bool = { _, _ in false }) -> Result {
        var taken = Set<Int>()
        var duplicates = 0, dropped = 0
        var out: [[ExactSearch.Neighbour]] = []
        out.reserveCapacity(candidates.count)
        for (i, list) in candidates.enumerated() {
            var kept: [ExactSearch.Neighbour] = []
            for n in list where kept.count < k[i] {
                if drop(i, n) { dropped += 1; continue }
                if excludeSelected && !taken.insert(n.index).inserted { duplicates += 1; continue }
                kept.append(n)
            }
            out.append(kept)
        }
        return Result(neighbours: out, duplicates: duplicates, dropped: dropped)
    }
}
