#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time and work counters a forward pass can fill in (benchmarks read them; off by
/// default). Kept per `ComputeContext`, so no locking.
public struct Profile: Sendable {
    public var gemmSeconds: Double = 0
    public var gemmFlops: Double = 0
    public var widenSeconds: Double = 0
    public var attentionSeconds: Double = 0
    public var attentionFlops: Double = 0
    public var otherSeconds: Double = 0

    public init() {}

    /// Monotonic clock in seconds.
    public static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
