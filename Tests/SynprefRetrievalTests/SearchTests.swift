import Foundation
import Testing
@testable import SynprefRetrieval
import SynprefTestSupport

/// Exact search against a double-precision brute force (k best by similarity, ties by
/// index), and the paper's adaptive k.
@Suite(.computeThreads) struct SearchTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
    }

    @Test(arguments: [(1, 1, 8, 1), (37, 5, 16, 3), (1000, 33, 24, 8), (5000, 300, 8, 20)])
    func topKEqualsBruteForce(n: Int, q: Int, d: Int, k: Int) {
        var rng = Rng(state: UInt64(n * 31 + q))
        let corpus = (0..<(n * d)).map { _ in rng.next() }
        var queries = (0..<(q * d)).map { _ in rng.next() }
        // A query equal to a corpus row, and a duplicated corpus row, make exact ties.
        for j in 0..<d { queries[j] = corpus[j] }
        var search = ExactSearch()
        search.queryBlock = 7
        search.corpusTile = 97
        let ks = (0..<q).map { $0 % 3 == 2 ? 0 : k }
        let got = corpus.withUnsafeBufferPointer { c in queries.withUnsafeBufferPointer { qq in
            search.search(corpus: c, queries: qq, dimension: d, k: ks)
        } }
        for i in 0..<q {
            var sims: [(Int, Double)] = (0..<n).map { r in
                (r, (0..<d).reduce(0.0) { $0 + Double(queries[i * d + $1]) * Double(corpus[r * d + $1]) })
            }
            sims.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let want = sims.prefix(min(ks[i], n))
            #expect(got[i].count == want.count)
            // The same neighbours, unless two similarities are within f32 rounding of each other.
            for (g, w) in zip(got[i], want) {
                #expect(g.index == w.0 || abs(Double(g.similarity) - w.1) <= 1e-5, "query \(i): \(g) vs \(w)")
                #expect(abs(Double(g.similarity) - w.1) <= 1e-5)
            }
            for (a, b) in zip(got[i], got[i].dropFirst()) { #expect(a.similarity >= b.similarity) }
        }
    }

    @Test func excludedRowsAreSkipped() {
        let corpus: [Float] = [1, 0, 0.9, 0.1, 0, 1]
        let query: [Float] = [1, 0]
        let got = corpus.withUnsafeBufferPointer { c in query.withUnsafeBufferPointer { q in
            ExactSearch().search(corpus: c, queries: q, dimension: 2, k: [2]) { _, row in row == 0 }
        } }
        #expect(got[0].map(\.index) == [1, 2])
    }

    @Test func skyworkAdaptiveK() {
        let rule = KRule.skywork(kMax: 8)
        #expect(rule.k(confidence: 0.1) == 8)
        #expect(rule.k(confidence: 0.5) == 8)
        #expect(rule.k(confidence: 0.5001) == 4)
        #expect(rule.k(confidence: 0.75) == 2)
        #expect(rule.k(confidence: 0.9) == 1)
        #expect(rule.k(confidence: 0.99) == 1)
        #expect(rule.k(confidence: 1.0) == 0)
        #expect(rule.k(confidence: nil) == nil)
        #expect(rule.k(confidence: 1.5) == nil)
        #expect(KRule.fixed(3).k(confidence: nil) == 3)
    }
}

/// `.npy` matrices: NumPy's own file (scripts/reference/npy_fixture.py) reads back, and
/// ours reads back in NumPy's layout.
@Suite(.computeThreads) struct NpyMatrixTests {
    @Test func readsNumpysFileAndRoundTripsOurs() throws {
        let url = try #require(Bundle.module.url(forResource: "numpy-3x4", withExtension: "npy", subdirectory: "Fixtures"))
        let m = try NpyMatrix(path: url.path)
        #expect(m.rows == 3 && m.columns == 4)
        var want: [Float] = []
        for r in 0..<3 { for c in 0..<4 { want.append(Float(r * 10 + c) + 0.5) } }
        #expect(Array(m.values) == want)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("m-\(UUID().uuidString).npy").path
        try NpyMatrix.write([1, 2, 3, 4, 5, 6], rows: 2, columns: 3, to: path)
        let back = try NpyMatrix(path: path)
        #expect(back.rows == 2 && back.columns == 3 && Array(back.values) == [1, 2, 3, 4, 5, 6])
        // The header is padded so the data starts on a 64-byte boundary, as NumPy writes it.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect((size - 24) % 64 == 0)
    }

    @Test func aMatrixThatIsNotFloat32IsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).npy").path
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0])
        data.append(contentsOf: Array(header.utf8) + [UInt8](repeating: 0, count: 8))
        try data.write(to: URL(fileURLWithPath: path))
        #expect { try NpyMatrix(path: path) } throws: { "\($0)".contains("not little-endian float32") }
    }
}
