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
        switch backend {
        case .local(let service): return try await localScores(requests, service: service, progress: progress)
        case .scorer(let scorer): return try await scorerScores(requests, scorer: scorer, progress: progress)
        }
    }

    /// The local engine: each conversation rendered once, batches of similar length through
    /// `CachedScoring` (or straight to the service without a cache).
    private func localScores(_ requests: [ScoreRequest], service: ScoringService,
                             progress: any ProgressObserver) async throws -> ScoringOutcome {
        let started = Date()
        var stats = ScoringStatistics()
        stats.requested = requests.count
        var table = ScoreTable()
        var items = try requests.map { (request: $0, input: try service.prepare($0.messages, id: $0.id)) }
        // Similar lengths together; the order does not affect scores.
        items.sort { $0.input.ids.count != $1.input.ids.count ? $0.input.ids.count > $1.input.ids.count : $0.request.id < $1.request.id }
        let cached: CachedScoring? = try cache.map { try CachedScoring(service: service, cache: $0) }
        var tokens = 0, done = 0
        progress.report(ProgressEvent(task: "scoring", completed: 0, total: requests.count, unit: "responses"))
        while done < items.count {
            let batch = items[done..<min(done + batchSize, items.count)]
            let inputs = batch.map(\.input)
            let results: [(score: Float, cached: Bool)]
            if let cached {
                results = try await cached.score(inputs)
            } else {
                results = try await service.score(inputs).map { ($0, false) }
            }
            for (item, result) in zip(batch, results) {
                guard result.score.isFinite else {
                    throw EvalError.scorer(reason: "returned a non-finite score (\(result.score)) for request \(item.request.id)")
                }
                table[item.request.id] = Double(result.score)
                if result.cached {
                    stats.cacheHits += 1
                } else {
                    stats.scored += 1
                    tokens += item.input.ids.count
                }
            }
            done += batch.count
            progress.report(ProgressEvent(task: "scoring", completed: done, total: requests.count, unit: "responses"))
        }
        stats.tokens = stats.scored > 0 ? tokens : nil
        stats.seconds = Date().timeIntervalSince(started)
        return ScoringOutcome(table: table, statistics: stats)
    }

    /// Another scorer, keyed by request id.
    private func scorerScores(_ requests: [ScoreRequest], scorer: any RewardScorer,
                              progress: any ProgressObserver) async throws -> ScoringOutcome {
        let started = Date()
        var stats = ScoringStatistics()
        stats.requested = requests.count
        var table = ScoreTable()
        var pending: [ScoreRequest] = []
        for request in requests {
            if let cache, let hit = await cache.lookup(request.id) {
                table[request.id] = hit
                stats.cacheHits += 1
            } else {
                pending.append(request)
            }
        }
        // Similar lengths together; the order does not affect scores.
        let length = { (r: ScoreRequest) in r.messages.reduce(0) { $0 + $1.content.utf8.count } }
        pending.sort { length($0) != length($1) ? length($0) > length($1) : $0.id < $1.id }
        progress.report(ProgressEvent(task: "scoring", completed: stats.cacheHits, total: requests.count, unit: "responses"))
        var index = 0
        while index < pending.count {
            let batch = pending[index..<min(index + batchSize, pending.count)]
            let scores = try await scorer.score(conversations: batch.map(\.messages))
            guard scores.count == batch.count else {
                throw EvalError.scorer(reason: "returned \(scores.count) scores for \(batch.count) conversations")
            }
            var toStore: [(key: String, score: Double)] = []
            for (request, score) in zip(batch, scores) {
                guard score.isFinite else {
                    throw EvalError.scorer(reason: "returned a non-finite score (\(score)) for request \(request.id)")
                }
                table[request.id] = Double(score)
                toStore.append((request.id, Double(score)))
            }
            if let cache { try await cache.store(toStore) }
            index += batch.count
            stats.scored = index
            progress.report(ProgressEvent(task: "scoring", completed: stats.cacheHits + index, total: requests.count, unit: "responses"))
        }
        stats.seconds = Date().timeIntervalSince(started)
        return ScoringOutcome(table: table, statistics: stats)
    }
}
