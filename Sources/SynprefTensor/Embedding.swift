/// Row lookup in a [vocab, dim] table stored in any dtype (rows widened to f32).
public struct Embedding: Sendable {
    /// [vocab, dim].
    public let weight: Tensor

    public init(weight: Tensor) {
        precondition(weight.rank == 2 && weight.isContiguous, "Embedding table must be a contiguous matrix")
        self.weight = weight
    }

    public var vocabSize: Int { weight.shape[0] }
    public var dim: Int { weight.shape[1] }

    /// out[N, dim] = table[ids[N]] (or += when `accumulate`). Every id must be < vocabSize
    /// (callers validate input ids and throw before calling).
    public func forward(ids: [Int], into out: Tensor, accumulate: Bool = false, ctx: ComputeContext) {
        precondition(out.shape[0] == ids.count && out.shape[1] == dim, "Embedding out \(out.shape)")
        let dim = dim, esize = weight.dtype.byteSize, dtype = weight.dtype
        let src = UnsafeRawPointer(weight.rawPointer), op = out.f32, ld = out.rowStride
        let vocab = vocabSize
        ids.withUnsafeBufferPointer { idp in
            ctx.parallelRanges(ids.count, minimumPerWorker: 32) { r in
                // One row of scratch on the stack-like heap per range for accumulate mode.
                var row = [Float](repeating: 0, count: accumulate ? dim : 0)
                for i in r {
                    let id = idp[i]
                    precondition(id >= 0 && id < vocab, "Embedding: id \(id) outside 0..<\(vocab)")
                    if accumulate {
                        row.withUnsafeMutableBufferPointer { rb in
                            guard let rp = rb.baseAddress else { return }
                            Convert.widen(src + id * dim * esize, dtype: dtype, into: rp, count: dim)
                            let o = op + i * ld
                            for j in 0..<dim { o[j] += rp[j] }
                        }
                    } else {
                        Convert.widen(src + id * dim * esize, dtype: dtype, into: op + i * ld, count: dim)
                    }
                }
            }
        }
    }
}
