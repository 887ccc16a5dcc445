import Foundation
import SynprefCore

/// Draws progress of data commands on stderr: count, rate and ETA. Events with unit
/// "bytes" give the fraction done (and so the ETA); events with any other unit give the
/// count and rate shown. Redraws at most every half second; on a terminal it rewrites
/// one line, otherwise it prints a line every ten seconds.
final class DataProgress: ProgressObserver, @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var fraction: Double?
    private var count = 0
    private var unit = ""
    private var task = ""
    private let isTTY = isatty(STDERR_FILENO) != 0
    private var drewLine = false

    func report(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        task = event.task
        if event.unit == "bytes" {
            // Only the fraction; the count event that follows draws the line.
            if let total = event.total, total > 0 { fraction = min(1, Double(event.completed) / Double(total)) }
            return
        } else {
            count = event.completed
            unit = event.unit
            if let total = event.total, total > 0 { fraction = min(1, Double(event.completed) / Double(total)) }
        }
        let now = Date()
        let interval = isTTY ? 0.5 : 10
        guard now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        draw(now)
    }

    private func draw(_ now: Date) {
        let elapsed = max(1e-3, now.timeIntervalSince(start))
        var line = "\(task): \(count) \(unit), \(Int(Double(count) / elapsed)) \(unit)/s"
        if let f = fraction {
            line += String(format: ", %.1f%%", f * 100)
            if f > 0.001 && f < 1 { line += ", ETA \(DataProgress.duration(elapsed * (1 - f) / f))" }
        }
        line += ", \(DataProgress.duration(elapsed)) elapsed"
        if isTTY {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            drewLine = true
        } else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends the progress line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drewLine { FileHandle.standardError.write(Data("\n".utf8)) }
        drewLine = false
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t < 60 { return "\(t)s" }
        if t < 3600 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m"
    }
}

/// Output helpers shared by the data commands.
enum DataOutput {
    static func err(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

    /// A simple aligned table.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == 0 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
