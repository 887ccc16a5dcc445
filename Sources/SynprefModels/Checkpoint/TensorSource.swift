import SynprefTensor

/// One tensor of a checkpoint as stored: dtype, shape and the bytes (usually inside a
/// memory-mapped file). `owner` keeps the mapping alive while the view is in use.
public struct CheckpointTensor: @unchecked Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    public let bytes: UnsafeRawBufferPointer
    public let owner: AnyObject

    public init(name: String, dtype: DType, shape: [Int], bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
        self.owner = owner
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// Where architectures get their weights from: a safetensors file, a sharded checkpoint,
/// or (in tests) tensors built in memory.
public protocol TensorSource: Sendable {
    /// Names of every tensor with a supported dtype.
    var tensorNames: [String] { get }
    /// The tensor called `name`; throws a typed error naming the tensor when it is absent.
    func tensor(_ name: String) throws -> CheckpointTensor
}
