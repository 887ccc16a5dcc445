import SynprefTensor

/// Bump allocator for the activations of one forward/backward pass: tensors are views into
/// large f32 blocks that are reused from one micro-batch to the next instead of being
/// allocated (and page-faulted) again. `reset()` recycles everything; after a pass that
/// needed several blocks they are merged into one block of the total size.
///
/// `@unchecked Sendable`: used by the single training step that owns it.
final class Arena: @unchecked Sendable {
    private var blocks: [TensorStorage] = []
    private var used: [Int] = []
    private let minimumBlock: Int

    init(minimumBlockFloats: Int = 1 << 20) { minimumBlock = minimumBlockFloats }

    /// Floats handed out since the last reset.
    private(set) var inUse = 0
    /// Highest `inUse` ever seen (for memory reports).
    private(set) var peak = 0
    /// Floats held.
    var capacity: Int { blocks.reduce(0) { $0 + $1.byteCount / 4 } }

    /// Forgets every tensor handed out (their memory will be reused).
    func reset() {
        if blocks.count > 1 {
            let total = capacity
            blocks = [TensorStorage(uninitializedFloats: total)]
        }
        used = blocks.map { _ in 0 }
        inUse = 0
    }

    /// An uninitialized f32 tensor of `shape`, 64-byte aligned.
    func tensor(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        let rounded = (n + 15) & ~15
        for i in blocks.indices where blocks[i].byteCount / 4 - used[i] >= rounded {
            let t = Tensor(storage: blocks[i], shape: shape, offset: used[i])
            used[i] += rounded
            note(rounded)
            return t
        }
        let block = TensorStorage(uninitializedFloats: Swift.max(rounded, minimumBlock))
        blocks.append(block)
        used.append(rounded)
        note(rounded)
        return Tensor(storage: block, shape: shape)
    }

    /// A zero-filled f32 tensor of `shape`.
    func zeros(_ shape: [Int]) -> Tensor {
        let t = tensor(shape)
        t.f32.update(repeating: 0, count: t.count)
        return t
    }

    private func note(_ n: Int) {
        inUse += n
        peak = Swift.max(peak, inUse)
    }
}
