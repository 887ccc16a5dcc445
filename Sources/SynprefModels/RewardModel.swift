import Foundation
import SynprefCore
import SynprefTensor

/// A reward model (or BERT encoder) ready to score token sequences on the CPU, computing
/// what transformers computes: weights stay memory-mapped in their checkpoint dtype,
/// activations are f32, sequences are packed without padding and processed in chunks of
/// at most `maxBatchTokens` tokens (a longer sequence forms its own chunk).
///
/// `@unchecked Sendable`: the model weights are immutable; the compute context's scratch
/// is only used under `lock`, so concurrent callers are serialised.
public final class RewardModel: @unchecked Sendable {
    public enum Backbone: Sendable {
        case decoder(DecoderModel)
        case bert(BertEncoder)
    }

    public let config: ModelConfig
    public let backbone: Backbone
    /// The checkpoint folder, when opened from one.
    public let directory: URL?
    /// Token budget of one packed chunk; bounds activation memory.
    public var maxBatchTokens: Int
    /// Turns conversations into this model's input (tokenizer + chat template); nil when
    /// the folder has no tokenizer.json (token ids can still be scored).
    public let frontEnd: TextFrontEnd?
    private let weights: any TensorSource
    private let context: ComputeContext
    private let lock = NSLock()
    private let fingerprintLock = NSLock()
    private var cachedFingerprint: String?

    /// Builds a model from a parsed config and its weights.
    public init(config: ModelConfig, weights: any TensorSource, directory: URL? = nil,
                threads: Int? = nil, maxBatchTokens: Int = 4096, frontEnd: TextFrontEnd? = nil) throws {
        self.config = config
        self.weights = weights
        self.directory = directory
        self.frontEnd = frontEnd
        self.maxBatchTokens = Swift.max(1, maxBatchTokens)
        self.context = ComputeContext(threads: threads)
        switch config {
        case .decoder(let c): backbone = .decoder(try DecoderModel(config: c, weights: Weights(weights)))
        case .bert(let c): backbone = .bert(try BertEncoder(config: c, weights: Weights(weights)))
        }
    }

    /// Timings of the forward passes while set (benchmarks); nil turns profiling off.
    public var profile: Profile? {
        get { lock.lock(); defer { lock.unlock() }; return context.profile }
        set { lock.lock(); defer { lock.unlock() }; context.profile = newValue }
    }

    /// Opens a checkpoint: `reference` is a local folder with config.json and
    /// model.safetensors (or a sharded index), or a Hugging Face repo id `org/name[@revision]`
    /// resolved through the Hugging Face cache (`ModelReference.resolve`: downloads what is
    /// missing, honours `HF_HUB_OFFLINE`). The config and every required tensor (names,
    /// shapes, dtypes) are validated before anything runs. When the folder has
    /// tokenizer.json, the text front end is loaded too (`frontEnd`), with `frontEndOptions`;
    /// BERT encoders get the text-pair layout when they have no chat template, and their
    /// inputs are limited to `max_position_embeddings` tokens.
    public static func open(_ reference: String, threads: Int? = nil, maxBatchTokens: Int = 4096,
                            frontEndOptions: TextFrontEnd.Options = TextFrontEnd.Options(),
                            hub: HubSettings = .fromEnvironment(),
                            progress: any ProgressObserver = SilentProgress()) throws -> RewardModel {
        let dir = try ModelReference.resolve(reference, settings: hub, progress: progress)
        let config = try ModelConfig.load(from: dir)
        let weights = try Checkpoint.open(directory: dir)
        try WeightManifest(config: config, source: weights).validate(source: weights)
        var frontEnd: TextFrontEnd?
        switch config {
        case .decoder:
            frontEnd = try TextFrontEnd.load(directory: dir, options: frontEndOptions, textPairWithoutTemplate: false)
        case .bert(let c):
            frontEnd = try TextFrontEnd.load(directory: dir, options: frontEndOptions, textPairWithoutTemplate: true)
            frontEnd?.positionLimit = c.maxPositionEmbeddings
        }
        return try RewardModel(config: config, weights: weights, directory: dir, threads: threads, maxBatchTokens: maxBatchTokens, frontEnd: frontEnd)
    }

