/// Element types weights may be stored in. Compute is always f32; bf16 and f16 weights
/// stay in their checkpoint dtype in memory and are widened inside kernels.
public enum DType: String, Sendable, Hashable, CaseIterable {
    case float32 = "F32"
    case bfloat16 = "BF16"
    case float16 = "F16"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: return 4
        case .bfloat16, .float16: return 2
        }
    }
}
