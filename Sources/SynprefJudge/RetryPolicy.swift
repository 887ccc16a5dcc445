import Foundation

/// When to try a chat call again and how long to wait, as OpenAI's own client decides:
/// connection errors, timeouts, 408, 409, 429 and 5xx are retried, other statuses are not;
/// a server's `x-should-retry: true|false` overrides that; the wait honours `retry-after-ms`
/// and `retry-after` (seconds or an HTTP date) when the server sends them (up to 60 s),
/// else exponential backoff from 0.5 s doubling to 8 s, minus up to 25% jitter.
public struct RetryPolicy: Sendable {
    public var initialDelay = 0.5
    public var maxDelay = 8.0
    public var maxServerDelay = 60.0

    public init() {}

    public func shouldRetry(status: Int, headers: [(String, String)]) -> Bool {
        if let forced = Self.header("x-should-retry", in: headers)?.lowercased() {
            if forced == "true" { return true }
            if forced == "false" { return false }
        }
        return status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// Seconds to wait before attempt `attempt` (1 = the first retry); `jitter` in [0, 1).
    public func delay(attempt: Int, headers: [(String, String)], jitter: Double, now: Date = Date()) -> Double {
        if let server = Self.serverDelay(headers, now: now), server >= 0, server <= maxServerDelay { return server }
        let base = Swift.min(initialDelay * pow(2, Double(Swift.max(0, attempt - 1))), maxDelay)
        return base * (1 - 0.25 * jitter)
    }

    /// `retry-after-ms` (milliseconds), else `retry-after` (seconds, or an HTTP date).
    static func serverDelay(_ headers: [(String, String)], now: Date) -> Double? {
        if let ms = header("retry-after-ms", in: headers), let v = Double(ms.trimmingCharacters(in: .whitespaces)) { return v / 1000 }
        guard let value = header("retry-after", in: headers)?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return date.timeIntervalSince(now)
    }

    static func header(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }
}
