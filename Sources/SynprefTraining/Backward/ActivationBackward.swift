import CSynprefKernels
import SynprefTensor

/// Gradients of the element-wise forward kernels in `Activation`.
public enum ActivationBackward {
    /// out = silu(gate) · up  ⇒  WRITES dGate, dUp (each may alias gate / up).
    public static func siluMul(dOut: Tensor, gate: Tensor, up: Tensor, dGate: Tensor, dUp: Tensor, ctx: ComputeContext) {
        let rows = gate.shape[0], n = gate.shape[1]
        precondition(up.shape == gate.shape && dOut.shape == gate.shape && dGate.shape == gate.shape && dUp.shape == gate.shape, "siluMul backward shapes")
        let dop = UnsafePointer(dOut.f32), g = UnsafePointer(gate.f32), u = UnsafePointer(up.f32)
        let dg = dGate.f32, du = dUp.f32
        let lo = dOut.rowStride, lg = gate.rowStride, lu = up.rowStride, ldg = dGate.rowStride, ldu = dUp.rowStride
        ctx.parallelRanges(rows, minimumPerWorker: 4) { r in
            for i in r { synpref_silu_mul_backward(dg + i * ldg, du + i * ldu, dop + i * lo, g + i * lg, u + i * lu, n) }
        }
    }

    /// y = gelu(x)  ⇒  WRITES dx = dy · gelu'(x) (dx may alias dy). x: the gelu INPUT.
    public static func gelu(dy: Tensor, x: Tensor, dx: Tensor, ctx: ComputeContext) {
        binary(dy, x, dx, ctx: ctx) { d, a, b, n in synpref_gelu_erf_backward(d, a, b, n) }
    }

    /// The same given the forward's output too (`y = gelu(x)`): Φ(x) = y / x, vectorised,
    /// no erf. WRITES dx (may alias dy).
    public static func gelu(dy: Tensor, x: Tensor, y: Tensor, dx: Tensor, ctx: ComputeContext) {
        precondition(dy.shape == x.shape && y.shape == x.shape && dx.shape == x.shape, "gelu backward shapes")
        let rows = x.rank == 1 ? 1 : x.shape[0], n = x.rank == 1 ? x.count : x.shape[1]
        let ld = { (t: Tensor) in t.rank == 1 ? n : t.rowStride }
        let dyp = UnsafePointer(dy.f32), xp = UnsafePointer(x.f32), yp = UnsafePointer(y.f32), dxp = dx.f32
        let ldy = ld(dy), ldx = ld(x), ldyo = ld(y), ldd = ld(dx)
        ctx.parallelRanges(rows, minimumPerWorker: 4) { r in
            for i in r { synpref_gelu_erf_backward_from_output(dxp + i * ldd, dyp + i * ldy, xp + i * ldx, yp + i * ldyo, n) }
        }
    }

    /// y = tanh(x)  ⇒  WRITES dx = dy · (1 − y²) (dx may alias dy). y: the tanh OUTPUT.
    public static func tanh(dy: Tensor, y: Tensor, dx: Tensor, ctx: ComputeContext) {
        binary(dy, y, dx, ctx: ctx) { d, a, b, n in synpref_tanh_backward(d, a, b, n) }
    }

    private static func binary(
        _ dy: Tensor, _ saved: Tensor, _ dx: Tensor, ctx: ComputeContext,
        _ f: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int) -> Void
    ) {
        precondition(dy.shape == saved.shape && dx.shape == saved.shape, "activation backward shapes")
        let rows = saved.rank == 1 ? 1 : saved.shape[0]
        let n = saved.rank == 1 ? saved.count : saved.shape[1]
        let ld = { (t: Tensor) in t.rank == 1 ? n : t.rowStride }
        let dyp = UnsafePointer(dy.f32), sp = UnsafePointer(saved.f32), dxp = dx.f32
        let ldy = ld(dy), lds = ld(saved), ldx = ld(dx)
        ctx.parallelRanges(rows, minimumPerWorker: 4) { r in
            for i in r { f(dxp + i * ldx, dyp + i * ldy, sp + i * lds, n) }
        }
    }
}
