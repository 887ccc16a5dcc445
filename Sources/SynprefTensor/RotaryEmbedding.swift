import CSynprefKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embedding (rotate_half layout), default or Llama 3 frequency scaling.
/// The inverse frequencies and angles are computed in f32 exactly the way transformers
/// does, because at long positions the f32 rounding of `position * inv_freq` shows.
public struct RotaryEmbedding: Sendable {
    public let headDim: Int
    /// [headDim / 2].
    public let invFreq: [Float]

    /// Llama 3 scaling parameters (transformers' `_compute_llama3_parameters`).
    public struct Llama3: Sendable, Hashable {
        public var factor: Float, lowFreqFactor: Float, highFreqFactor: Float
        public var originalMaxPositionEmbeddings: Int
        public init(factor: Float, lowFreqFactor: Float, highFreqFactor: Float, originalMaxPositionEmbeddings: Int) {
            self.factor = factor
            self.lowFreqFactor = lowFreqFactor
            self.highFreqFactor = highFreqFactor
            self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
        }
    }

    public init(headDim: Int, theta: Double, llama3: Llama3? = nil) {
        self.headDim = headDim
        let half = headDim / 2
        // inv_freq = 1 / (base ** (arange(0, dim, 2).float() / dim)), all f32.
        var inv = (0..<half).map { i -> Float in
            let e = Float(2 * i) / Float(headDim)
            let p = Float(pow(Double(Float(theta)), Double(e)))
            return 1.0 / p
        }
        if let s = llama3 {
            let old = Float(s.originalMaxPositionEmbeddings)
            let lowWavelen = old / s.lowFreqFactor
            let highWavelen = old / s.highFreqFactor
            let twoPi = Float(2 * Double.pi)
            inv = inv.map { f in
                let wavelen = twoPi / f
                var scaled = wavelen > lowWavelen ? f / s.factor : f
                let smooth = (old / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor)
                let smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled
                let medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen)
                if medium { scaled = smoothed }
                return scaled
            }
        }
        self.invFreq = inv
    }

    /// cos, sin tables [positions.count, headDim/2] for the given positions.
    public func tables(positions: [Int]) -> (cos: Tensor, sin: Tensor) {
        let half = headDim / 2
        let c = Tensor(uninitialized: [positions.count, half])
        let s = Tensor(uninitialized: [positions.count, half])
        let cp = c.f32, sp = s.f32
        for (r, pos) in positions.enumerated() {
            let fp = Float(pos)
            for i in 0..<half {
                let angle = Double(fp * invFreq[i]) // f32 product, as torch
                cp[r * half + i] = Float(cosine(angle))
                sp[r * half + i] = Float(sine(angle))
            }
        }
        return (c, s)
    }

    /// Rotates x[N, heads*headDim] in place with tables for its N rows.
    public func apply(_ x: Tensor, heads: Int, cos: Tensor, sin: Tensor, ctx: ComputeContext) {
        precondition(x.shape[1] == heads * headDim && cos.shape[0] == x.shape[0], "RoPE shapes")
        let xp = x.f32, ld = x.rowStride, hd = headDim, half = headDim / 2
        let cp = UnsafePointer(cos.f32), sp = UnsafePointer(sin.f32)
        ctx.parallelRanges(x.shape[0], minimumPerWorker: 16) { r in
            synpref_rope(xp + r.lowerBound * ld, ld, r.count, heads, hd, cp + r.lowerBound * half, sp + r.lowerBound * half)
        }
    }
}

extension RotaryEmbedding {
    /// Qwen3's per-head RMSNorm (q_norm / k_norm over each head's `headDim`) followed by the
    /// rotation, in one pass over x[N, heads*headDim] (row stride may exceed the width, e.g.
    /// a column view of a fused q/k/v buffer). Same arithmetic as `RMSNorm.forward` on
    /// the [N*heads, headDim] view and then `apply`.
    public func apply(_ x: Tensor, heads: Int, headNorm: RMSNorm, cos: Tensor, sin: Tensor, ctx: ComputeContext) {
        precondition(x.shape[1] == heads * headDim && cos.shape[0] == x.shape[0] && headNorm.weight.count == headDim,
                     "RoPE shapes")
        let xp = x.f32, ld = x.rowStride, hd = headDim, half = headDim / 2
        let cp = UnsafePointer(cos.f32), sp = UnsafePointer(sin.f32)
        let w = UnsafePointer(headNorm.weight.f32), eps = headNorm.eps
        ctx.parallelRanges(x.shape[0], minimumPerWorker: 16) { r in
            var r0 = r.lowerBound
            while r0 < r.upperBound { // blocks of rows stay in L1 between the two kernels
                let r1 = Swift.min(r.upperBound, r0 + 16)
                for i in r0..<r1 { synpref_rmsnorm(xp + i * ld, hd, xp + i * ld, hd, w, heads, hd, eps) }
                synpref_rope(xp + r0 * ld, ld, r1 - r0, heads, hd, cp + r0 * half, sp + r0 * half)
                r0 = r1
            }
        }
    }
}

@inline(__always) private func cosine(_ x: Double) -> Double { cos(x) }
@inline(__always) private func sine(_ x: Double) -> Double { sin(x) }
