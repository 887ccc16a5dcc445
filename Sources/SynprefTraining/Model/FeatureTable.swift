import Foundation
import SynprefModels
import SynprefTensor

/// The head inputs of sequences under one frozen backbone (a decoder's final-norm state at
/// the score row, BERT's last hidden state at the first token, before the pooler), computed once by the engine's inference forward and
/// then shared: by the training runs that freeze that backbone (`TrainingJobSpec.features`)
/// and by scoring the models they produce (`HeadScoring`). A curation run trains and scores
/// many head-only models on one base; with one table each sequence is run through the
/// backbone once.
///
/// The table does not check weights: whoever shares it guarantees that every user freezes
/// the backbone of `source`. Keys are token ids (and token types when not all zero).
public final class FeatureTable: @unchecked Sendable {
    // @unchecked Sendable: rows and features are guarded by `lock`.
    /// The model folder whose backbone computed the features.
    public let source: URL
    public let hidden: Int
    private let lock = NSLock()
    private var rowOf: [[Int]: Int] = [:]
    private var features: [Float] = []

    public init(source: URL, hidden: Int) {
        self.source = source.standardizedFileURL
        self.hidden = hidden
    }

    /// Sequences whose features are in the table.
    public var count: Int { lock.withLock { rowOf.count } }
    /// Floats held.
    public var floats: Int { lock.withLock { features.count } }

    /// The table's key of a sequence: its ids, followed by its token types when they are not
    /// all zeros (BERT text pairs).
    static func key<C: Collection, T: Collection>(_ ids: C, _ types: T?) -> [Int] where C.Element == Int, T.Element == Int {
        guard let types, types.contains(where: { $0 != 0 }) else { return Array(ids) }
        return Array(ids) + [-1] + Array(types)
    }

    /// Computes the features of every sequence not in the table yet with `inference` (a model
    /// with the backbone of `source`), in packed chunks of at most `maxBatchTokens` tokens;
    /// `progress` gets the number of new sequences done.
    public func precompute(_ sequences: [[Int]], tokenTypes: [[Int]]? = nil, inference: () throws -> RewardModel, maxBatchTokens: Int,
                           ctx: ComputeContext, progress: (Int) -> Void = { _ in }) throws {
        var todo: [[Int]] = [], todoTypes: [[Int]] = [], todoKeys: [[Int]] = []
        var seen = Set<[Int]>()
        lock.withLock {
            for (i, s) in sequences.enumerated() {
                let key = Self.key(s, tokenTypes?[i])
                guard rowOf[key] == nil, seen.insert(key).inserted else { continue }
                todo.append(s)
                todoTypes.append(tokenTypes?[i] ?? [Int](repeating: 0, count: s.count))
                todoKeys.append(key)
            }
        }
        guard !todo.isEmpty else { return }
        let model = try inference()
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
            switch model.backbone {
            case .decoder(let d):
                let rows = (0..<chunk.count).map { batch.sequences.offsets[$0] + d.scoreRow(chunk[$0][...]) }
                f = d.forward(ids: batch.ids, sequences: batch.sequences, outputRows: rows, ctx: ctx)
            case .bert(let b):
                let h = b.forward(ids: batch.ids, tokenTypes: batch.tokenTypes, sequences: batch.sequences, ctx: ctx)
                f = b.firstTokens(hidden: h, sequences: batch.sequences)
            }
            let values = f.toArray()
            lock.withLock {
                for i in chunk.indices where rowOf[todoKeys[start + i]] == nil {
                    rowOf[todoKeys[start + i]] = features.count / hidden
                    features += values[(i * hidden)..<((i + 1) * hidden)]
                }
            }
            start = end
            progress(start)
        }
    }

    /// Copies the features of `batch`'s sequences into `into` (batch.count × hidden). Every
    /// sequence must have been precomputed.
    func gather(_ batch: TrainingBatch, into picked: Tensor) {
        lock.withLock {
            for s in 0..<batch.count {
                let key = Self.key(batch.tokens(s), batch.tokenTypes[batch.sequences.range(s)])
                guard let row = rowOf[key] else { preconditionFailure("features of a sequence were not precomputed") }
                features.withUnsafeBufferPointer { f in
                    if let base = f.baseAddress { (picked.f32 + s * hidden).update(from: base + row * hidden, count: hidden) }
                }
            }
        }
    }
}
