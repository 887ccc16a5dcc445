import SynprefModels
import SynprefTensor

/// A model's parameters in a fixed order (the order of transformers' weight manifest),
/// addressable by their Hugging Face names.
public struct ParameterSet: Sendable {
    public let all: [Parameter]
    private let index: [String: Int]

    public init(_ parameters: [Parameter]) {
        all = parameters
        var index: [String: Int] = [:]
        for (i, p) in parameters.enumerated() {
            precondition(index[p.name] == nil, "duplicate parameter \(p.name)")
            index[p.name] = i
        }
        self.index = index
    }

    public subscript(name: String) -> Parameter? { index[name].map { all[$0] } }

    /// The parameter `name`; a programming error when absent (names come from manifests).
    func require(_ name: String) -> Parameter {
        guard let p = self[name] else { preconditionFailure("no parameter \(name)") }
        return p
    }

    public var trainable: [Parameter] { all.filter(\.isTrainable) }
    public var trainableCount: Int { trainable.reduce(0) { $0 + $1.count } }
    public var totalCount: Int { all.reduce(0) { $0 + $1.count } }

    public func zeroGrads() { for p in all { p.zeroGrad() } }

    /// The master weights as a `TensorSource`, so the engine's inference code
    /// (`DecoderModel`, `BertEncoder`, `RewardModel`) runs on the current values without a
    /// copy: validation scores are computed by exactly the code that scores in production.
    public var tensorSource: any TensorSource { ParameterSource(parameters: self) }
}

/// Serves f32 views of the parameters (valid while the parameters live; the parameter
/// object is the view's owner).
struct ParameterSource: TensorSource {
    let parameters: ParameterSet

    var tensorNames: [String] { parameters.all.map(\.name) }

    func tensor(_ name: String) throws -> CheckpointTensor {
        guard let p = parameters[name] else {
            throw CheckpointError.tensorNotFound(file: "training parameters", tensor: name)
        }
        let bytes = UnsafeRawBufferPointer(start: p.value.rawPointer, count: p.count * 4)
        return CheckpointTensor(name: name, dtype: .float32, shape: p.shape, bytes: bytes, owner: p)
    }
}
