// pgvector at scale, through the PostgreSQL store as `synpref retrieve --store --search index`
// uses it: N synthetic unit vectors (d = 384, around 1,000 cluster centres, seeded) stored as
// embeddings of N pairs, the HNSW index built (`updateVectorIndex`: copy into the vector
// table, then CREATE INDEX), then Q queries top-8 among the unverified pairs at several
// ef_search values: queries/s, and recall@8 against exact search over the same vectors
// (`ExactSearch`, BLAS) in this process.
//
// usage: synpref-pgvector-bench --store postgres://... [--n 1000000] [--queries 1000] [--npy FILE]
//        (the store should be fresh: a new schema, e.g. ?schema=bench1m)
//
// With --npy, the vectors are real ones from a float32 matrix (`synpref embed --output
// X.npy`, e.g. of benchmarks/retrieval/real_texts.py's texts): the last `--queries` rows are
// the queries, the others the corpus (N is then the matrix's rows minus the queries).
import Foundation
import SynprefCore
import SynprefData
import SynprefRetrieval

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

let url = argument("--store") ?? ""
let q = Int(argument("--queries") ?? "") ?? 1000
let real = try argument("--npy").map { try NpyMatrix(path: $0) }
let n = real.map { $0.rows - q } ?? Int(argument("--n") ?? "") ?? 1_000_000
let d = real?.columns ?? 384
guard url.hasPrefix("postgres") else { print("give --store postgres://..."); exit(2) }

/// Seeded unit vectors around 1,000 centres.
struct Generator {
    var state: UInt64
    let centres: [[Float]]
    init(seed: UInt64) {
        state = seed
        var s = seed
        centres = (0..<1000).map { _ in (0..<384).map { _ in Float(Generator.gaussian(&s)) } }
    }
    static func gaussian(_ s: inout UInt64) -> Double {
        func u(_ s: inout UInt64) -> Double {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Double(s >> 11) / Double(1 << 53)
        }
        return (-2 * log(max(u(&s), 1e-300))).squareRoot() * cos(2 * .pi * u(&s))
    }
    mutating func next(_ i: Int) -> [Float] {
        let c = centres[Int((UInt64(i) &* 2654435761) % 1000)]
        var v = c.map { $0 + 0.8 * Float(Generator.gaussian(&state)) }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for j in v.indices { v[j] /= norm }
        return v
    }
}

let store = try await PostgresPreferenceStore(url: url)
guard case .available(let version) = try await store.vectorSearchAvailability() else { print("no pgvector on this server"); exit(1) }
print("\(version); N = \(n), d = \(d), \(q) queries, k = 8; vectors: \(argument("--npy") ?? "synthetic (1,000 noisy clusters)")")
var gen = Generator(seed: 42)
var corpus = [Float]()
corpus.reserveCapacity(n * d)
var ids: [Int64] = []
let t0 = Date()
var start = 0
if try await store.count(tier: nil) == 0 {
    while start < n {
        let end = min(n, start + 5000)
        let pairs = (start..<end).map { i in
            PreparedPair(PreferencePair(context: [ChatMessage(role: .user, content: "q\(i)")], chosen: ChatMessage(role: .assistant, content: "a\(i)"),
                                        rejected: ChatMessage(role: .assistant, content: "b\(i)"), source: "bench"))
        }
        let outcomes = try await store.insert(pairs, importID: "bench")
        let newIDs = outcomes.compactMap { if case .inserted(let id) = $0 { id } else { nil } }
        var vectors: [(pairID: Int64, vector: [Float])] = []
        for (k, id) in newIDs.enumerated() {
            let v = real.map { m in Array(m.values[(start + k) * d..<(start + k + 1) * d]) } ?? gen.next(start + k)
            corpus += v
            vectors.append((id, v))
        }
        ids += newIDs
        try await store.saveEmbeddings(vectors, embedder: "bench", format: .f32)
        start = end
        if start % 100_000 == 0 { print("  stored \(start) pairs and vectors (\(Int(Date().timeIntervalSince(t0))) s)") }
    }
} else {
    print("the store already holds pairs: use a fresh schema"); exit(2)
}
print(String(format: "stored %d pairs with vectors in %.0f s", n, Date().timeIntervalSince(t0)))
let t1 = Date()
_ = try await store.updateVectorIndex(embedder: "bench") { added in
    if added % 100_000 == 0 { print("  copied \(added) vectors into the vector table (\(Int(Date().timeIntervalSince(t1))) s)") }
}
print(String(format: "index built (copy + HNSW m=16 ef_construction=64) in %.0f s", Date().timeIntervalSince(t1)))

var queries: [[Float]] = []
for i in 0..<q { queries.append(real.map { m in Array(m.values[(n + i) * d..<(n + i + 1) * d]) } ?? gen.next(n + i)) }
let exact = corpus.withUnsafeBufferPointer { c in
    queries.flatMap { $0 }.withUnsafeBufferPointer { qs in ExactSearch().search(corpus: c, queries: qs, dimension: d, k: Array(repeating: 8, count: q)) }
}
let truth = exact.map { Set($0.map { ids[$0.index] }) }
for ef in [40, 100, 200] {
    let t = Date()
    let found = try await store.nearest(embedder: "bench", queries: queries, k: Array(repeating: 8, count: q), tier: .unverified, efSearch: ef)
    let seconds = Date().timeIntervalSince(t)
    let hits = zip(found, truth).reduce(0) { $0 + Set($1.0.map(\.pairID)).intersection($1.1).count }
    print(String(format: "ef_search %3d: %.1f queries/s (%d queries, 4 connections), recall@8 %.4f", ef, Double(q) / seconds, q, Double(hits) / Double(8 * q)))
}
try await store.close()
