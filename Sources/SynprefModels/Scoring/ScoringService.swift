import Foundation
import SynprefCore
import SynprefTensor

/// One reward model shared by many callers: the one scoring path of `synpref score`,
/// `synpref eval`, training's validation, and the server and curation to come.
///
/// Callers in any task `prepare` their conversations, texts or token ids (rendering and
/// tokenizing happen on the caller's thread, once) and `score` them. Requests wait in
/// arrival order; a compute thread of the service's own (never the cooperative pool) waits
/// up to `maxWait` for company when fewer than `maxBatchTokens` tokens are queued, then
/// fills one packed forward pass round-robin: one sequence from each waiting request in
/// arrival order, then a second from each, and so on, until the next sequence would
/// exceed the budget. A request of many sequences therefore shares every pass with the
/// requests behind it instead of holding them back until it is done; a single sequence
/// longer than the budget runs alone. Each caller is resumed with its scores in its own
/// order. Cancelling a caller removes its sequences that have not started; the others are
/// not disturbed.
///
/// A sequence's score does not depend on the other sequences it is packed with, up to the
/// f32 rounding of the BLAS kernels (some sum a row's products in another order at another
/// tile position).
public final class ScoringService: RewardScorer, @unchecked Sendable {
    public struct Options: Sendable {
        /// Token budget of one packed forward pass (bounds activation memory). A sequence
        /// longer than the budget runs alone. Default: the model's `maxBatchTokens`.
        public var maxBatchTokens: Int?
        /// Longest time a queued request waits for other requests to share its forward
        /// pass when fewer than `maxBatchTokens` tokens are queued.
        public var maxWait: Duration

        /// Called on the compute thread after every forward pass (for metrics); keep it
        /// short.
        public var onForwardPass: (@Sendable (ForwardPass) -> Void)?

        public init(maxBatchTokens: Int? = nil, maxWait: Duration = .milliseconds(2),
                    onForwardPass: (@Sendable (ForwardPass) -> Void)? = nil) {
            self.maxBatchTokens = maxBatchTokens
            self.maxWait = maxWait
            self.onForwardPass = onForwardPass
        }
    }

    /// One packed forward pass, as reported to `Options.onForwardPass`.
    public struct ForwardPass: Sendable {
        public var sequences: Int
        public var tokens: Int
        /// Wall seconds of the pass.
        public var seconds: Double
        /// False when the model threw.
        public var succeeded: Bool
    }

    /// A caller's scores with where its time went.
    public struct Scored: Sendable {
        public var scores: [Float]
        /// Seconds from submission to the first forward pass that took one of its inputs.
        public var queueSeconds: Double
        /// Wall seconds of the forward passes its inputs were part of.
        public var computeSeconds: Double
    }

    /// Work done so far (for tokens/s).
    public struct Statistics: Sendable, Equatable {
        public var sequences = 0
        public var tokens = 0
        public var forwardPasses = 0
        /// Wall seconds spent in forward passes.
        public var computeSeconds = 0.0
    }

    public let model: RewardModel
    private let engine: Engine

