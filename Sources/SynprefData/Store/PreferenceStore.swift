/// Where preference pairs live between curation steps: one schema, two implementations —
/// `SQLitePreferenceStore` (embedded default, `sqlite:./synpref.db`) and
/// `PostgresPreferenceStore` (`postgres://…`, many workers on many machines) — each playing
/// seven roles:
///
/// - `PairStore`: the pairs themselves (insert, read, page, count, stats);
/// - `CurationLog`: what curation decided about them (labels, attributes, tier moves,
///   contamination marks), append-only;
/// - `WorkQueue`: tasks leased to workers (LLM judges, human annotators);
/// - `ResponseLog`: LLM judges' answers by request (their shared answer cache);
/// - `EmbeddingStore`: sentence embeddings per (embedder, pair);
/// - `ProjectLog`: curation projects' configurations and step records;
/// - `AnnotationStore`: the annotation app's accounts, sessions and project settings.
///
/// Code that needs one role takes that protocol; `PreferenceStores.open` returns all three.
/// The conformance suites (`PairStoreConformanceTests`, `CurationLogConformanceTests`,
/// `WorkQueueConformanceTests`) check every guarantee on both implementations.
public protocol PreferenceStore: PairStore, CurationLog, WorkQueue, ResponseLog, EmbeddingStore, ProjectLog, AnnotationStore {
    /// Closes the store's connections; the store must not be used afterwards.
    func close() async throws
}
