import SynprefTensor

/// Named access to a checkpoint's tensors under a prefix, candle style:
/// `weights.pp("model").pp("layers.0").matrix("self_attn.q_proj.weight", [out, in])`.
/// Large matrices stay in their stored dtype (borrowed, memory-mapped); vectors (norms,
/// biases) are widened to f32 once, at load.
public struct Weights: Sendable {
    public let source: any TensorSource
    public let prefix: String

    public init(_ source: any TensorSource, prefix: String = "") {
        self.source = source
        self.prefix = prefix
    }

    /// The weights under `prefix.name`.
    public func pp(_ name: String) -> Weights {
        Weights(source, prefix: prefix.isEmpty ? name : "\(prefix).\(name)")
    }

    public func fullName(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }

    public func contains(_ name: String) -> Bool { source.tensorNames.contains(fullName(name)) }

    /// The tensor `name` with the expected `shape`, in its stored dtype (read-only view).
    public func stored(_ name: String, shape: [Int]) throws -> Tensor {
        let full = fullName(name)
        let t = try source.tensor(full)
        guard t.shape == shape else { throw ModelError.wrongShape(tensor: full, expected: shape, found: t.shape) }
        return Tensor(borrowing: t.bytes, dtype: t.dtype, shape: t.shape, owner: t.owner)
    }

    /// The tensor `name` widened to an f32 copy (small tensors: norms, biases, heads).
    public func f32(_ name: String, shape: [Int]) throws -> Tensor {
        Convert.toF32(try stored(name, shape: shape))
    }

    /// A linear layer `name.weight` [out, in] (+ `name.bias` [out] when `bias`).
    public func linear(_ name: String, out: Int, in inFeatures: Int, bias: Bool) throws -> Linear {
        let w = try stored("\(name).weight", shape: [out, inFeatures])
        let b = bias ? try f32("\(name).bias", shape: [out]) : nil
        return Linear(weight: w, bias: b)
    }
}
