import CSynprefKernels
import SynprefTensor

/// Gradients of `RMSNorm.forward` and `LayerNorm.forward`.
public enum NormBackward {
    /// dx[rows, dim] += rmsnorm'(x)ᵀ dy;  dWeight[dim] += Σ_rows dy · x · r (if given).
    /// `x` may be a per-head view [rows*heads, headDim] (Qwen3 q/k norms).
    public static func rmsNorm(
        dy: Tensor, x: Tensor, weight: Tensor, eps: Float, dx: Tensor, dWeight: Tensor?, ctx: ComputeContext
    ) {
        let rows = x.shape[0], dim = weight.count
        precondition(x.shape[1] == dim && dy.shape == x.shape && dx.shape == x.shape, "rmsNorm backward shapes")
        let xp = UnsafePointer(x.f32), dyp = UnsafePointer(dy.f32), dxp = dx.f32, w = UnsafePointer(weight.f32)
        let ldx = x.rowStride, ldy = dy.rowStride, ldd = dx.rowStride
        perWorkerRows(rows, dim: dim, into: dWeight, ctx: ctx) { r, dw in
            synpref_rmsnorm_backward(dxp + r.lowerBound * ldd, ldd, dw, dyp + r.lowerBound * ldy, ldy,
                                     xp + r.lowerBound * ldx, ldx, w, r.count, dim, eps)
        }
    }

    /// dx += layernorm'(x)ᵀ dy;  dWeight += Σ dy · x̂;  dBias += Σ dy.
    public static func layerNorm(
        dy: Tensor, x: Tensor, weight: Tensor, eps: Float, dx: Tensor, dWeight: Tensor?, dBias: Tensor?,
        ctx: ComputeContext
    ) {
        let rows = x.shape[0], dim = weight.count
        precondition(x.shape[1] == dim && dy.shape == x.shape && dx.shape == x.shape, "layerNorm backward shapes")
        let xp = UnsafePointer(x.f32), dyp = UnsafePointer(dy.f32), dxp = dx.f32, w = UnsafePointer(weight.f32)
        let ldx = x.rowStride, ldy = dy.rowStride, ldd = dx.rowStride
        perWorkerRows(rows, dim: dim, into: dWeight, ctx: ctx) { r, dw in
            // The bias gradient gets its own per-worker pass below to keep one buffer each.
            synpref_layernorm_backward(dxp + r.lowerBound * ldd, ldd, dw, nil, dyp + r.lowerBound * ldy, ldy,
                                       xp + r.lowerBound * ldx, ldx, w, r.count, dim, eps)
        }
        if let dBias {
            let db = dBias.f32
            ctx.parallelRanges(dim, minimumPerWorker: 64) { c in
                synpref_colsum_accumulate(db + c.lowerBound, dyp + c.lowerBound, ldy, rows, c.count)
            }
        }
    }

    /// Splits rows into one chunk per worker; each chunk accumulates its parameter gradient
    /// into a private zeroed buffer, and the buffers are summed into `into` at the end.
    static func perWorkerRows(
        _ rows: Int, dim: Int, into: Tensor?, ctx: ComputeContext,
        _ body: (Range<Int>, UnsafeMutablePointer<Float>?) -> Void
    ) {
        let chunks = Swift.max(1, Swift.min(ctx.threads, rows / 8))
        guard let into else {
            ctx.parallelFor(chunks) { c, _ in body(rows * c / chunks..<rows * (c + 1) / chunks, nil) }
            return
        }
        precondition(into.count == dim && into.isContiguous, "parameter gradient \(into.shape) for dim \(dim)")
        if chunks == 1 {
            body(0..<rows, into.f32)
            return
        }
        let partial = Tensor(zeros: [chunks, dim])
        let pp = partial.f32
        ctx.parallelFor(chunks) { c, _ in body(rows * c / chunks..<rows * (c + 1) / chunks, pp + c * dim) }
        let out = into.f32
        for c in 0..<chunks { synpref_add_inplace(out, pp + c * dim, dim) }
    }
}
