import Foundation
import SynprefCore
import SynprefModels

/// A scorer that names conversations in its errors and says how many tokens it read (for
/// tokens/s): the local `RewardModel`.
public protocol TokenCountingScorer: RewardScorer {
    /// Scores `conversations` (named `ids` in errors); `tokens` is what the model read.
    func scoreWithTokenCount(conversations: [[ChatMessage]], ids: [String]) async throws -> (scores: [Float], tokens: Int)
}

extension RewardModel: TokenCountingScorer {
    public func scoreWithTokenCount(conversations: [[ChatMessage]], ids: [String]) async throws -> (scores: [Float], tokens: Int) {
        try scoreCounting(conversations: conversations, ids: ids)
    }
}

/// Scores requests with a local reward model (any `RewardScorer`), in batches, through the
/// persistent `ScoreCache`.
///
/// The cache key is SHA-256 of the exact model input. By default the input is the canonical
/// messages JSON (the request id); set `renderInput` to the text the model's tokenizer reads
/// (`TextFrontEnd.renderedText(for:)`: with the fingerprint, which covers the tokenizer, the
/// template and the length options, it determines the token ids). Tokens/s come from a
/// `TokenCountingScorer`, or from `countTokens` when set.
public struct ModelScoreSource: ScoreSource {
    public let scorer: any RewardScorer
    public var batchSize: Int
    public var cache: ScoreCache?
    /// Exact text the model is fed for a conversation (the cache-key hook).
    public var renderInput: (@Sendable ([ChatMessage]) throws -> String)?
    /// Token count of a conversation as the model sees it (for tokens/s).
    public var countTokens: (@Sendable ([ChatMessage]) throws -> Int)?

    public init(scorer: any RewardScorer, batchSize: Int = 8, cache: ScoreCache? = nil) {
        self.scorer = scorer
        self.batchSize = max(1, batchSize)
        self.cache = cache
    }

    public var provenance: ScoreProvenance { ScoreProvenance(kind: .model, identity: scorer.fingerprint) }

    /// The cache key of a request.
    public func cacheKey(_ request: ScoreRequest) throws -> String {
        guard let renderInput else { return request.id }
        return SHA256.hex(try renderInput(request.messages))
    }

    public func scores(for requests: [ScoreRequest], progress: any ProgressObserver) async throws -> ScoringOutcome {
        let started = Date()
        var stats = ScoringStatistics()
        stats.requested = requests.count
        var table = ScoreTable()
        var pending: [(request: ScoreRequest, key: String, length: Int)] = []
        for request in requests {
            let key = try cacheKey(request)
            if let cache, let hit = await cache.lookup(key) {
                table[request.id] = hit
                stats.cacheHits += 1
            } else {
                pending.append((request, key, request.messages.reduce(0) { $0 + $1.content.utf8.count }))
            }
        }
        // Similar lengths in a batch waste less padding; the order does not affect scores.
        pending.sort { $0.length != $1.length ? $0.length > $1.length : $0.request.id < $1.request.id }
        var tokens = countTokens == nil ? nil : 0
        progress.report(ProgressEvent(task: "scoring", completed: stats.cacheHits, total: requests.count, unit: "responses"))
        var index = 0
        while index < pending.count {
            let batch = pending[index..<min(index + batchSize, pending.count)]
            let conversations = batch.map { $0.request.messages }
            let scores: [Float]
            if countTokens == nil, let counting = scorer as? any TokenCountingScorer {
                let result = try await counting.scoreWithTokenCount(conversations: conversations, ids: batch.map { $0.request.id })
                scores = result.scores
                tokens = (tokens ?? 0) + result.tokens
            } else {
                scores = try await scorer.score(conversations: conversations)
            }
            guard scores.count == conversations.count else {
                throw EvalError.scorer(reason: "returned \(scores.count) scores for \(conversations.count) conversations")
            }
            var toStore: [(key: String, score: Double)] = []
            for (item, score) in zip(batch, scores) {
                guard score.isFinite else {
                    throw EvalError.scorer(reason: "returned a non-finite score (\(score)) for request \(item.request.id)")
                }
                table[item.request.id] = Double(score)
                toStore.append((item.key, Double(score)))
            }
            if let countTokens, let t = tokens { tokens = t + (try conversations.reduce(0) { $0 + (try countTokens($1)) }) }
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
