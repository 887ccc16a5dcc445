import Foundation
import SynprefCore
import SynprefTraining

/// The `synpref train` progress bar on stderr: step, loss, accuracy, tokens/s and ETA, one
/// updating line on a terminal (a line every ten seconds otherwise); validations and
/// checkpoints on their own lines.
final class TrainProgress: ProgressObserver, @unchecked Sendable {
    // @unchecked Sendable: mutable state guarded by `lock`.
    private let lock = NSLock()
    private let output = ProgressLine()
    private var lossAverage: Double?
    private var accuracyAverage: Double?
    private var tokensPerSecond: Double?
    private var last: (record: TrainingRecord, total: Int)?
    private var runStart: (step: Int, time: Date)?

    /// Downloads and other library progress.
    func report(_ event: ProgressEvent) {
        guard event.task != "train" else { return }  // steps are drawn from `handle`
        lock.lock()
        defer { lock.unlock() }
        output.report(event)
    }

    func handle(_ event: TrainingEvent) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .step(let r, let total):
            let a = 0.1  // exponential moving averages smooth the per-step noise
            lossAverage = lossAverage.map { $0 * (1 - a) + (r.loss ?? 0) * a } ?? r.loss
            accuracyAverage = accuracyAverage.map { $0 * (1 - a) + r.accuracy * a } ?? r.accuracy
            tokensPerSecond = tokensPerSecond.map { $0 * (1 - a) + (r.tokensPerSecond ?? 0) * a } ?? r.tokensPerSecond
            if runStart == nil { runStart = (r.step - 1, Date()) }
            last = (r, total)
            draw(stepLine(r, total), force: r.step == total)
        case .evaluation(let r, let isBest):
            emit(String(format: "step %d validation: accuracy %.4f, mean margin %.4f (%d pairs)%@", r.step, r.accuracy, r.meanMargin, r.pairs, isBest ? ", best so far" : ""))
        case .checkpoint:
            break
        case .features(let done, let total):
            draw("computing backbone features: \(done)/\(total) sequences", force: done >= total)
        }
    }

    func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        emit(text)
    }

    /// Other progress text (judge calls while a pipeline runs).
    func update(_ text: String, force: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        output.update(text, force: force)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        output.finish()
    }

    private func stepLine(_ r: TrainingRecord, _ total: Int) -> String {
        let width = 24
        let filled = total > 0 ? Int(Double(width) * Double(r.step) / Double(total)) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var eta = "-"
        if let (s0, t0) = runStart, r.step > s0 {
            let perStep = Date().timeIntervalSince(t0) / Double(r.step - s0)
            eta = ProgressLine.duration(perStep * Double(total - r.step))
        }
        return String(format: "[%@] step %d/%d  loss %.4f  acc %.3f  %.0f tok/s  lr %.2e  ETA %@", bar, r.step, total,
                      lossAverage ?? 0, accuracyAverage ?? 0, tokensPerSecond ?? 0, r.learningRate ?? 0, eta)
    }

    private func draw(_ text: String, force: Bool) { output.update(text, force: force) }

    private func emit(_ text: String) { output.line(text) }
}
