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

    /// Threads that scan score rows into the heaps (BLAS has its own).
    static let threads = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    public init() {}

    /// `corpus` is [n × dimension] row-major, `queries` [q × dimension]; `k[i]` neighbours
    /// for query i (0 allowed).
    public func search(corpus: UnsafeBufferPointer<Float>, queries: UnsafeBufferPointer<Float>, dimension d: Int,
                       k: [Int], exclude: (@Sendable (_ query: Int, _ corpusIndex: Int) -> Bool)? = nil) -> [[Neighbour]] {
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
                // Each query's heap is its own: rows are scanned on all threads at once.
                let (first, tile, base) = (q0, cn, c0)
                let scoresAddress = Int(bitPattern: scores)
                heaps.withUnsafeMutableBufferPointer { hs in
                    let heapsAddress = Int(bitPattern: hs.baseAddress)
                    let workers = Swift.min(ExactSearch.threads, qn)
                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                        guard let hp = UnsafeMutablePointer<BoundedHeap>(bitPattern: heapsAddress),
                              let sp = UnsafePointer<Float>(bitPattern: scoresAddress) else { return }
                        var i = w
                        while i < qn {
                            let query = first + i
                            if k[query] > 0 { hp[query].scan(sp + i * tile, count: tile, base: base, query: query, exclude: exclude) }
                            i += workers
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

    /// Offers one row of scores (corpus rows `base ..< base + count`, in increasing order,
    /// so an equal similarity seen later ranks lower and is not taken once the heap is
    /// full).
    mutating func scan(_ row: UnsafePointer<Float>, count: Int, base: Int, query: Int,
                       exclude: (@Sendable (_ query: Int, _ corpusIndex: Int) -> Bool)?) {
        guard capacity > 0 else { return }
        var threshold = items.count < capacity ? -Float.infinity : items[0].similarity
        var j = 0
        while j < count {
            let s = row[j]
            if s > threshold || (items.count < capacity && s == threshold) {
                if exclude?(query, base + j) != true {
                    insert(ExactSearch.Neighbour(index: base + j, similarity: s))
                    if items.count == capacity { threshold = items[0].similarity }
                }
            }
            j += 1
        }
    }

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