    /// This process's peak resident memory in bytes (see `MemoryStats`).
    public static var processPeakResidentBytes: Int? { MemoryStats.peakResidentBytes() }

    /// Worker threads used for kernels and BLAS.
    public var threads: Int { context.threads }

    /// Hidden size of the final hidden states.
    public var hiddenSize: Int {
        switch backbone {
        case .decoder(let d): return d.config.hiddenSize
        case .bert(let b): return b.config.hiddenSize
        }
    }

    /// Whether the model reads BERT token type ids (segment ids); decoders ignore them.
    public var readsTokenTypes: Bool {
        if case .bert = backbone { return true }
        return false
    }

    /// Number of logits per sequence.
    public var numLabels: Int {
        switch backbone {
        case .decoder(let d): return d.config.numLabels
        case .bert(let b): return b.config.numLabels
        }
    }

    /// One reward per sequence: the single logit of a `num_labels = 1` head at each
    /// sequence's last (non-pad) token (decoders) or on the pooled output (BERT).
    /// `tokenTypeIds` (BERT segment ids, one per token) default to all zeros; decoders
    /// ignore them.
    public func score(tokenSequences: [[Int]], tokenTypeIds: [[Int]]? = nil, progress: (any ProgressObserver)? = nil) throws -> [Float] {
        guard numLabels == 1 else {
            throw ModelError.unsupported("score needs a single-logit head (num_labels = 1) but this model has \(numLabels) labels; use logits(tokenSequences:)")
        }
        return try logits(tokenSequences: tokenSequences, tokenTypeIds: tokenTypeIds, progress: progress).map { $0[0] }
    }

    /// A stable identity of this model's scores (see `ModelFingerprint`), computed on first
    /// use.
    public var fingerprint: String {
        fingerprintLock.lock()
        defer { fingerprintLock.unlock() }
        if let cachedFingerprint { return cachedFingerprint }
        let value: String
        do {
            value = try ModelFingerprint.compute(directory: directory, weights: weights, frontEnd: frontEnd)
        } catch {
            // The weights were validated when the model was built; a tensor that cannot be
            // read now still yields a distinct, stable identity.
            value = SHA256.hex("unreadable weights: \(error)")
        }
        cachedFingerprint = value
        return value
    }

