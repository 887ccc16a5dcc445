import SynprefModels
import SynprefTensor

/// Training with a frozen backbone: every sequence's head input (a decoder's final-norm
/// state at the score row, BERT's pooled output) is computed once by the engine's inference
/// forward, and each step only runs the head (`score` / `classifier`) on those features.
/// The parameters are the full model's (backbone frozen), so saving writes a complete
/// checkpoint.
public final class HeadOnlyModel: TrainableRewardModel, @unchecked Sendable {
    // @unchecked Sendable: used by one training loop; the feature table is built before
    // training and then only read.
    public let config: ModelConfig
    public let parameters: ParameterSet
    public var loraAdapters: [String: LoRAAdapter] { [:] }
    let head: TrainableLinear
    let hidden: Int
    private var rowOf: [[Int]: Int] = [:]
    private var features: [Float] = []
    private var last: Tensor?

    /// Wraps `model` (whose backbone parameters must be frozen).
    public init(freezing model: any TrainableRewardModel) {
        config = model.config
        parameters = model.parameters
        switch model.config {
        case .decoder(let c):
            hidden = c.hiddenSize
            head = TrainableLinear(weight: parameters.require("score.weight"), bias: nil)
        case .bert(let c):
            hidden = c.hiddenSize
            head = TrainableLinear(weight: parameters.require("classifier.weight"), bias: parameters.require("classifier.bias"))
        }
    }

    public var activationPeakFloats: Int { features.count }
    /// Sequences whose features are cached.
    public var featureCount: Int { rowOf.count }

    /// The feature table's key of a sequence: its ids, followed by its token types when
    /// they are not all zeros (BERT text pairs).
    static func key<C: Collection, T: Collection>(_ ids: C, _ types: T?) -> [Int] where C.Element == Int, T.Element == Int {
        guard let types, types.contains(where: { $0 != 0 }) else { return Array(ids) }
        return Array(ids) + [-1] + Array(types)
    }

    /// Computes (once) the features of every sequence not seen yet, in packed chunks of at
    /// most `maxBatchTokens` tokens; `progress` gets the number of sequences done.
    /// `tokenTypes` (one list per sequence) default to zeros.
    public func precompute(_ sequences: [[Int]], tokenTypes: [[Int]]? = nil, maxBatchTokens: Int, ctx: ComputeContext,
                           progress: (Int) -> Void = { _ in }) throws {
        var todo: [[Int]] = [], todoTypes: [[Int]] = [], todoKeys: [[Int]] = []
        var seen = Set<[Int]>()
        for (i, s) in sequences.enumerated() {
            let key = HeadOnlyModel.key(s, tokenTypes?[i])
            guard rowOf[key] == nil, seen.insert(key).inserted else { continue }
            todo.append(s)
            todoTypes.append(tokenTypes?[i] ?? [Int](repeating: 0, count: s.count))
            todoKeys.append(key)
        }
        let inference = try RewardModel(config: config, weights: parameters.tensorSource, threads: ctx.threads)
        var start = 0
        while start < todo.count {
            var end = start, tokens = 0
            while end < todo.count && (end == start || tokens + todo[end].count <= maxBatchTokens) {
                tokens += todo[end].count
                end += 1
            }
            let chunk = Array(todo[start..<end])
            let batch = TrainingBatch(sequences: chunk, tokenTypes: Array(todoTypes[start..<end]))
            let f: Tensor
            switch inference.backbone {
            case .decoder(let d):
                let rows = (0..<chunk.count).map { batch.sequences.offsets[$0] + d.scoreRow(chunk[$0][...]) }
                f = d.forward(ids: batch.ids, sequences: batch.sequences, outputRows: rows, ctx: ctx)
            case .bert(let b):
                let h = b.forward(ids: batch.ids, tokenTypes: batch.tokenTypes, sequences: batch.sequences, ctx: ctx)
                f = try b.pooled(hidden: h, sequences: batch.sequences, ctx: ctx)
            }
            let values = f.toArray()
            for i in chunk.indices {
                rowOf[todoKeys[start + i]] = features.count / hidden
                features += values[(i * hidden)..<((i + 1) * hidden)]
            }
            start = end
            progress(start)
        }
    }

    public func forward(_ batch: TrainingBatch, ctx: ComputeContext) -> [Float] {
        let picked = Tensor(uninitialized: [batch.count, hidden])
        for s in 0..<batch.count {
            let key = HeadOnlyModel.key(batch.tokens(s), batch.tokenTypes[batch.sequences.range(s)])
            guard let row = rowOf[key] else { preconditionFailure("features of a sequence were not precomputed") }
            features.withUnsafeBufferPointer { f in
                if let base = f.baseAddress { (picked.f32 + s * hidden).update(from: base + row * hidden, count: hidden) }
            }
        }
        let logits = Tensor(uninitialized: [batch.count, 1])
        head.forward(picked, into: logits, ctx: ctx)
        last = picked
        return logits.toArray()
    }

    public func backward(dRewards: [Float], ctx: ComputeContext) {
        guard let picked = last else { preconditionFailure("backward without a forward") }
        head.backward(dy: Tensor(dRewards, shape: [dRewards.count, 1]), x: picked, dx: nil, scratch: Arena(), ctx: ctx)
    }
}
