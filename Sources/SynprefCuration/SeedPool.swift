import SynprefCore
import SynprefData

extension CurationConfig.SeedPool {
    /// Whether `pair` belongs to the seed: its source is one of `sources`, or it falls in
    /// the seeded random `share` (drawn from `seed` and its content hash, so it is the same
    /// pair in every run and on every machine).
    public func contains(_ pair: PreferencePair, seed: Int) -> Bool {
        if sources.contains(pair.source) { return true }
        guard share > 0 else { return false }
        if share >= 1 { return true }
        var rng = KeyedRandom(seed: UInt64(seed), key: "seed-pool|\(pair.contentHash.hex)")
        return rng.unit() < share
    }
}
