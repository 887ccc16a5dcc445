import CSynprefKernels

/// Element-wise forward kernels over f32 tensors, spread across the worker threads.
public enum Activation {
    /// out[rows, n] = silu(gate) * up  (SwiGLU MLP); out may alias gate.
    public static func siluMul(gate: Tensor, up: Tensor, into out: Tensor, ctx: ComputeContext) {
        let rows = gate.shape[0], n = gate.shape[1]
        precondition(up.shape == gate.shape && out.shape == gate.shape, "siluMul shapes")
        let g = UnsafePointer(gate.f32), u = UnsafePointer(up.f32), o = out.f32
        let lg = gate.rowStride, lu = up.rowStride, lo = out.rowStride
        ctx.parallelRanges(rows, minimumPerWorker: 4) { r in
            for i in r { synpref_silu_mul(o + i * lo, g + i * lg, u + i * lu, n) }
        }
    }

    /// x = gelu(x) (erf form), in place, x: [rows, n].
    public static func gelu(_ x: Tensor, ctx: ComputeContext) {
        rowwise(x, ctx: ctx) { p, n in synpref_gelu_erf(p, n) }
    }

    /// x = tanh(x), in place.
    public static func tanh(_ x: Tensor, ctx: ComputeContext) {
        rowwise(x, ctx: ctx) { p, n in synpref_tanh(p, n) }
    }

    /// Row-wise softmax, in place.
    public static func softmaxRows(_ x: Tensor, ctx: ComputeContext) {
        rowwise(x, ctx: ctx) { p, n in synpref_softmax_rows(p, n, 1, n) }
    }

    /// y += x (residual), both [rows, n].
    public static func addInPlace(_ y: Tensor, _ x: Tensor, ctx: ComputeContext) {
        precondition(y.shape == x.shape, "add shapes \(y.shape) \(x.shape)")
        let rows = y.shape[0], n = y.count / Swift.max(rows, 1)
        let yp = y.f32, xp = UnsafePointer(x.f32), ly = y.rowStride, lx = x.rowStride
        ctx.parallelRanges(rows, minimumPerWorker: 16) { r in
            for i in r { synpref_add_inplace(yp + i * ly, xp + i * lx, n) }
        }
    }

    private static func rowwise(_ x: Tensor, ctx: ComputeContext, _ f: (UnsafeMutablePointer<Float>, Int) -> Void) {
        let rows = x.rank == 1 ? 1 : x.shape[0]
        let n = x.rank == 1 ? x.count : x.shape[1]
        let p = x.f32, ld = x.rank == 1 ? n : x.rowStride
        ctx.parallelRanges(rows, minimumPerWorker: 4) { r in
            for i in r { f(p + i * ld, n) }
        }
    }
}
