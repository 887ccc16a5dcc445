import SynprefTensor

/// torch.nn.utils.clip_grad_norm_: the global 2-norm over every gradient; when it exceeds
/// `maxNorm` all gradients are scaled by maxNorm / (norm + 1e-6).
public enum GradientClipping {
    /// The global norm (before clipping). `maxNorm` ≤ 0 measures without clipping.
    @discardableResult
    public static func clip(_ parameters: [Parameter], maxNorm: Double) -> Double {
        var sum = 0.0
        for p in parameters { if let g = p.grad { sum += GradientMath.sumSquares(g) } }
        let norm = sum.squareRoot()
        guard maxNorm > 0 else { return norm }
        // f32 like torch: clip_coef = max_norm / (total_norm + 1e-6), clamped to 1.
        let coef = Float(maxNorm) / (Float(norm) + 1e-6)
        if coef < 1 {
            for p in parameters { if let g = p.grad { GradientMath.scale(g, by: coef) } }
        }
        return norm
    }
}
