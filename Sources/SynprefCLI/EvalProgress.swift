import Foundation
import SynprefCore

/// Progress of `synpref eval` on stderr: one updating line on a terminal, a line per step
/// (at most twice a second) otherwise.
final class EvalProgress: ProgressObserver, @unchecked Sendable {
    // @unchecked Sendable: the mutable state below is only touched under `lock`.
    private let lock = NSLock()
    private var lastPrint = Date.distantPast
    private var open = false
    private let isTerminal = isatty(2) == 1

    func report(_ event: ProgressEvent) {
        lock.lock()
        defer { lock.unlock() }
        let done = event.total.map { event.completed >= $0 } ?? false
        guard done || Date().timeIntervalSince(lastPrint) >= 0.5 else { return }
        lastPrint = Date()
        let total = event.total.map { "/\($0)" } ?? ""
        let text = "\(event.task): \(event.completed)\(total) \(event.unit)"
        if isTerminal {
            write("\r\u{1B}[2K" + text + (done ? "\n" : ""))
            open = !done
        } else {
            write(text + "\n")
        }
    }

    /// A message on its own line.
    func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        if open { write("\n"); open = false }
        write(text + "\n")
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
