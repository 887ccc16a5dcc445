import CSynprefKernels
import SynprefTensor

/// Gradient of `RotaryEmbedding.apply`: the inverse rotation, in place.
public enum RotaryBackward {
    /// dx[N, heads*headDim] ← Rᵀ dx with the same cos/sin tables as the forward.
    public static func apply(_ dx: Tensor, rope: RotaryEmbedding, heads: Int, cos: Tensor, sin: Tensor, ctx: ComputeContext) {
        let hd = rope.headDim, half = hd / 2
        precondition(dx.shape[1] == heads * hd && cos.shape[0] == dx.shape[0], "RoPE backward shapes")
        let xp = dx.f32, ld = dx.rowStride
        let cp = UnsafePointer(cos.f32), sp = UnsafePointer(sin.f32)
        ctx.parallelRanges(dx.shape[0], minimumPerWorker: 16) { r in
            synpref_rope_backward(xp + r.lowerBound * ld, ld, r.count, heads, hd, cp + r.lowerBound * half, sp + r.lowerBound * half)
        }
    }
}
