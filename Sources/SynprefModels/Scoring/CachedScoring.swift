/// A `ScoringService` behind a persistent `ScoreCache`, keyed by (the model's fingerprint,
/// the exact model input): evaluation, the server and curation score each input once, and
/// an interrupted run resumes from what was stored.
public struct CachedScoring: Sendable {
    public let service: ScoringService
    public let cache: ScoreCache

    /// The cache must be the one of this model (same fingerprint).
    public init(service: ScoringService, cache: ScoreCache) throws(ScoreCacheError) {
        guard cache.fingerprint == service.fingerprint else {
            throw .io(path: cache.path, reason: "the cache was opened for another model's fingerprint")
        }
        self.service = service
        self.cache = cache
    }

    /// Each input's score, and whether it came from the cache. Scores computed here are
    /// stored (and forced to disk) before this returns.
    public func score(_ inputs: [ModelInput]) async throws -> [(score: Float, cached: Bool)] {
        var out = [(score: Float, cached: Bool)](repeating: (.nan, false), count: inputs.count)
        var missing: [Int] = []
        for (i, input) in inputs.enumerated() {
            if let hit = await cache.lookup(input.cacheKey) {
                out[i] = (Float(hit), true)
            } else {
                missing.append(i)
            }
        }
        guard !missing.isEmpty else { return out }
        let scores = try await service.score(missing.map { inputs[$0] })
        var toStore: [(key: String, score: Double)] = []
        for (i, score) in zip(missing, scores) {
            out[i] = (score, false)
            if score.isFinite { toStore.append((inputs[i].cacheKey, Double(score))) }
        }
        try await cache.store(toStore)
        return out
    }
}
