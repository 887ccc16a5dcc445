import Foundation

/// The Wilson score interval for a proportion (Wilson 1927): the set of true proportions p
/// whose normal test does not reject the observed k successes in n trials,
///
///     center = (p̂ + z²/2n) / (1 + z²/n)
///     half   = z / (1 + z²/n) · sqrt(p̂(1 − p̂)/n + z²/4n²),   p̂ = k/n.
///
/// Chosen over the normal (Wald) interval because it stays inside [0, 1] and keeps close to
/// its nominal coverage for accuracies near 0 or 1 and for a few hundred pairs; unlike a
/// bootstrap it is deterministic and needs only k and n.
public struct WilsonInterval: Sendable, Equatable {
    /// z for a two-sided 95% interval: the 0.975 quantile of the standard normal.
    public static let z95 = 1.959963984540054

    public var low: Double
    public var high: Double

    /// The interval for `successes` of `trials` (nil when there are no trials).
    public init?(successes: Int, trials: Int, z: Double = WilsonInterval.z95) {
        guard trials > 0, successes >= 0, successes <= trials else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let center = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        low = max(0, center - half)
        high = min(1, center + half)
    }
}
