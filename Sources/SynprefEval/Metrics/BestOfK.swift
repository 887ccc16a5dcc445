/// Best-of-K in closed form: the expected ground-truth value of the response a reward model
/// picks from K responses drawn uniformly at random, without replacement, from a prompt's N.
///
/// Tie rule: when several responses in the draw share the top score, the pick is uniform among
/// them. Then, for the group of responses with one score value — m of them, with L responses
/// scored strictly lower — the pick lands in the group with probability
/// `[C(m + L, K) − C(L, K)] / C(N, K)` (the draw has no higher response and at least one from
/// the group), and by symmetry every member of the group is equally likely to be the pick, so
/// the group contributes its mean truth. Exact up to floating-point rounding; no sampling.
public enum BestOfK {
    /// Expected truth of the pick for one prompt; nil if K is not in 1...N.
    public static func expected(scores: [Double], truths: [Double], k: Int) -> Double? {
        let n = scores.count
        guard n == truths.count, k >= 1, k <= n else { return nil }
        // Score groups from the highest down.
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var result = 0.0
        var start = 0
        while start < n {
            var end = start + 1
            while end < n, scores[order[end]] == scores[order[start]] { end += 1 }
            let m = end - start
            let lower = n - end
            let p = ratio(m + lower, k, n) - ratio(lower, k, n)
            if p > 0 {
                let meanTruth = order[start..<end].reduce(0.0) { $0 + truths[$1] } / Double(m)
                result += p * meanTruth
            }
            start = end
        }
        return result
    }

    /// Expected truth for K = 1 ... min(maxK, N).
    public static func curve(scores: [Double], truths: [Double], maxK: Int) -> [Double] {
        let top = min(maxK, scores.count)
        guard top >= 1 else { return [] }
        return (1...top).compactMap { expected(scores: scores, truths: truths, k: $0) }
    }

    /// C(a, k) / C(n, k) = Π_{i<k} (a − i)/(n − i); 0 when a < k.
    static func ratio(_ a: Int, _ k: Int, _ n: Int) -> Double {
        guard a >= k else { return 0 }
        var r = 1.0
        for i in 0..<k { r *= Double(a - i) / Double(n - i) }
        return r
    }
}
