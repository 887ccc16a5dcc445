#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Learning-rate multipliers exactly as transformers' `get_constant_schedule(_with_warmup)`,
/// `get_linear_schedule_with_warmup` and `get_cosine_schedule_with_warmup` (one half
/// cosine). Optimizer step k (0-based) uses base_lr × factor(k): the scheduler is stepped
/// after the optimizer, so with warm-up the first step runs at lr 0, as in the HF Trainer.
public struct LearningRateSchedule: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        case constant, linear, cosine
    }

    public var kind: Kind
    public var warmupSteps: Int
    public var totalSteps: Int

    public init(kind: Kind, warmupSteps: Int = 0, totalSteps: Int) {
        self.kind = kind
        self.warmupSteps = Swift.max(0, warmupSteps)
        self.totalSteps = Swift.max(0, totalSteps)
    }

    /// transformers' rule for a warm-up ratio: ceil(total × ratio).
    public static func warmupSteps(ratio: Double, totalSteps: Int) -> Int {
        Int((Double(totalSteps) * ratio).rounded(.up))
    }

    public func factor(step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(Swift.max(1, warmupSteps)) }
        switch kind {
        case .constant:
            return 1
        case .linear:
            return Swift.max(0, Double(totalSteps - step) / Double(Swift.max(1, totalSteps - warmupSteps)))
        case .cosine:
            let progress = Double(step - warmupSteps) / Double(Swift.max(1, totalSteps - warmupSteps))
            return Swift.max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
        }
    }
}
