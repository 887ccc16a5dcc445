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
        withUnsafeTemporaryAllocation(of: Linear.self, capacity: 1) { parts in
            parts.initialize(repeating: self)
            defer { parts.deinitialize() }
            Linear.forward(parts: UnsafeBufferPointer(parts), outFeatures: outFeatures, x, into: y, accumulate: accumulate, ctx: ctx)
        }
    }

    /// Whether sgemm can read this weight in place (f32, Float-aligned).
    var isDirectF32: Bool { weight.dtype == .float32 && Int(bitPattern: weight.rawPointer) % 4 == 0 }

    /// y[M, Σ out] = x · [W₀; W₁; …]ᵀ (+ biases): the parts' outputs side by side. Widened
    /// tiles may span parts, so one sgemm covers several of them.
    static func forward(parts: UnsafeBufferPointer<Linear>, outFeatures n: Int, _ x: Tensor, into y: Tensor,
                        accumulate: Bool, ctx: ComputeContext) {
        let m = x.shape[0], k = parts[0].inFeatures
        precondition(x.shape[1] == k && y.shape[0] == m && y.shape[1] == n,
                     "Linear: x \(x.shape), W [\(n), \(k)], y \(y.shape)")
        if m == 0 { return }
        let xp = UnsafePointer(x.f32), yp = y.f32
        let lda = x.rowStride, ldc = y.rowStride
        // Biases go into y before the product, which then accumulates (beta 1), as
        // PyTorch's addmm does: one pass over y instead of the BLAS zeroing it and a
        // second pass adding the bias.
        let biased = parts.contains { $0.bias != nil }
        if biased { Linear.prepareBiases(parts, y: yp, ldc: ldc, rows: m, accumulate: accumulate, ctx: ctx) }
        let beta: Float = accumulate || biased ? 1 : 0
        let profiling = ctx.profile != nil
        let t0 = profiling ? Profile.now() : 0
        var widen = 0.0
        if parts.allSatisfy(\.isDirectF32) {
            var n0 = 0
            for p in parts {
                BLAS.sgemm(transB: true, m: m, n: p.outFeatures, k: k, a: xp, lda: lda,
                           b: UnsafePointer(p.weight.f32), ldb: k, beta: beta, c: yp + n0, ldc: ldc)
                n0 += p.outFeatures
            }
        } else {
            // Balanced tiles of at most widenTileFloats, rows a multiple of 16 when possible.
            let maxRows = Swift.max(1, Swift.min(n, ctx.widenTileFloats / Swift.max(k, 1)))
            let tiles = (n + maxRows - 1) / maxRows
            var tileRows = (n + tiles - 1) / tiles
            if (tileRows + 15) / 16 * 16 <= maxRows { tileRows = (tileRows + 15) / 16 * 16 }
            let buffer = ctx.scratch(0, floats: tileRows * k)
            var n0 = 0
            while n0 < n {
                let rows = Swift.min(tileRows, n - n0)
                let w0 = profiling ? Profile.now() : 0
                let first = n0
                ctx.parallelRanges(rows * k, minimumPerWorker: 1 << 16) { r in
                    widenRows(parts, from: first * k + r.lowerBound, count: r.count, into: buffer + r.lowerBound)
                }
                if profiling { widen += Profile.now() - w0 }
                BLAS.sgemm(transB: true, m: m, n: rows, k: k, a: xp, lda: lda,
                           b: UnsafePointer(buffer), ldb: k, beta: beta, c: yp + n0, ldc: ldc)
                n0 += rows
            }
        }
        if profiling {
            ctx.profile?.gemmSeconds += Profile.now() - t0 - widen
            ctx.profile?.widenSeconds += widen
            ctx.profile?.gemmFlops += 2 * Double(m) * Double(n) * Double(k)
        }
    }

    /// Before an accumulating product: y's columns of each part = its bias (or += its bias
    /// when `accumulate`); columns of parts without a bias are zeroed (kept when
    /// accumulating).
    private static func prepareBiases(_ parts: UnsafeBufferPointer<Linear>, y: UnsafeMutablePointer<Float>, ldc: Int,
                                      rows m: Int, accumulate: Bool, ctx: ComputeContext) {
        ctx.parallelRanges(m, minimumPerWorker: 64) { r in
            var n0 = 0
            for p in parts {
                let out = y + r.lowerBound * ldc + n0, cols = p.outFeatures
                if let bias = p.bias {
                    let b = UnsafePointer(bias.f32)
                    if accumulate {
                        synpref_add_bias(out, ldc, b, r.count, cols)
                    } else {
                        for i in 0..<r.count { (out + i * ldc).update(from: b, count: cols) }
                    }
                } else if !accumulate {
                    for i in 0..<r.count { (out + i * ldc).update(repeating: 0, count: cols) }
                }
                n0 += cols
            }
        }
    }

    /// Widens `count` elements of the parts' concatenated weights, starting at element
    /// `start` of the concatenation, into `dst`.
    private static func widenRows(_ parts: UnsafeBufferPointer<Linear>, from start: Int, count: Int,
                                  into dst: UnsafeMutablePointer<Float>) {
        var partStart = 0, done = 0
        for p in parts {
            let size = p.weight.count, lo = start + done
            if lo < partStart + size && done < count {
                let take = Swift.min(count - done, partStart + size - lo)
                let esize = p.weight.dtype.byteSize
                Convert.widen(p.weight.rawPointer + (lo - partStart) * esize, dtype: p.weight.dtype, into: dst + done, count: take)
                done += take
            }
            partStart += size
        }
    }
}
