#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pairwise reward-model objective over a batch of (chosen, rejected) rewards.
///
/// - `bradleyTerry`: −log σ(r_w − r_l − m), with the pair's margin m when the data has one
///   (TRL's RewardTrainer, OpenRLHF's PairWiseLoss); computed as softplus(−x) so it never
///   overflows.
/// - `logExp`: log(1 + exp(r_l − r_w)), OpenRLHF's LogExpLoss (it ignores margins);
///   the same function of the reward gap, computed stably as softplus(r_l − r_w).
/// - centering (TRL's `center_rewards_coefficient`): + c · mean((r_w + r_l)²), keeps rewards
///   near zero.
///
/// The batch mean is over the GLOBAL batch: micro-batches of one optimizer step each add
/// their pairs' terms divided by the global pair count, so accumulation gives exactly the
/// mean over the step however the micro-batches are cut.
public struct PairLoss: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case bradleyTerry = "bt"
        case logExp = "logexp"
    }

    public var kind: Kind
    public var centerCoefficient: Double

    public init(kind: Kind = .bradleyTerry, centerCoefficient: Double = 0) {
        self.kind = kind
        self.centerCoefficient = centerCoefficient
    }

    /// The loss terms of some pairs and the gradients with respect to each reward.
    public struct Evaluation: Sendable {
        /// Σ over these pairs of (pair loss + centering term) / normalizer.
        public var loss: Double
        /// ∂loss/∂r_w and ∂loss/∂r_l per pair.
        public var dChosen: [Float]
        public var dRejected: [Float]
        /// Pairs with r_w > r_l.
        public var correct: Int
        /// Σ (r_w − r_l).
        public var marginSum: Double
    }

    /// Evaluates pairs (`margins` nil = 0 for every pair); every term is divided by
    /// `normalizer`, the number of pairs in the whole optimizer step.
    public func evaluate(chosen: [Float], rejected: [Float], margins: [Float]? = nil, normalizer: Int) -> Evaluation {
        precondition(chosen.count == rejected.count && (margins?.count ?? chosen.count) == chosen.count, "PairLoss: batch sizes differ")
        let inv = 1.0 / Double(Swift.max(1, normalizer))
        var result = Evaluation(loss: 0, dChosen: [], dRejected: [], correct: 0, marginSum: 0)
        result.dChosen.reserveCapacity(chosen.count)
        result.dRejected.reserveCapacity(chosen.count)
        for i in 0..<chosen.count {
            let rw = Double(chosen[i]), rl = Double(rejected[i])
            // x = the argument of σ; the loss is softplus(−x), d/dx = −σ(−x).
            let x: Double
            switch kind {
            case .bradleyTerry: x = rw - rl - Double(margins?[i] ?? 0)
            case .logExp: x = rw - rl
            }
            var loss = PairLoss.softplus(-x)
            let dx = -PairLoss.sigmoid(-x)
            var dw = dx, dl = -dx
            if centerCoefficient != 0 {
                let s = rw + rl
                loss += centerCoefficient * s * s
                dw += 2 * centerCoefficient * s
                dl += 2 * centerCoefficient * s
            }
            result.loss += loss * inv
            result.dChosen.append(Float(dw * inv))
            result.dRejected.append(Float(dl * inv))
            if rw > rl { result.correct += 1 }
            result.marginSum += rw - rl
        }
        return result
    }

    /// log(1 + eˣ) without overflow.
    static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
