import Foundation
import SynprefTensor

/// Exact top-k by inner product (cosine similarity for normalised vectors): query blocks ×
/// corpus tiles through BLAS, a bounded min-heap per query. Work and memory are bounded by
/// one tile of scores (`queryBlock` × `corpusTile` floats) besides the vectors themselves.
///
/// Results are the k largest similarities per query, by decreasing similarity, ties broken
/// by the smaller corpus index (callers that order ids break ties by id through the order
/// they give the corpus in). `exclude` drops corpus rows for a query (same prompt, already
/// chosen).
public struct ExactSearch: Sendable {
    public struct Neighbour: Sendable, Equatable {
        public var index: Int
        public var similarity: Float
    }

    public var queryBlock = 256
    public var corpusTile = 8192

    public init() {}

    /// `corpus` is [n × dimension] row-major, `queries` [q × dimension]; `k[i]` neighbours
    /// for query i (0 allowed).
    public func search(corpus: UnsafeBufferPointer<Float>, queries: UnsafeBufferPointer<Float>, dimension d: Int,
                       k: [Int], exclude: ((_ query: Int, _ corpusIndex: Int) -> Bool)? = nil) -> [[Neighbour]] {
        let n = corpus.count / d, q = queries.count / d
        precondition(k.count == q, "one k per query")
        var heaps = k.map { BoundedHeap(capacity: $0) }
        guard n > 0, q > 0, let kmax = k.max(), kmax > 0 else { return heaps.map { $0.sorted() } }
        let qb = Swift.max(1, Swift.min(queryBlock, q)), ct = Swift.max(1, Swift.min(corpusTile, n))
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: qb * ct)
        defer { scores.deallocate() }
        var q0 = 0
        while q0 < q {
            let qn = Swift.min(qb, q - q0)
            var c0 = 0
            while c0 < n {
                let cn = Swift.min(ct, n - c0)
                BLAS.sgemm(transB: true, m: qn, n: cn, k: d, a: queries.baseAddress! + q0 * d, lda: d,
                           b: corpus.baseAddress! + c0 * d, ldb: d, beta: 0, c: scores, ldc: cn)
                for i in 0..<qn where k[q0 + i] > 0 {
                    let row = scores + i * cn
                    let query = q0 + i
                    for j in 0..<cn {
                        let s = row[j]
                        if heaps[query].accepts(s), exclude?(query, c0 + j) != true {
                            heaps[query].insert(Neighbour(index: c0 + j, similarity: s))
                        }
                    }
                }
                c0 += cn
            }
            q0 += qn
        }
        return heaps.map { $0.sorted() }
    }
}

/// The k best neighbours seen so far: a min-heap on (similarity, then larger index worse).
struct BoundedHeap {
    let capacity: Int
    private var items: [ExactSearch.Neighbour] = []

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    /// a ranks below b: lower similarity, or equal similarity and a larger index.
    private static func worse(_ a: ExactSearch.Neighbour, _ b: ExactSearch.Neighbour) -> Bool {
        a.similarity < b.similarity || (a.similarity == b.similarity && a.index > b.index)
    }

    /// Whether a similarity could enter (a cheap pre-check; ties are decided by `insert`).
    func accepts(_ s: Float) -> Bool { items.count < capacity || s >= items[0].similarity }

    mutating func insert(_ x: ExactSearch.Neighbour) {
        guard capacity > 0 else { return }
        if items.count < capacity {
            items.append(x)
            var i = items.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                if Self.worse(items[i], items[p]) { items.swapAt(i, p); i = p } else { break }
            }
            return
        }
        guard Self.worse(items[0], x) else { return }
        items[0] = x
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && Self.worse(items[l], items[m]) { m = l }
            if r < items.count && Self.worse(items[r], items[m]) { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
    }

    /// Best first.
    func sorted() -> [ExactSearch.Neighbour] { items.sorted { Self.worse($1, $0) } }
}
