import Foundation
import Prometheus
import SynprefModels

/// The server's Prometheus metrics (`GET /metrics`, text format), on a registry of its own
/// so that several servers in one process (tests) do not share counts.
final class ServerMetrics: @unchecked Sendable {
    let registry = PrometheusCollectorRegistry()
    private let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]
    private let queueTime: DurationHistogram
    private let computeTime: DurationHistogram
    private let batchSequences: ValueHistogram
    private let batchTokens: ValueHistogram
    private let scoredTokens: Counter
    private let scoredSequences: Counter
    private let forwardSeconds: Counter
    private let inFlight: Gauge
    private let queuedTokens: Gauge
    private let tokensPerSecond: Gauge
    private let rejected: Counter

    /// Forward passes of the last `window` seconds, for the tokens/s gauge.
    private let lock = NSLock()
    private var recent: [(time: Double, tokens: Int)] = []
    private let window = 10.0

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "synpref", metricName: metric, unitName: unit, helpText: help)
    }

    private static func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
        name(metric, "", help)
    }

    init() {
        queueTime = registry.makeDurationHistogram(descriptor: Self.name("queue", "seconds", "Time a scoring request waited before its first forward pass."), buckets: durationBuckets)
        computeTime = registry.makeDurationHistogram(descriptor: Self.name("compute", "seconds", "Wall time of the forward passes a scoring request was part of."), buckets: durationBuckets)
        batchSequences = registry.makeValueHistogram(descriptor: Self.name("batch_sequences", "Sequences per packed forward pass."), buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256])
        batchTokens = registry.makeValueHistogram(descriptor: Self.name("batch_tokens", "Tokens per packed forward pass."), buckets: [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768])
        scoredTokens = registry.makeCounter(descriptor: Self.name("scored_tokens", "total", "Tokens scored."))
        scoredSequences = registry.makeCounter(descriptor: Self.name("scored_sequences", "total", "Sequences scored."))
        forwardSeconds = registry.makeCounter(descriptor: Self.name("forward", "seconds_total", "Wall seconds spent in forward passes."))
        inFlight = registry.makeGauge(descriptor: Self.name("requests_in_flight", "Requests being handled."))
        queuedTokens = registry.makeGauge(descriptor: Self.name("queued_tokens", "Tokens admitted and not yet scored."))
        tokensPerSecond = registry.makeGauge(descriptor: Self.name("tokens_per_second", "Tokens scored per second over the last 10 seconds."))
        rejected = registry.makeCounter(descriptor: Self.name("rejected", "total", "Requests refused with 429 because the queue was full."), labels: [("reason", "queue_full")])
    }

    /// One finished request: counts by route and status, and its duration.
    func request(route: String, method: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.name("requests", "total", "HTTP requests by route, method and status."), labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: Self.name("request_duration", "seconds", "HTTP request duration by route."), labels: [("route", route)],
                                       buckets: durationBuckets)
            .record(.nanoseconds(Int64(seconds * 1e9)))
        if status == 429 { rejected.increment() }
    }

    func scored(queueSeconds: Double, computeSeconds: Double) {
        queueTime.record(.nanoseconds(Int64(queueSeconds * 1e9)))
        computeTime.record(.nanoseconds(Int64(computeSeconds * 1e9)))
    }

    func forwardPass(_ pass: ScoringService.ForwardPass) {
        batchSequences.record(Double(pass.sequences))
        batchTokens.record(Double(pass.tokens))
        forwardSeconds.increment(by: pass.seconds)
        guard pass.succeeded else { return }
        scoredTokens.increment(by: Int64(pass.tokens))
        scoredSequences.increment(by: Int64(pass.sequences))
        let now = Date().timeIntervalSince1970
        let rate: Double = lock.withLock {
            recent.append((now, pass.tokens))
            recent.removeAll { $0.time < now - window }
            return Double(recent.reduce(0) { $0 + $1.tokens }) / window
        }
        tokensPerSecond.set(rate)
    }

    /// The text exposition, with the gauges read now.
    func exposition(inFlight requests: Int, queuedTokens tokens: Int) -> String {
        inFlight.set(Int64(requests))
        queuedTokens.set(Int64(tokens))
        let now = Date().timeIntervalSince1970
        let rate: Double = lock.withLock {
            recent.removeAll { $0.time < now - window }
            return Double(recent.reduce(0) { $0 + $1.tokens }) / window
        }
        tokensPerSecond.set(rate)
        return registry.emitToString()
    }
}
