import CSynprefKernels
import SynprefTensor

/// Gradient of `Embedding.forward`: scatter-add of the output rows into the table rows.
public enum EmbeddingBackward {
    /// dTable[ids[i]] += dOut[i] for every row i. Threads split the width, so rows that
    /// repeat an id never race.
    public static func backward(dOut: Tensor, ids: [Int32], dTable: Tensor, ctx: ComputeContext) {
        let rows = ids.count, dim = dTable.shape[1]
        precondition(dOut.shape == [rows, dim] && dTable.isContiguous, "Embedding backward shapes")
        let vocab = dTable.shape[0]
        precondition(ids.allSatisfy { $0 >= 0 && Int($0) < vocab }, "Embedding backward: id outside the table")
        let dop = UnsafePointer(dOut.f32), ld = dOut.rowStride, dt = dTable.f32
        ids.withUnsafeBufferPointer { idp in
            guard let base = idp.baseAddress else { return }
            ctx.parallelRanges(dim, minimumPerWorker: 64) { c in
                synpref_embedding_backward(dt, dim, dop, ld, base, rows, c.lowerBound, c.upperBound)
            }
        }
    }
}
