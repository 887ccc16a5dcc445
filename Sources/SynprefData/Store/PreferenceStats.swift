/// Counts and length percentiles over the whole store (`synpref data stats`).
public struct PreferenceStats: Sendable, Hashable {
    public var total: Int
    public var contaminated: Int
    public var bySource: [String: Int]
    public var byTier: [String: Int]
    /// Attribute counts; pairs without attributes count under "(none)".
    public var byTaskCategory: [String: Int]
    public var byObjectivity: [String: Int]
    public var byControversiality: [String: Int]
    public var labels: Int
    /// Percentiles (p50, p90, p99, max) of lengths in Unicode scalars, by part.
    public var lengthPercentiles: [String: [Percentile]]

    public struct Percentile: Sendable, Hashable {
        public var name: String
        public var value: Int
    }

    public static let percentiles: [(name: String, q: Double)] = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)]
}
