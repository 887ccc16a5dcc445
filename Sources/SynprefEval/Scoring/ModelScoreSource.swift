import Foundation
import SynprefCore
import SynprefModels

/// Scores requests in batches through the persistent `ScoreCache`: with the local engine
/// (`ScoringService`) or with any other `RewardScorer` (a remote endpoint).
///
/// With the local engine the cache key is the model input's key (SHA-256 of the text the
/// tokenizer reads: with the fingerprint, which covers the tokenizer, the template and the
/// length options, it determines the token ids), each conversation is rendered once, and
/// tokens/s are counted. Another scorer is keyed by the request id (SHA-256 of the
/// canonical messages JSON).
public struct ModelScoreSource: ScoreSource {
    enum Backend: Sendable {
        case local(ScoringService)
        case scorer(any RewardScorer)
    }

    let backend: Backend
    public var batchSize: Int
    public var cache: ScoreCache?

    /// The local engine.
    public init(service: ScoringService, batchSize: Int = 16, cache: ScoreCache? = nil) {
        self.backend = .local(service)
        self.batchSize = max(1, batchSize)
        self.cache = cache
    }

    /// Any other scorer.
    public init(scorer: any RewardScorer, batchSize: Int = 8, cache: ScoreCache? = nil) {
        self.backend = .scorer(scorer)
        self.batchSize = max(1, batchSize)
        self.cache = cache
    }

    public var fingerprint: String {
        switch backend {
        case .local(let service): return service.fingerprint
        case .scorer(let scorer): return scorer.fingerprint
        }
    }

    public var provenance: ScoreProvenance { ScoreProvenance(kind: .model, identity: fingerprint) }

    /// The cache key of a request (see the type's documentation).
    public func cacheKey(_ request: ScoreRequest) throws -> String {
        switch backend {
        case .local(let service): return try service.prepare(request.messages, id: request.id).cacheKey
        case .scorer: return request.id
        }
    }

    public func scores(for requests: [ScoreRequest], progress: any ProgressObserver) async throws -> ScoringOutcome {
        let started = Date()
        var stats = ScoringStatistics()
        stats.requested = requests.count
        var table = ScoreTable()
        var pending: [(request: ScoreRequest, key: String, input: ModelInput?, length: Int)] = []
        for request in requests {
            let input: ModelInput?
            let key: String
            switch backend {
            case .local(let service):
                input = try service.prepare(request.messages, id: request.id)
                key = input!.cacheKey
            case .scorer:
                input = nil
                key = request.id
            }
            if let cache, let hit = await cache.lookup(key) {
                table[request.id] = hit
                stats.cacheHits += 1
            } else {
                pending.append((request, key, input, input?.ids.count ?? request.messages.reduce(0) { $0 + $1.content.utf8.count }))
            }
        }
        // Similar lengths together; the order does not affect scores.
        pending.sort { $0.length != $1.length ? $0.length > $1.length : $0.request.id < $1.request.id }
        var tokens: Int?
        progress.report(ProgressEvent(task: "scoring", completed: stats.cacheHits, total: requests.count, unit: "responses"))
        var index = 0
        while index < pending.count {
            let batch = pending[index..<min(index + batchSize, pending.count)]
            let scores: [Float]
            switch backend {
            case .local(let service):
                let inputs = batch.map { $0.input! }
                scores = try await service.score(inputs)
                tokens = (tokens ?? 0) + inputs.reduce(0) { $0 + $1.ids.count }
            case .scorer(let scorer):
                scores = try await scorer.score(conversations: batch.map { $0.request.messages })
            }
            guard scores.count == batch.count else {
                throw EvalError.scorer(reason: "returned \(scores.count) scores for \(batch.count) conversations")
            }
            var toStore: [(key: String, score: Double)] = []
            for (item, score) in zip(batch, scores) {
                guard score.isFinite else {
                    throw EvalError.scorer(reason: "returned a non-finite score (\(score)) for request \(item.request.id)")
                }
                table[item.request.id] = Double(score)
                toStore.append((item.key, Double(score)))
            }
            if let cache { try await cache.store(toStore) }
            index += batch.count
            stats.scored = index
            progress.report(ProgressEvent(task: "scoring", completed: stats.cacheHits + index, total: requests.count, unit: "responses"))
        }
        stats.tokens = tokens
        stats.seconds = Date().timeIntervalSince(started)
        return ScoringOutcome(table: table, statistics: stats)
    }
}
