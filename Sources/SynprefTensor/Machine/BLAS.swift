import CSynprefKernels
import Dispatch
import Synchronization
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The one GEMM everything uses: C[m,n] = alpha * A[m,k] . op(B) + beta * C, row-major.
public enum BLAS {
    /// C[m][n] = alpha * A[m][k] * (transB ? B[n][k]^T : B[k][n]) + beta * C.
    /// `transA` reads A as [k][m] transposed.
    public static func sgemm(
        transA: Bool = false, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        sgemm(splitInto: splitWorkers.load(ordering: .relaxed), transA: transA, transB: transB, m: m, n: n, k: k,
              alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// `sgemm` with large products cut into `parts` slices of C's columns (or rows, when
    /// it has more rows), each a single-threaded OpenBLAS call on one of our threads.
    /// OpenBLAS's own threads would spin on sched_yield for ~0.1 s after every call,
    /// taking CPU from the attention and elementwise kernels that run on both cores between
    /// GEMMs (measured: attention 1.6 s -> 1.0 s on scenario (a)). A given thread count
    /// always cuts the same slices, so results are reproducible; across thread counts they
    /// agree to f32 rounding (some kernel sets sum an element's k terms in another order at
    /// another position of a panel).
    static func sgemm(
        splitInto parts: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        #if !canImport(Accelerate)
        if parts > 1 && Double(m) * Double(n) * Double(k) >= splitMinimumMACs {
            let byColumns = n >= m
            let total = byColumns ? n : m
            let step = (total + parts - 1) / parts
            let slice = (step + 63) / 64 * 64  // whole 64-wide panels per worker
            let count = (total + slice - 1) / slice
            if count > 1 {
                // Addresses cross into the workers as integers (each writes its own slice of C).
                let (ai, bi, ci) = (Int(bitPattern: a), Int(bitPattern: b), Int(bitPattern: c))
                DispatchQueue.concurrentPerform(iterations: count) { w in
                    guard let a = UnsafePointer<Float>(bitPattern: ai), let b = UnsafePointer<Float>(bitPattern: bi),
                          let c = UnsafeMutablePointer<Float>(bitPattern: ci) else { return }
                    let lo = w * slice, cnt = Swift.min(slice, total - lo)
                    if byColumns {
                        let bp = transB ? b + lo * ldb : b + lo
                        call(transA, transB, m, cnt, k, alpha, a, lda, bp, ldb, beta, c + lo, ldc)
                    } else {
                        let ap = transA ? a + lo : a + lo * lda
                        call(transA, transB, cnt, n, k, alpha, ap, lda, b, ldb, beta, c + lo * ldc, ldc)
                    }
                }
                return
            }
        }
        #endif
        call(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    /// Products smaller than this (multiply-adds) run as one call: not worth two threads.
    static let splitMinimumMACs = Double(1 << 24)

    private static func call(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        if selfCheck.passed {
            library(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        } else {
            synpref_sgemm_fallback(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
    }

    /// The BLAS library's sgemm, unchecked.
    static func library(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        #if canImport(Accelerate)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
        scipy_cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                          blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c,
                          blasint(ldc))
        #endif
    }

    /// The start-up check of the BLAS library (run once, on first use, a few ms). When it
    /// fails, every product runs on `synpref_sgemm_fallback` instead, and the handler set
    /// with `onFallback` is told why.
    public static let selfCheck: BLASSelfCheck = {
        let result = BLASSelfCheck.run(library)
        if !result.passed {
            let lib = BLASLibrary.current
            let message = "the BLAS library (\(lib.name) \(lib.version), core \(lib.coreName)) failed its self-check "
                + "(\(result.failure ?? "")); using Synpref's own slower GEMM instead. "
                + "If OPENBLAS_CORETYPE is set, a different value may work."
            fallbackHandler.withLock { $0 }?(message)
        }
        return result
    }()

    /// Sets who hears, once, that the BLAS library failed its self-check (the CLI prints
    /// it; a server logs it). Set it before the first product.
    public static func onFallback(_ handler: @escaping @Sendable (String) -> Void) {
        fallbackHandler.withLock { $0 = handler }
    }

    private static let fallbackHandler = Mutex<(@Sendable (String) -> Void)?>(nil)

    /// Sets the BLAS library's thread count (process-wide in OpenBLAS); a no-op when it
    /// already has that value, so models opened with the same count never touch it.
    public static func setThreads(_ n: Int) {
        #if !canImport(Accelerate)
        if currentThreads.exchange(n, ordering: .relaxed) != n {
            // OpenBLAS itself stays single-threaded; `sgemm` splits large products.
            scipy_openblas_set_num_threads(1)
            splitWorkers.store(Swift.max(1, n), ordering: .relaxed)
        }
        #endif
    }

    private static let currentThreads = Atomic<Int>(0)
    private static let splitWorkers = Atomic<Int>(1)
}
