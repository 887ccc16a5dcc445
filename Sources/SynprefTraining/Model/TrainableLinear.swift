import SynprefTensor

/// A LoRA adapter on a linear layer, as PEFT's `lora.Linear`: y += s · (x Aᵀ) Bᵀ with
/// A [r, in] (Kaiming-uniform init), B [out, r] (zeros), s = alpha / r. Merged into the
/// base weight on save (W + s · B A).
public struct LoRAAdapter: Sendable {
    public let a: Parameter
    public let b: Parameter
    public let scale: Float
    public var rank: Int { a.shape[0] }
}

/// A linear layer over trainable parameters. The forward is the engine's `Linear.forward`
/// (same GEMM, same bias kernel) plus the LoRA term when an adapter is attached.
struct TrainableLinear: Sendable {
    let weight: Parameter
    let bias: Parameter?
    var lora: LoRAAdapter?

    var outFeatures: Int { weight.shape[0] }
    var inFeatures: Int { weight.shape[1] }

    /// y[M, out] (+)= x Wᵀ + b (+ s (x Aᵀ) Bᵀ). `loraHidden` [M, r] receives x Aᵀ for the
    /// backward (required when an adapter is attached).
    func forward(_ x: Tensor, into y: Tensor, accumulate: Bool = false, loraHidden: Tensor? = nil, ctx: ComputeContext) {
        Linear(weight: weight.value, bias: bias?.value).forward(x, into: y, accumulate: accumulate, ctx: ctx)
        guard let lora else { return }
        guard let t = loraHidden else { preconditionFailure("LoRA forward needs a buffer for x Aᵀ") }
        let m = x.shape[0], r = lora.rank
        // t[M, r] = x Aᵀ;  y += s · t Bᵀ
        BLAS.sgemm(transB: true, m: m, n: r, k: inFeatures, a: UnsafePointer(x.f32), lda: x.rowStride,
                   b: UnsafePointer(lora.a.value.f32), ldb: inFeatures, beta: 0, c: t.f32, ldc: t.rowStride)
        BLAS.sgemm(transB: true, m: m, n: outFeatures, k: r, alpha: lora.scale, a: UnsafePointer(t.f32), lda: t.rowStride,
                   b: UnsafePointer(lora.b.value.f32), ldb: r, beta: 1, c: y.f32, ldc: y.rowStride)
    }

    /// Given dy [M, out]: dx (+)= dy W (+ LoRA path); parameter gradients accumulate into
    /// the trainable ones. `scratch` provides an [M, r] buffer for the LoRA path.
    func backward(dy: Tensor, x: Tensor, dx: Tensor?, accumulateInput: Bool = false, loraHidden: Tensor? = nil,
                  scratch: Arena, ctx: ComputeContext) {
        LinearBackward.backward(dy: dy, x: x, weight: weight.value, dx: dx, accumulateInput: accumulateInput,
                                dWeight: weight.grad, dBias: bias?.grad, ctx: ctx)
        guard let lora else { return }
        guard let t = loraHidden else { preconditionFailure("LoRA backward needs x Aᵀ from the forward") }
        let m = x.shape[0], r = lora.rank, s = lora.scale
        let dyp = UnsafePointer(dy.f32), ldy = dy.rowStride
        if let dB = lora.b.grad {
            // dB[out, r] += s · dyᵀ t
            BLAS.sgemm(transA: true, transB: false, m: outFeatures, n: r, k: m, alpha: s, a: dyp, lda: ldy,
                       b: UnsafePointer(t.f32), ldb: t.rowStride, beta: 1, c: dB.f32, ldc: r)
        }
        // dt[M, r] = s · dy B
        let dt = scratch.tensor([m, r])
        BLAS.sgemm(transB: false, m: m, n: r, k: outFeatures, alpha: s, a: dyp, lda: ldy,
                   b: UnsafePointer(lora.b.value.f32), ldb: r, beta: 0, c: dt.f32, ldc: r)
        if let dA = lora.a.grad {
            // dA[r, in] += dtᵀ x
            BLAS.sgemm(transA: true, transB: false, m: r, n: inFeatures, k: m, a: UnsafePointer(dt.f32), lda: r,
                       b: UnsafePointer(x.f32), ldb: x.rowStride, beta: 1, c: dA.f32, ldc: inFeatures)
        }
        if let dx {
            // dx[M, in] += dt A   (the base path above already wrote or accumulated dx)
            BLAS.sgemm(transB: false, m: m, n: inFeatures, k: r, a: UnsafePointer(dt.f32), lda: r,
                       b: UnsafePointer(lora.a.value.f32), ldb: inFeatures, beta: 1, c: dx.f32, ldc: dx.rowStride)
        }
    }
}
