import Foundation
import Testing

/// A task executor with threads of its own, outside Swift's cooperative pool.
///
/// Swift Testing runs every test as a task on the cooperative pool, which has one thread
/// per core. A test that computes synchronously for seconds (a model forward, a parity
/// sweep) holds one of those threads the whole time; two such tests on a two-core machine
/// hold all of them, and every other test's awaits — an HTTP reply, a store write, a lease
/// renewal, an in-process server — wait until one finishes. Tests that compute run here
/// instead (the `.computeThreads` trait), so the pool stays free for the tests that wait.
///
/// The pool has one thread per core, like the cooperative pool: compute-bound tests take
/// turns as before, only no longer at the expense of the others.
public final class ComputeThreads: TaskExecutor, @unchecked Sendable {
    public static let shared = ComputeThreads(threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(threads: Int) {
        for i in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "compute-test-\(i)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() -> Never {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Runs each test of a suite (or a single test) on `ComputeThreads`, for tests that spend
/// long stretches computing synchronously.
public struct ComputeThreadsTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await withTaskExecutorPreference(ComputeThreads.shared) { try await function() }
    }
}

extension Trait where Self == ComputeThreadsTrait {
    /// Runs the tests on threads outside the cooperative pool (see `ComputeThreads`).
    public static var computeThreads: Self { ComputeThreadsTrait() }
}
