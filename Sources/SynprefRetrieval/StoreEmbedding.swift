import Foundation
import SynprefCore
import SynprefData

/// Embeds the stored pairs that have no vector from an embedder yet, as `(x, a)` text
/// (`PairText`), and saves the vectors chunk by chunk: a run killed at any point keeps every
/// saved chunk, and the next run embeds only what is missing. Vectors are kept per embedder
/// key (`key(_:promptName:)`), so a changed model never mixes with old vectors.
///
/// A pair's vector reflects its attributes when it was embedded: embed after
/// `synpref judge attributes`.
public enum StoreEmbedding {
    /// The store key of an embedder's vectors: its fingerprint (weights, pooling,
    /// normalisation, maximum length, tokenizer), and the prompt when one is used.
    public static func key(_ embedder: SentenceEmbedder, promptName: String?) -> String {
        guard let promptName else { return embedder.fingerprint }
        return embedder.fingerprint + "+prompt:" + promptName
    }

    public struct Report: Sendable {
        public var embedded = 0, tokens = 0
        /// Of those, pairs embedded without attributes (they had none).
        public var withoutAttributes = 0
        /// Pairs of the tier that had a vector already.
        public var present = 0
    }

    /// Embeds every pair of `tier` (nil: all; contaminated pairs never) lacking a vector
    /// under `key`. `onChunk` gets (embedded so far, to embed in all) after each saved chunk.
    public static func run(store: any PreferenceStore, embedder: SentenceEmbedder, key: String, tier: PreferenceTier?,
                           format: EmbeddingFormat = .f32, prompt: String = "", chunk: Int = 256,
                           onChunk: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> Report {
        let (present, pairs) = try await store.embeddingCount(embedder: key, tier: tier)
        var report = Report()
        report.present = present
        let total = max(0, pairs - present)
        onChunk(0, total) // the clock of the rate and ETA starts now, not after the first chunk
        var after: Int64 = 0
        while true {
            let page = try await store.pairsWithoutEmbedding(embedder: key, tier: tier, afterID: after, limit: chunk)
            guard let last = page.last?.id else { break }
            after = last
            let ids = page.map { p -> [Int] in
                if p.attributes == nil { report.withoutAttributes += 1 }
                return embedder.tokenize(pair: p, prompt: prompt)
            }
            report.tokens += ids.reduce(0) { $0 + $1.count }
            let vectors = try embedder.embed(tokenized: ids)
            try await store.saveEmbeddings(zip(page, vectors).map { ($0.id!, $1) }, embedder: key, format: format)
            report.embedded += page.count
            onChunk(report.embedded, total)
        }
        return report
    }
}
