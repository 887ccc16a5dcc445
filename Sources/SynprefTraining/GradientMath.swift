import CSynprefKernels
import SynprefTensor

/// Reductions and scalings over parameter-gradient buffers (gradient clipping).
enum GradientMath {
    /// Σ x² in double.
    static func sumSquares(_ x: Tensor) -> Double {
        synpref_sum_squares(UnsafePointer(x.f32), x.count)
    }

    /// x *= s.
    static func scale(_ x: Tensor, by s: Float) {
        synpref_scale(x.f32, x.count, s)
    }
}
