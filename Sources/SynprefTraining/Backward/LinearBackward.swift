import CSynprefKernels
import SynprefTensor

/// Gradients of `Linear.forward` (y[M, out] = x[M, in] · Wᵀ + b), through BLAS.
public enum LinearBackward {
    /// dx[M, in] = dy · W (or += when `accumulateInput`); dW[out, in] += dyᵀ · x;
    /// db[out] += Σ_rows dy. Any of dx, dW, db may be nil (frozen or not needed).
    /// `weight` is the f32 master weight [out, in]; all tensors have unit column stride.
    public static func backward(
        dy: Tensor, x: Tensor, weight: Tensor, dx: Tensor?, accumulateInput: Bool = false,
        dWeight: Tensor?, dBias: Tensor?, ctx: ComputeContext
    ) {
        let m = dy.shape[0], n = weight.shape[0], k = weight.shape[1]
        precondition(dy.shape[1] == n && x.shape == [m, k], "LinearBackward: dy \(dy.shape), x \(x.shape), W \(weight.shape)")
        if m == 0 { return }
        let dyp = UnsafePointer(dy.f32), ldy = dy.rowStride
        if let dx {
            precondition(dx.shape == [m, k], "LinearBackward: dx \(dx.shape)")
            // dx[M, in] = dy[M, out] · W[out, in]
            BLAS.sgemm(transB: false, m: m, n: k, k: n, a: dyp, lda: ldy, b: UnsafePointer(weight.f32), ldb: k,
                       beta: accumulateInput ? 1 : 0, c: dx.f32, ldc: dx.rowStride)
        }
        if let dWeight {
            precondition(dWeight.shape == [n, k] && dWeight.isContiguous, "LinearBackward: dW \(dWeight.shape)")
            // dW[out, in] += dyᵀ[out, M] · x[M, in]
            BLAS.sgemm(transA: true, transB: false, m: n, n: k, k: m, a: dyp, lda: ldy,
                       b: UnsafePointer(x.f32), ldb: x.rowStride, beta: 1, c: dWeight.f32, ldc: k)
        }
        if let dBias {
            precondition(dBias.count == n, "LinearBackward: db \(dBias.shape)")
            let db = dBias.f32
            ctx.parallelRanges(n, minimumPerWorker: 64) { r in
                synpref_colsum_accumulate(db + r.lowerBound, dyp + r.lowerBound, ldy, m, r.count)
            }
        }
    }
}
