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
        guard m > 0, n > 0 else { return }
        #if canImport(Accelerate)
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        #else
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        #endif
    }

    /// Sets the BLAS library's thread count (process-wide in OpenBLAS); a no-op when it
    /// already has that value, so models opened with the same count never touch it.
    public static func setThreads(_ n: Int) {
        #if !canImport(Accelerate)
        if currentThreads.exchange(n, ordering: .relaxed) != n {
            openblas_set_num_threads(Int32(n))
        }
        #endif
    }

    private static let currentThreads = Atomic<Int>(0)
}
