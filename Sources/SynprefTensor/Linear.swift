import CSynprefKernels

/// y = x Wᵀ + b with W stored [out, in] in its checkpoint dtype.
///
/// f32 weights go straight to sgemm. bf16/f16 weights are widened, a tile of rows at a
/// time, into a reusable f32 scratch buffer and multiplied tile by tile, so memory holds
/// only the stored weights plus one tile (`ComputeContext.widenTileFloats`).
public struct Linear: Sendable {
    /// [out, in], any dtype, contiguous.
    public let weight: Tensor
    /// [out], f32.
    public let bias: Tensor?

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2 && weight.isContiguous, "Linear weight must be a contiguous matrix")
        precondition(bias.map { $0.dtype == .float32 && $0.count == weight.shape[0] } ?? true, "Linear bias shape")
        self.weight = weight
        self.bias = bias
    }

    /// y[M, out] = x[M, in] · Wᵀ + b, or y += x · Wᵀ + b when `accumulate`.
    /// x and y are f32 matrices with unit column stride (row strides may exceed widths).
    public func forward(_ x: Tensor, into y: Tensor, accumulate: Bool = false, ctx: ComputeContext) {
        let m = x.shape[0], k = inFeatures, n = outFeatures
        precondition(x.shape[1] == k && y.shape[0] == m && y.shape[1] == n, "Linear: x \(x.shape), W \(weight.shape), y \(y.shape)")
        if m == 0 { return }
        let xp = UnsafePointer(x.f32), yp = y.f32
        let lda = x.rowStride, ldc = y.rowStride
        let beta: Float = accumulate ? 1 : 0
        let profiling = ctx.profile != nil
        var t0 = profiling ? Profile.now() : 0
        var widen = 0.0
        let aligned = Int(bitPattern: weight.rawPointer) % 4 == 0
        if weight.dtype == .float32 && aligned {
            BLAS.sgemm(transB: true, m: m, n: n, k: k, a: xp, lda: lda,
                       b: UnsafePointer(weight.f32), ldb: k, beta: beta, c: yp, ldc: ldc)
        } else {
            let tileRows = Swift.max(1, Swift.min(n, ctx.widenTileFloats / Swift.max(k, 1)))
            let buffer = ctx.scratch(0, floats: tileRows * k)
            let src = weight.rawPointer
            let esize = weight.dtype.byteSize
            var n0 = 0
            while n0 < n {
                let rows = Swift.min(tileRows, n - n0)
                let w0 = profiling ? Profile.now() : 0
                let dtype = weight.dtype
                ctx.parallelRanges(rows * k, minimumPerWorker: 1 << 16) { r in
                    Convert.widen(src + (n0 * k + r.lowerBound) * esize, dtype: dtype,
                                  into: buffer + r.lowerBound, count: r.count)
                }
                if profiling { widen += Profile.now() - w0 }
                BLAS.sgemm(transB: true, m: m, n: rows, k: k, a: xp, lda: lda,
                           b: UnsafePointer(buffer), ldb: k, beta: beta, c: yp + n0, ldc: ldc)
                n0 += rows
            }
        }
        if profiling {
            let t1 = Profile.now()
            ctx.profile?.gemmSeconds += t1 - t0 - widen
            ctx.profile?.widenSeconds += widen
            ctx.profile?.gemmFlops += 2 * Double(m) * Double(n) * Double(k)
            t0 = t1
        }
        if let bias {
            let b = UnsafePointer(bias.f32)
            ctx.parallelRanges(m, minimumPerWorker: 64) { r in
                synpref_add_bias(yp + r.lowerBound * ldc, ldc, b, r.count, n)
            }
        }
    }
}
