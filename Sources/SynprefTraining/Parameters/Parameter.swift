import SynprefTensor

/// One trainable tensor: its f32 master value, its gradient buffer, and what the optimizer
/// and the checkpoint writer need to know about it.
///
/// `@unchecked Sendable`: a parameter is mutated only by the training step that owns the
/// model (one at a time); kernels write disjoint rows of `value` / `grad`.
public final class Parameter: @unchecked Sendable {
    /// What a tensor is, for weight decay: TRL and OpenRLHF decay everything except
    /// biases and normalisation weights.
    public enum Role: Sendable, Hashable {
        case weight, bias, norm, embedding
        public var decays: Bool { self == .weight || self == .embedding }
    }

    /// The Hugging Face name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// f32 master copy, contiguous.
    public let value: Tensor
    /// ∂loss/∂value, accumulated over the micro-batches of a step; nil when frozen.
    public private(set) var grad: Tensor?
    public let role: Role
    /// The dtype the tensor had in the checkpoint it was loaded from (saved back in it).
    public let storedDType: DType

    public init(name: String, value: Tensor, role: Role, storedDType: DType = .float32, trainable: Bool = true) {
        precondition(value.dtype == .float32 && value.isContiguous, "Parameter \(name) must be contiguous f32")
        self.name = name
        self.value = value
        self.role = role
        self.storedDType = storedDType
        self.grad = trainable ? Tensor(zeros: value.shape) : nil
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }
    public var isTrainable: Bool { grad != nil }

    /// Freezes (drops the gradient buffer) or unfreezes (allocates a zero one).
    public func setTrainable(_ on: Bool) {
        if on, grad == nil { grad = Tensor(zeros: value.shape) }
        if !on { grad = nil }
    }

    public func zeroGrad() {
        if let grad { grad.f32.update(repeating: 0, count: grad.count) }
    }
}