    /// Starts a service on `model`, which must have a single-logit head.
    public init(model: RewardModel, options: Options = Options()) throws {
        guard model.numLabels == 1 else { throw ScoringError.notARewardModel(labels: model.numLabels) }
        self.model = model
        let budget = Swift.max(1, options.maxBatchTokens ?? model.maxBatchTokens)
        let wait = options.maxWait.components
        let seconds = Double(wait.seconds) + Double(wait.attoseconds) * 1e-18
        engine = Engine(model: model, budget: budget, maxWait: Swift.max(0, seconds), onForwardPass: options.onForwardPass)
        let engine = self.engine
        let thread = Thread { engine.run() }
        thread.name = "synpref-scoring"
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit { engine.close() }

    /// The model's fingerprint (`RewardModel.fingerprint`).
    public var fingerprint: String { model.fingerprint }

    /// Renders and tokenizes `conversation` (its last message is the response judged) and
    /// checks the ids against the model. Throws `TextFrontEndError` (naming `id`) when the
    /// conversation cannot be encoded, `ModelError` when the ids do not fit the model.
    public func prepare(_ conversation: [ChatMessage], id: String? = nil) throws -> ModelInput {
        guard let frontEnd = model.frontEnd else {
            throw TextFrontEndError.noTokenizer(model: model.directory?.path ?? "the model")
        }
        let (text, input) = try frontEnd.prepare(conversation, id: id)
        let types = model.readsTokenTypes ? input.typeIDs : nil
        try model.validate(tokenSequences: [input.ids], tokenTypeIds: types.map { [$0] })
        return ModelInput(ids: input.ids, typeIDs: types, renderedText: text, truncatedTokens: input.truncatedTokens)
    }

    /// Renders and tokenizes `conversation` with these length options (a server request's
    /// own maximum length or truncation side). With the model's own options this is
    /// `prepare(_:id:)`; with others the cache key covers the ids, since the model's
    /// fingerprint does not describe these options.
    public func prepare(_ conversation: [ChatMessage], options: TextFrontEnd.Options, id: String? = nil) throws -> ModelInput {
        guard var frontEnd = model.frontEnd else {
            throw TextFrontEndError.noTokenizer(model: model.directory?.path ?? "the model")
        }
        if options == frontEnd.options { return try prepare(conversation, id: id) }
        frontEnd.options = options
        let (text, input) = try frontEnd.prepare(conversation, id: id)
        let types = model.readsTokenTypes ? input.typeIDs : nil
        try model.validate(tokenSequences: [input.ids], tokenTypeIds: types.map { [$0] })
        return ModelInput(ids: input.ids, typeIDs: types, renderedText: nil, truncatedTokens: input.truncatedTokens)
    }

    /// Tokenizes `text` as it is (no chat template), with or without the tokenizer's
    /// special tokens, truncated or rejected per `options` (default: the model's).
    public func prepare(text: String, addSpecialTokens: Bool, options: TextFrontEnd.Options? = nil,
                        id: String? = nil) throws -> ModelInput {
        guard var frontEnd = model.frontEnd else {
            throw TextFrontEndError.noTokenizer(model: model.directory?.path ?? "the model")
        }
        if let options { frontEnd.options = options }
        let input = try frontEnd.input(forText: text, addSpecialTokens: addSpecialTokens, id: id)
        let types = model.readsTokenTypes ? input.typeIDs : nil
        try model.validate(tokenSequences: [input.ids], tokenTypeIds: types.map { [$0] })
        return ModelInput(ids: input.ids, typeIDs: types, renderedText: nil, truncatedTokens: input.truncatedTokens)
    }

    /// Checks already tokenized ids (and BERT type ids) against the model.
    public func prepare(tokens: [Int], typeIDs: [Int]? = nil) throws -> ModelInput {
        let types = model.readsTokenTypes ? typeIDs : nil
        try model.validate(tokenSequences: [tokens], tokenTypeIds: types.map { [$0] })
        return ModelInput(ids: tokens, typeIDs: types, renderedText: nil, truncatedTokens: 0)
    }

    /// The score of each input, in order.
    public func score(_ inputs: [ModelInput]) async throws -> [Float] {
        try await scoreTimed(inputs).scores
    }

    /// The score of each input, in order, with the request's queue and compute time.
    public func scoreTimed(_ inputs: [ModelInput]) async throws -> Scored {
        if inputs.isEmpty { return Scored(scores: [], queueSeconds: 0, computeSeconds: 0) }
        let request = Request(inputs: inputs)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                engine.submit(request, continuation)
            }
        } onCancel: {
            engine.cancel(request)
        }
    }

    /// Tokens submitted and not yet taken into a forward pass.
    public var queuedTokens: Int { engine.waitingTokens }

    /// The score of one input.
    public func score(_ input: ModelInput) async throws -> Float {
        try await score([input])[0]
    }

    /// `RewardScorer`: prepares and scores conversations.
    public func score(conversations: [[ChatMessage]]) async throws -> [Float] {
        try await score(conversations.map { try prepare($0) })
    }

    /// Work done so far.
    public var statistics: Statistics { engine.statistics }

    /// Stops taking work: queued requests that have not started fail with
    /// `ScoringError.shutDown`; a forward pass in progress finishes.
    public func shutdown() { engine.close() }
}

/// One caller's inputs and where its scores go.
private final class Request: @unchecked Sendable {
    let inputs: [ModelInput]
    var scores: [Float]
    /// Next input not yet taken into a forward pass.
    var next = 0
    /// Inputs taken into a forward pass that has not finished.
    var inFlight = 0
    var cancelled = false
    /// Inputs were dropped by a shutdown while others were being scored.
    var abandoned = false
    var continuation: CheckedContinuation<ScoringService.Scored, any Error>?
    var arrived = 0.0
    /// When a forward pass first took one of its inputs.
    var started: Double?
    var computeSeconds = 0.0

    init(inputs: [ModelInput]) {
        self.inputs = inputs
        self.scores = [Float](repeating: .nan, count: inputs.count)
    }

    var unscheduledTokens: Int { inputs[next...].reduce(0) { $0 + $1.ids.count } }
}

/// The queue and the compute loop; all state under `condition`'s lock.
private final class Engine: @unchecked Sendable {
    let model: RewardModel
    let budget: Int
    let maxWait: Double
    private let condition = NSCondition()
    private var queue: [Request] = []
    private var queuedTokens = 0
    private var closed = false
    private var stats = ScoringService.Statistics()

    let onForwardPass: (@Sendable (ScoringService.ForwardPass) -> Void)?

    init(model: RewardModel, budget: Int, maxWait: Double, onForwardPass: (@Sendable (ScoringService.ForwardPass) -> Void)?) {
        self.model = model
        self.budget = budget
        self.maxWait = maxWait
        self.onForwardPass = onForwardPass
    }

