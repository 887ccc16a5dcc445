import CSynprefKernels

/// Widening of stored weights to f32 (exact).
public enum Convert {
    /// dst[count] = widen(src[count] as `dtype`).
    public static func widen(_ src: UnsafeRawPointer, dtype: DType, into dst: UnsafeMutablePointer<Float>, count: Int) {
        switch dtype {
        case .float32:
            // Checkpoint bytes may be unaligned for Float: copy bytes, not floats.
            UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .bfloat16:
            synpref_bf16_to_f32(src.assumingMemoryBound(to: UInt16.self), dst, count)
        case .float16:
            synpref_f16_to_f32(src.assumingMemoryBound(to: UInt16.self), dst, count)
        }
    }

    /// An f32 copy of any tensor (small weights: norms, biases).
    public static func toF32(_ t: Tensor) -> Tensor {
        Tensor(t.toArray(), shape: t.shape)
    }
}
