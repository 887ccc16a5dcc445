/// How many neighbours each gold pair retrieves (Skywork-Reward-V2, Stage 1 step 2): with
/// `p` the reward model's probability that the gold pair's chosen response wins,
/// `k = kMax` when the model gets the pair wrong (`p ≤ 0.5`), otherwise `k = ⌈kMax (1 − p)⌉`:
/// the surer the model already is, the fewer similar pairs are sent for labelling.
public enum KRule: Sendable, Equatable {
    case fixed(Int)
    case skywork(kMax: Int)

    /// The k of one query; `p` is required for `.skywork` and must be in [0, 1].
    public func k(confidence p: Double?) -> Int? {
        switch self {
        case .fixed(let k):
            return k
        case .skywork(let kMax):
            guard let p, p >= 0, p <= 1 else { return nil }
            if p <= 0.5 { return kMax }
            // ⌈kMax (1 − p)⌉ computed without the rounding of 1 − p pushing an exact integer
            // up (p = 0.75, kMax 8 gives 2, not 3).
            let x = Double(kMax) * (1 - p)
            let r = x.rounded()
            return abs(x - r) < 1e-9 ? Int(r) : Int(x.rounded(.up))
        }
    }
}
