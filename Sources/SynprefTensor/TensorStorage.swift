#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes behind a `Tensor`: either an f32 buffer this object allocated (activations,
/// small weights widened at load) or a read-only view of checkpoint bytes in their stored
/// dtype (usually inside a memory-mapped file kept alive by `owner`).
///
/// `@unchecked Sendable`: the pointer never changes after init and the memory lives as long
/// as the object. Writes go through kernels whose callers give each thread disjoint rows,
/// and borrowed checkpoint bytes are never written.
public final class TensorStorage: @unchecked Sendable {
    public let dtype: DType
    public let byteCount: Int
    public let base: UnsafeMutableRawPointer
    /// False for borrowed checkpoint bytes.
    public let isWritable: Bool
    private let owner: AnyObject?
    private let owned: Bool

    /// A zero-filled f32 buffer of `count` elements, 64-byte aligned.
    public init(zeroedFloats count: Int) {
        let bytes = Swift.max(count, 1) * 4
        self.base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        self.base.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        self.byteCount = count * 4
        self.dtype = .float32
        self.isWritable = true
        self.owner = nil
        self.owned = true
    }

    /// An f32 buffer of `count` elements with unspecified contents (for outputs that a kernel
    /// fully overwrites), 64-byte aligned.
    public init(uninitializedFloats count: Int) {
        let bytes = Swift.max(count, 1) * 4
        self.base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        self.byteCount = count * 4
        self.dtype = .float32
        self.isWritable = true
        self.owner = nil
        self.owned = true
    }

    /// Borrows `bytes` (stored as `dtype`); `owner` keeps them alive.
    public init(borrowing bytes: UnsafeRawBufferPointer, dtype: DType, owner: AnyObject) {
        // A zero-length buffer may have a nil base address; point at a static byte instead.
        self.base = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? TensorStorage.emptyByte)
        self.byteCount = bytes.count
        self.dtype = dtype
        self.isWritable = false
        self.owner = owner
        self.owned = false
    }

    deinit {
        if owned { base.deallocate() }
    }

    // Never written; only used as a non-nil base for empty tensors.
    nonisolated(unsafe) private static let emptyByte = UnsafeRawPointer(UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64))
}
