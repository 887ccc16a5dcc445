/// Which pairs each optimizer step takes: epochs over the data in a seeded random order
/// (or file order), `batchSize` pairs per step, the last step of an epoch taking what is
/// left (the HF Trainer's default, `dataloader_drop_last=False`). Everything follows from
/// the step number, so a resumed run continues with exactly the pairs it would have seen.
public struct BatchPlan: Sendable, Hashable {
    public let pairCount: Int
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64

    public init(pairCount: Int, batchSize: Int, shuffle: Bool, seed: UInt64) {
        precondition(pairCount > 0 && batchSize > 0, "BatchPlan needs pairs and a positive batch size")
        self.pairCount = pairCount
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
    }

    public var stepsPerEpoch: Int { (pairCount + batchSize - 1) / batchSize }

    /// Steps of a run: `epochs` passes, or exactly `maxSteps` when given (cycling through
    /// further epochs if needed, as the HF Trainer's max_steps does).
    public func totalSteps(epochs: Int, maxSteps: Int?) -> Int {
        maxSteps ?? epochs * stepsPerEpoch
    }

    /// The visiting order of epoch `epoch` (Fisher–Yates with a generator seeded by the
    /// seed and the epoch).
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<pairCount)
        guard shuffle else { return order }
        var rng = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        order.shuffle(using: &rng)
        return order
    }

    /// (epoch, indices of the pairs) of global step `step` (0-based).
    public func step(_ step: Int) -> (epoch: Int, pairs: [Int]) {
        let epoch = step / stepsPerEpoch, within = step % stepsPerEpoch
        let order = self.order(epoch: epoch)
        let start = within * batchSize
        return (epoch, Array(order[start..<Swift.min(pairCount, start + batchSize)]))
    }

    /// Cuts a step's pairs into micro-batches of at most `tokenBudget` tokens (chosen and
    /// rejected together), in order; a pair longer than the budget forms its own.
    public static func microBatches(_ pairs: [TokenPair], tokenBudget: Int) -> [[TokenPair]] {
        var out: [[TokenPair]] = [], current: [TokenPair] = [], tokens = 0
        for p in pairs {
            if !current.isEmpty && tokens + p.tokenCount > tokenBudget {
                out.append(current)
                current = []
                tokens = 0
            }
            current.append(p)
            tokens += p.tokenCount
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
