import Foundation

/// Login rate limiting: after `limit` failed logins for one account, or `limit × 3` from one
/// client address, within `window` seconds, further attempts are refused (429) until the
/// oldest failure leaves the window — the right password included, so guessing gains
/// nothing from the refusal. A successful login clears the account's failures.
final class LoginThrottle: @unchecked Sendable {
    let limit: Int
    let window: TimeInterval
    private let lock = NSLock()
    private var failures: [String: [Date]] = [:]

    init(limit: Int = 10, window: TimeInterval = 900) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until another attempt is allowed, or nil if one is allowed now.
    func retryAfter(user: String, address: String, now: Date = Date()) -> Int? {
        lock.withLock {
            let u = live("user:" + user, now), a = live("addr:" + address, now)
            var wait: TimeInterval?
            if u.count >= limit, let first = u.first { wait = first.addingTimeInterval(window).timeIntervalSince(now) }
            if a.count >= limit * 3, let first = a.first { wait = max(wait ?? 0, first.addingTimeInterval(window).timeIntervalSince(now)) }
            return wait.map { max(1, Int($0.rounded(.up))) }
        }
    }

    func failed(user: String, address: String, now: Date = Date()) {
        lock.withLock {
            failures["user:" + user, default: []].append(now)
            failures["addr:" + address, default: []].append(now)
        }
    }

    func succeeded(user: String) { lock.withLock { failures["user:" + user] = nil } }

    private func live(_ key: String, _ now: Date) -> [Date] {
        let kept = (failures[key] ?? []).filter { now.timeIntervalSince($0) < window }
        failures[key] = kept.isEmpty ? nil : kept
        return kept
    }
}
