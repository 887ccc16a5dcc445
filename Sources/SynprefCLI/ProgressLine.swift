import Foundation
import SynprefCore

/// The CLI's one progress reporter, on stderr. On a terminal it keeps one line that updates
/// in place (at most four times a second); otherwise (logs, CI) it prints a line at most
/// every five seconds. Library progress events become "task: count/total unit, rate, %,
/// ETA, elapsed"; commands with richer lines (training) pass their own text to `update`.
/// Messages go on lines of their own (`line`), and stdout is flushed before anything is
/// written, so a summary printed on stdout is never cut by a progress line.
final class ProgressLine: ProgressObserver, @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let isTerminal: Bool
    private let interval: TimeInterval
    private var lastDraw = Date.distantPast
    private var open = false
    /// Per task: when it started, and the fraction done from "bytes" events.
    private var started: [String: Date] = [:]
    private var fraction: [String: Double] = [:]

    init(isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.isTerminal = isTerminal
        self.interval = isTerminal ? 0.25 : 5
    }

    func report(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let start = started[event.task] ?? now
        started[event.task] = start
        let done = event.total.map { event.completed >= $0 } ?? false
        if event.unit == "bytes", let total = event.total, total > 0 {
            // Input read so far: the fraction done (and so the ETA) of the count events.
            fraction[event.task] = Swift.min(1, Double(event.completed) / Double(total))
            return
        }
        guard done || now.timeIntervalSince(lastDraw) >= interval else { return }
        draw(Self.describe(event, elapsed: now.timeIntervalSince(start), fraction: fraction[event.task]), final: done, at: now)
    }

    /// Shows `text` as the current progress (rate-limited unless `force`).
    func update(_ text: String, force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
        draw(text, final: force, at: now)
    }

    /// A message on a line of its own.
    func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        closeLine()
        Self.write(text + "\n")
    }

    /// Ends an open progress line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        closeLine()
    }

    private func draw(_ text: String, final: Bool, at now: Date) {
        lastDraw = now
        if isTerminal {
            Self.write("\r\u{1B}[2K" + text + (final ? "\n" : ""))
            open = !final
        } else {
            Self.write(text + "\n")
        }
    }

    private func closeLine() {
        if open { Self.write("\n") }
        open = false
    }

    /// "task: 1200/5000 sequences, 310 sequences/s, 24.0%, ETA 12s, 4s elapsed".
    static func describe(_ event: ProgressEvent, elapsed: TimeInterval, fraction: Double?) -> String {
        let unit = event.unit
        let (count, total): (String, String?) = unit == "B"
            ? (String(format: "%.1f MB", Double(event.completed) / 1e6), event.total.map { String(format: "%.1f MB", Double($0) / 1e6) })
            : ("\(event.completed)", event.total.map(String.init))
        var text = "\(event.task): \(count)" + (total.map { "/\($0)" } ?? "") + (unit == "B" ? "" : " \(unit)")
        let seconds = Swift.max(elapsed, 1e-3)
        if elapsed >= 1 {
            text += unit == "B"
                ? String(format: ", %.1f MB/s", Double(event.completed) / 1e6 / seconds)
                : ", \(Int(Double(event.completed) / seconds)) \(unit)/s"
        }
        let done = fraction ?? event.total.flatMap { $0 > 0 ? Swift.min(1, Double(event.completed) / Double($0)) : nil }
        if let f = done {
            text += String(format: ", %.1f%%", f * 100)
            if f > 0.001 && f < 1 && elapsed >= 1 { text += ", ETA \(duration(elapsed * (1 - f) / f))" }
        }
        if elapsed >= 1 { text += ", \(duration(elapsed)) elapsed" }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        let t = Int(seconds.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m"
    }

    /// Writes to stderr after flushing stdout, so the two streams interleave in order.
    static func write(_ text: String) {
        fflush(nil)  // every open output stream, stdout among them
        FileHandle.standardError.write(Data(text.utf8))
    }
}
