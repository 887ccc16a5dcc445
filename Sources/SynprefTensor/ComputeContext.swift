import CSynprefKernels
import Dispatch
import Synchronization

/// Threads and scratch memory for kernels. One context runs one forward pass at a time
/// (callers serialise; `RewardModel` holds a lock), so its scratch can be reused without
/// reallocating on every layer.
///
/// `@unchecked Sendable`: the mutable scratch is only touched by the single forward pass
/// that owns the context at a time (see above); worker threads get disjoint slots.
public final class ComputeContext: @unchecked Sendable {
    /// Worker threads for non-GEMM kernels (and the BLAS thread count).
    public let threads: Int
    /// Elements of f32 scratch a bf16/f16 weight tile is widened into before sgemm
    /// (16 MiB: a whole Qwen3-0.6B projection, or a fused q/k/v, in one sgemm; larger
    /// weights in a few balanced tiles).
    public var widenTileFloats: Int = 1 << 22
    /// Set to `Profile()` to collect timings (benchmarks).
    public var profile: Profile?
    private var scratchSlots: [UnsafeMutablePointer<Float>?]
    private var scratchSizes: [Int]

    public init(threads: Int? = nil) {
        let n = threads ?? ComputeContext.defaultThreads
        self.threads = Swift.max(1, n)
        self.scratchSlots = []
        self.scratchSizes = []
        BLAS.setThreads(self.threads)
    }

    deinit {
        for p in scratchSlots { p?.deallocate() }
    }

    /// Online CPU count.
    public static var defaultThreads: Int {
        #if canImport(Glibc) || canImport(Darwin)
        return Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// A scratch buffer of at least `floats` floats for slot `slot` (grows, never shrinks;
    /// contents unspecified). Slots let concurrent workers use separate buffers.
    public func scratch(_ slot: Int, floats: Int) -> UnsafeMutablePointer<Float> {
        while scratchSlots.count <= slot {
            scratchSlots.append(nil)
            scratchSizes.append(0)
        }
        if let p = scratchSlots[slot], scratchSizes[slot] >= floats { return p }
        scratchSlots[slot]?.deallocate()
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(floats, 16) * 4, alignment: 64)
        let p = raw.bindMemory(to: Float.self, capacity: Swift.max(floats, 16))
        scratchSlots[slot] = p
        scratchSizes[slot] = Swift.max(floats, 16)
        return p
    }

    /// Bytes held in scratch buffers.
    public var scratchBytes: Int { scratchSizes.reduce(0, +) * 4 }

    /// Runs `body(i)` for i in 0..<n across the worker threads, items handed out one at a
    /// time (dynamic scheduling, so uneven items balance). `body` gets (item, worker).
    public func parallelFor(_ n: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        if n <= 0 { return }
        if threads == 1 || n == 1 {
            for i in 0..<n { body(i, 0) }
            return
        }
        let next = Atomic<Int>(0)
        let choice = synpref_forced_kernels()
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: Swift.min(threads, n)) { worker in
                ComputeContext.withKernelChoice(choice) {
                    while true {
                        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        if i >= n { break }
                        box.value(i, worker)
                    }
                }
            }
        }
    }

    /// Splits 0..<count into one contiguous range per worker and runs `body(range)`.
    public func parallelRanges(_ count: Int, minimumPerWorker: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let workers = Swift.max(1, Swift.min(threads, count / Swift.max(1, minimumPerWorker)))
        if workers == 1 {
            body(0..<count)
            return
        }
        let choice = synpref_forced_kernels()
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                if lo < hi { ComputeContext.withKernelChoice(choice) { box.value(lo..<hi) } }
            }
        }
    }

    /// Runs `body` on this worker thread with the kernel choice of the thread that started
    /// the work (see `synpref_force_kernels`), then restores the worker's own.
    @inline(__always)
    private static func withKernelChoice(_ choice: Int32, _ body: () -> Void) {
        let own = synpref_forced_kernels()
        if own != choice { synpref_force_kernels(choice) }
        body()
        if own != choice { synpref_force_kernels(own) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Carries a kernel closure into `concurrentPerform`. `@unchecked Sendable`: the closures
/// parallelFor/parallelRanges run write only the disjoint items or rows they are handed,
/// and concurrentPerform returns before the closure's captures go out of scope.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