    /// All logits [sequence][num_labels].
    public func logits(tokenSequences: [[Int]], tokenTypeIds: [[Int]]? = nil,
                       progress: (any ProgressObserver)? = nil) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(tokenSequences.count)
        try run(tokenSequences, tokenTypeIds, progress: progress, scoreRowsOnly: true) { _, hidden, packed, ctx in
            switch backbone {
            case .decoder(let d):
                out += try d.scoreHead(hidden: hidden, ctx: ctx) // hidden holds just the score rows
            case .bert(let b):
                out += try b.classify(hidden: hidden, sequences: packed, ctx: ctx)
            }
        }
        return out
    }

    /// Final hidden states, one [length, hidden] tensor per sequence: the output of the
    /// final norm (decoders) or BERT's last_hidden_state.
    public func finalHiddenStates(tokenSequences: [[Int]], tokenTypeIds: [[Int]]? = nil) throws -> [Tensor] {
        var out: [Tensor] = []
        try run(tokenSequences, tokenTypeIds, progress: nil) { _, hidden, packed, _ in
            for s in 0..<packed.count {
                let r = packed.range(s)
                out.append(Tensor(hidden.rows(r).toArray(), shape: [r.count, hidden.shape[1]]))
            }
        }
        return out
    }

    /// Mean-pooled token states [sequence][hidden] (BERT encoders; sentence embeddings
    /// before any normalisation).
    public func meanPooledEmbeddings(tokenSequences: [[Int]], tokenTypeIds: [[Int]]? = nil) throws -> [[Float]] {
        guard case .bert(let b) = backbone else {
            throw ModelError.unsupported("mean-pooled embeddings are available for BERT encoders only")
        }
        var out: [[Float]] = []
        try run(tokenSequences, tokenTypeIds, progress: nil) { _, hidden, packed, _ in
            out += b.meanPooled(hidden: hidden, sequences: packed)
        }
        return out
    }

    // MARK: - Chunked forward

    /// Validates every sequence, then runs the backbone over chunks of consecutive
    /// sequences of at most `maxBatchTokens` tokens, handing each chunk's hidden states to
    /// `body` in order.
    /// With `scoreRowsOnly`, decoders return just the row the score head reads per sequence.
    private func run(_ seqs: [[Int]], _ types: [[Int]]?, progress: (any ProgressObserver)?, scoreRowsOnly: Bool = false,
                     _ body: (Range<Int>, Tensor, PackedSequences, ComputeContext) throws -> Void) throws {
        try validate(seqs, types)
        lock.lock()
        defer { lock.unlock() }
        var start = 0
        let total = seqs.count
        while start < total {
            var end = start, tokens = 0
            while end < total && (end == start || tokens + seqs[end].count <= maxBatchTokens) {
                tokens += seqs[end].count
                end += 1
            }
            let chunk = start..<end
            let packed = PackedSequences(lengths: chunk.map { seqs[$0].count })
            var ids: [Int] = []
            ids.reserveCapacity(tokens)
            for i in chunk { ids += seqs[i] }
            let hidden: Tensor
            switch backbone {
            case .decoder(let d):
                let rows = scoreRowsOnly ? chunk.map { packed.offsets[$0 - start] + d.scoreRow(seqs[$0][...]) } : nil
                hidden = d.forward(ids: ids, sequences: packed, outputRows: rows, ctx: context)
            case .bert(let b):
                var tt: [Int] = []
                tt.reserveCapacity(tokens)
                for i in chunk { tt += types?[i] ?? [Int](repeating: 0, count: seqs[i].count) }
                hidden = b.forward(ids: ids, tokenTypes: tt, sequences: packed, ctx: context)
            }
            try body(chunk, hidden, packed, context)
            start = end
            progress?.report(ProgressEvent(task: "score", completed: end, total: total, unit: "sequences"))
        }
    }

    /// Checks sequences (and BERT token types) against the model without running it;
    /// throws the `ModelError` that scoring them would.
    public func validate(tokenSequences: [[Int]], tokenTypeIds: [[Int]]? = nil) throws {
        try validate(tokenSequences, tokenTypeIds)
    }

    private func validate(_ seqs: [[Int]], _ types: [[Int]]?) throws {
        let vocab: Int
        switch backbone {
        case .decoder(let d): vocab = d.config.vocabSize
        case .bert(let b): vocab = b.config.vocabSize
        }
        if let types, types.count != seqs.count {
            throw ModelError.unsupported("token_type_ids given for \(types.count) sequences but there are \(seqs.count) sequences")
        }
        for (s, seq) in seqs.enumerated() {
            if seq.isEmpty { throw ModelError.emptySequence(sequence: s) }
            for (p, id) in seq.enumerated() where id < 0 || id >= vocab {
                throw ModelError.tokenOutOfRange(sequence: s, position: p, id: id, vocabSize: vocab)
            }
            if case .bert(let b) = backbone {
                if seq.count > b.config.maxPositionEmbeddings {
                    throw ModelError.sequenceTooLong(sequence: s, length: seq.count, maxPositionEmbeddings: b.config.maxPositionEmbeddings)
                }
                if let t = types?[s] {
                    if t.count != seq.count { throw ModelError.tokenTypeLengthMismatch(sequence: s, inputIds: seq.count, tokenTypeIds: t.count) }
                    for (p, id) in t.enumerated() where id < 0 || id >= b.config.typeVocabSize {
                        throw ModelError.tokenTypeOutOfRange(sequence: s, position: p, id: id, typeVocabSize: b.config.typeVocabSize)
                    }
                }
            }
        }
    }
}
