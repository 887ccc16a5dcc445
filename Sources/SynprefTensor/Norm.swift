import CSynprefKernels

/// RMSNorm (Llama, Qwen3): y = x / sqrt(mean(x²) + eps) * w, per row of `dim`.
public struct RMSNorm: Sendable {
    /// [dim], f32.
    public let weight: Tensor
    public let eps: Float

    public init(weight: Tensor, eps: Float) {
        precondition(weight.dtype == .float32, "RMSNorm weight must be f32 (widen at load)")
        self.weight = weight
        self.eps = eps
    }

    /// out[rows, dim] = rmsnorm(x[rows, dim]); `x` may be viewed as [rows*heads, head_dim]
    /// for per-head norms (Qwen3's q_norm/k_norm). out may alias x.
    public func forward(_ x: Tensor, into out: Tensor, ctx: ComputeContext) {
        let rows = x.shape[0], dim = weight.count
        precondition(x.shape[1] == dim && out.shape[0] == rows && out.shape[1] == dim, "RMSNorm: x \(x.shape), out \(out.shape)")
        let xp = UnsafePointer(x.f32), op = out.f32, w = UnsafePointer(weight.f32)
        let ldi = x.rowStride, ldo = out.rowStride, eps = eps
        ctx.parallelRanges(rows, minimumPerWorker: 16) { r in
            synpref_rmsnorm(op + r.lowerBound * ldo, ldo, xp + r.lowerBound * ldi, ldi, w, r.count, dim, eps)
        }
    }
}

/// LayerNorm (BERT): y = (x - mean) / sqrt(var + eps) * w + b, per row.
public struct LayerNorm: Sendable {
    public let weight: Tensor
    public let bias: Tensor
    public let eps: Float

    public init(weight: Tensor, bias: Tensor, eps: Float) {
        precondition(weight.dtype == .float32 && bias.dtype == .float32, "LayerNorm params must be f32")
        self.weight = weight
        self.bias = bias
        self.eps = eps
    }

    /// out[rows, dim] = layernorm(x[rows, dim]); may alias.
    public func forward(_ x: Tensor, into out: Tensor, ctx: ComputeContext) {
        let rows = x.shape[0], dim = weight.count
        precondition(x.shape[1] == dim && out.shape[0] == rows && out.shape[1] == dim, "LayerNorm: x \(x.shape), out \(out.shape)")
        let xp = UnsafePointer(x.f32), op = out.f32
        let w = UnsafePointer(weight.f32), b = UnsafePointer(bias.f32)
        let ldi = x.rowStride, ldo = out.rowStride, eps = eps
        ctx.parallelRanges(rows, minimumPerWorker: 16) { r in
            synpref_layernorm(op + r.lowerBound * ldo, ldo, xp + r.lowerBound * ldi, ldi, w, b, r.count, dim, eps)
        }
    }
}