    var waitingTokens: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedTokens
    }

    var statistics: ScoringService.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    func submit(_ request: Request, _ continuation: CheckedContinuation<ScoringService.Scored, any Error>) {
        condition.lock()
        defer { condition.unlock() }
        if closed { return continuation.resume(throwing: ScoringError.shutDown) }
        if request.cancelled { return continuation.resume(throwing: CancellationError()) }
        request.continuation = continuation
        request.arrived = Profile.now()
        queue.append(request)
        queuedTokens += request.unscheduledTokens
        condition.broadcast()
    }

    func cancel(_ request: Request) {
        condition.lock()
        defer { condition.unlock() }
        request.cancelled = true
        // Not yet taken whole into a forward pass: its remaining inputs leave the queue now.
        if let i = queue.firstIndex(where: { $0 === request }) {
            queuedTokens -= request.unscheduledTokens
            queue.remove(at: i)
            request.next = request.inputs.count
        }
        if request.inFlight == 0 { finish(request, with: .failure(CancellationError())) }
    }

    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        for r in queue where r.inFlight == 0 { finish(r, with: .failure(ScoringError.shutDown)) }
        for r in queue {
            r.next = r.inputs.count
            r.abandoned = true
        }
        queue.removeAll()
        queuedTokens = 0
        condition.broadcast()
    }

    /// The compute thread's loop: take a batch, run it, hand out the scores.
    func run() {
        while let batch = nextBatch() {
            if batch.isEmpty { continue }
            let started = Profile.now()
            let seqs = batch.map { $0.request.inputs[$0.index].ids }
            let types = model.readsTokenTypes
                ? batch.map { $0.request.inputs[$0.index].typeIDs ?? [Int](repeating: 0, count: $0.request.inputs[$0.index].ids.count) }
                : nil
            let result = Result { try model.score(tokenSequences: seqs, tokenTypeIds: types) }
            let seconds = Profile.now() - started
            let tokens = seqs.reduce(0) { $0 + $1.count }
            deliver(batch, result, seconds: seconds, tokens: tokens)
            if let onForwardPass {
                let succeeded = if case .success = result { true } else { false }
                onForwardPass(ScoringService.ForwardPass(sequences: seqs.count, tokens: tokens, seconds: seconds, succeeded: succeeded))
            }
        }
    }

    /// Waits for work (and, briefly, for company), then takes queued inputs from the front
    /// up to the token budget; nil once closed.
    private func nextBatch() -> [(request: Request, index: Int)]? {
        condition.lock()
        defer { condition.unlock() }
        // Wait for work, then for company until the oldest waiting request's deadline (the
        // head is looked up again after every wake-up: a cancelled head leaves the queue).
        while true {
            while queue.isEmpty && !closed { condition.wait() }
            if closed { return nil }
            let now = Profile.now()
            let deadline = queue[0].arrived + maxWait
            if queuedTokens >= budget || now >= deadline { break }
            _ = condition.wait(until: Date(timeIntervalSinceNow: deadline - now))
        }
        // Round-robin over the waiting requests in arrival order (see the type's comment).
        var batch: [(request: Request, index: Int)] = []
        var tokens = 0
        let now = Profile.now()
        var took = true
        taking: while took {
            took = false
            for r in queue where r.next < r.inputs.count {
                let n = r.inputs[r.next].ids.count
                if !batch.isEmpty && tokens + n > budget { break taking }
                batch.append((r, r.next))
                if r.started == nil { r.started = now }
                r.next += 1
                r.inFlight += 1
                tokens += n
                queuedTokens -= n
                took = true
            }
        }
        queue.removeAll { $0.next == $0.inputs.count }
        return batch
    }

    private func deliver(_ batch: [(request: Request, index: Int)], _ result: Result<[Float], any Error>,
                         seconds: Double, tokens: Int) {
        condition.lock()
        defer { condition.unlock() }
        stats.forwardPasses += 1
        stats.computeSeconds += seconds
        if case .success = result {
            stats.sequences += batch.count
            stats.tokens += tokens
        }
        var charged = Set<ObjectIdentifier>()
        for (k, (request, index)) in batch.enumerated() {
            if charged.insert(ObjectIdentifier(request)).inserted { request.computeSeconds += seconds }
            request.inFlight -= 1
            switch result {
            case .success(let scores): request.scores[index] = scores[k]
            case .failure(let error): finish(request, with: .failure(error))
            }
            if request.inFlight == 0 && request.next == request.inputs.count {
                finish(request, with: request.cancelled ? .failure(CancellationError())
                    : request.abandoned ? .failure(ScoringError.shutDown)
                    : .success(ScoringService.Scored(scores: request.scores,
                                                     queueSeconds: (request.started ?? request.arrived) - request.arrived,
                                                     computeSeconds: request.computeSeconds)))
            }
        }
    }

    /// Resumes the caller once; a request that failed leaves the queue.
    private func finish(_ request: Request, with result: Result<ScoringService.Scored, any Error>) {
        guard let continuation = request.continuation else { return }
        request.continuation = nil
        if case .failure = result, let i = queue.firstIndex(where: { $0 === request }) {
            queuedTokens -= request.unscheduledTokens
            queue.remove(at: i)
            request.next = request.inputs.count
        }
        continuation.resume(with: result)
    }
}
