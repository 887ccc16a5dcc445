/// Several linear layers over the same input run as one, their outputs side by side:
/// y[M, Σ outᵢ] = x · [W₀; W₁; …]ᵀ + [b₀; b₁; …] (a decoder's q, k, v projections; the
/// MLP's gate and up). The weights stay separate, memory-mapped tensors; bf16/f16 tiles
/// are widened across part boundaries into one buffer, so fewer and larger sgemm calls
/// run (one per tile instead of several per part).
public struct FusedLinear: Sendable {
    public let parts: [Linear]
    public let inFeatures: Int
    public let outFeatures: Int

    public init(_ parts: [Linear]) {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.inFeatures == parts[0].inFeatures },
                     "FusedLinear parts must share their input size")
        self.parts = parts
        self.inFeatures = parts[0].inFeatures
        self.outFeatures = parts.reduce(0) { $0 + $1.outFeatures }
    }

    /// Columns of the output that part `i` fills.
    public func columns(of i: Int) -> Range<Int> {
        let lo = parts[..<i].reduce(0) { $0 + $1.outFeatures }
        return lo..<(lo + parts[i].outFeatures)
    }

    /// y[M, outFeatures] = x · Wᵀ + b (or y += … when `accumulate`); same rules as `Linear`.
    public func forward(_ x: Tensor, into y: Tensor, accumulate: Bool = false, ctx: ComputeContext) {
        parts.withUnsafeBufferPointer { p in
            Linear.forward(parts: p, outFeatures: outFeatures, x, into: y, accumulate: accumulate, ctx: ctx)
        }
    }
}
