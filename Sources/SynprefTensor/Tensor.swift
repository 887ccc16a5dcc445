/// An n-dimensional array: shape, strides (in elements) and an offset into a storage.
///
/// Forward kernels (see `Ops`) take tensors and write into caller-provided outputs, llm.c
/// style, so every activation stays addressable and a backward function can be written
/// next to each forward one. Compute is f32; bf16/f16 tensors are read-only weights that
/// kernels widen on the fly.
public struct Tensor: Sendable {
    public let storage: TensorStorage
    public let shape: [Int]
    public let strides: [Int]
    /// Offset of element [0, 0, ...] in elements of `dtype`.
    public let offset: Int

    public var dtype: DType { storage.dtype }
    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = s
            s *= shape[i]
        }
        return strides
    }

    public init(storage: TensorStorage, shape: [Int], strides: [Int]? = nil, offset: Int = 0) {
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(shape)
        self.offset = offset
    }

    /// A new zero-filled f32 tensor.
    public init(zeros shape: [Int]) {
        self.init(storage: TensorStorage(zeroedFloats: shape.reduce(1, *)), shape: shape)
    }

    /// A new f32 tensor whose contents the caller will overwrite.
    public init(uninitialized shape: [Int]) {
        self.init(storage: TensorStorage(uninitializedFloats: shape.reduce(1, *)), shape: shape)
    }

    /// A new f32 tensor holding `values` (row-major).
    public init(_ values: [Float], shape: [Int]) {
        precondition(values.count == shape.reduce(1, *), "Tensor: \(values.count) values for shape \(shape)")
        self.init(uninitialized: shape)
        let p = f32
        values.withUnsafeBufferPointer { src in
            if let b = src.baseAddress { p.update(from: b, count: values.count) }
        }
    }

    /// A read-only view of stored bytes (e.g. a memory-mapped checkpoint tensor).
    public init(borrowing bytes: UnsafeRawBufferPointer, dtype: DType, shape: [Int], owner: AnyObject) {
        self.init(storage: TensorStorage(borrowing: bytes, dtype: dtype, owner: owner), shape: shape)
    }

    public var isContiguous: Bool { strides == Tensor.contiguousStrides(shape) }

    /// Pointer to element [0, ...] as raw bytes.
    public var rawPointer: UnsafeMutableRawPointer { storage.base + offset * dtype.byteSize }

    /// Pointer to element [0, ...] of an f32 tensor.
    public var f32: UnsafeMutablePointer<Float> {
        precondition(dtype == .float32, "Tensor.f32 on a \(dtype) tensor")
        return rawPointer.assumingMemoryBound(to: Float.self)
    }

    /// Stride of dimension 0 (the row stride of a matrix).
    public var rowStride: Int { strides.first ?? 1 }

    /// Same elements, new shape (contiguous tensors only).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(isContiguous && newShape.reduce(1, *) == count, "reshape \(shape) -> \(newShape)")
        return Tensor(storage: storage, shape: newShape, offset: offset)
    }

    /// Rows `range` of dimension 0, sharing storage.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[0], "rows \(range) of \(shape)")
        var s = shape
        s[0] = range.count
        return Tensor(storage: storage, shape: s, strides: strides, offset: offset + range.lowerBound * strides[0])
    }

    /// Columns `range` of a matrix (rank 2), sharing storage (row stride unchanged).
    public func columns(_ range: Range<Int>) -> Tensor {
        precondition(rank == 2 && range.lowerBound >= 0 && range.upperBound <= shape[1], "columns \(range) of \(shape)")
        return Tensor(storage: storage, shape: [shape[0], range.count], strides: strides, offset: offset + range.lowerBound * strides[1])
    }

    /// The elements as f32, row-major (widening bf16/f16).
    public func toArray() -> [Float] {
        var out = [Float](repeating: 0, count: count)
        guard count > 0 else { return out }
        if rank <= 1 || isContiguous {
            out.withUnsafeMutableBufferPointer { dst in
                if let d = dst.baseAddress { Convert.widen(rawPointer, dtype: dtype, into: d, count: count) }
            }
            return out
        }
        // Strided: walk rows of the last dimension.
        let inner = shape[rank - 1]
        precondition(strides[rank - 1] == 1, "toArray needs unit stride in the last dimension")
        var index = [Int](repeating: 0, count: rank - 1)
        var o = 0
        outer: while true {
            var off = 0
            for d in 0..<(rank - 1) { off += index[d] * strides[d] }
            out.withUnsafeMutableBufferPointer { dst in
                if let b = dst.baseAddress {
                    Convert.widen(rawPointer + off * dtype.byteSize, dtype: dtype, into: b + o, count: inner)
                }
            }
            o += inner
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { continue outer }
                index[d] = 0
                d -= 1
            }
            break
        }
        return out
    }
}
