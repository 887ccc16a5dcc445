import Dispatch

/// Runs independent per-file work (decode, build requests, hash) on all cores.
enum Parallel {
    /// `items.map(body)` computed concurrently; results keep their order and the error of the
    /// lowest failing index is rethrown, so output and errors do not depend on scheduling.
    static func map<T: Sendable, U: Sendable>(_ items: [T], _ body: @Sendable (T) throws -> U) throws -> [U] {
        guard items.count > 1 else { return try items.map(body) }
        let slots = ResultSlots<U>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            slots.set(i, Result { try body(items[i]) })
        }
        return try slots.values().map { try $0.get() }
    }
}

/// One result slot per index, each written by exactly one worker.
private final class ResultSlots<U: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: every index is written once, by one worker, and read only after
    // concurrentPerform has returned (which orders the writes before the reads).
    private var slots: [Result<U, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<U, any Error>) {
        slots.withUnsafeMutableBufferPointer { $0[i] = r }
    }

    func values() -> [Result<U, any Error>] {
        slots.map { $0 ?? .failure(EvalError.scorer(reason: "internal: a parallel task produced no result")) }
    }
}
