import Foundation
import SynprefCore
import Testing
@testable import SynprefData

@Suite struct DecontaminationTests {
    @Test func wordsAreSplitAsThePythonReferenceSplitsThem() throws {
        let reader = try JSONRecordReader(path: try fixture("expected/words.jsonl").path)
        var n = 0
        while let r = try reader.next() {
            let v = try r.parse()
            let text = try #require(v["text"]?.stringValue)
            let words = v["words"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(NGramTokenizer.words(text) == words, "\(text)")
            // The hashed path must see the same words as the readable one.
            var hashes: [UInt64] = []
            NGramTokenizer(n: 1).forEachWordHash(text) { hashes.append($0) }
            var expected: [UInt64] = []
            for w in words { NGramTokenizer(n: 1).forEachWordHash(w) { expected.append($0) } }
            #expect(hashes == expected, "\(text)")
            n += 1
        }
        #expect(n == 5)
    }

    @Test func ngramsNeedNWordsAndSlideOneByOne() {
        var count = 0
        NGramTokenizer(n: 3).forEachNGram("a b c d e") { _ in count += 1 }
        #expect(count == 3)  // 5 words, 3-grams: 5 - 3 + 1
        var none = 0
        NGramTokenizer(n: 13).forEachNGram("too short") { _ in none += 1 }
        #expect(none == 0)
        // Same words, different case and punctuation: same n-gram hashes.
        var a: [UInt64] = []
        var b: [UInt64] = []
        NGramTokenizer(n: 2).forEachNGram("Hello, WORLD again") { a.append($0) }
        NGramTokenizer(n: 2).forEachNGram("hello world -- again!") { b.append($0) }
        #expect(a == b)
    }

    static func loadDecontaminator() throws -> Decontaminator {
        let prompts = try BenchmarkPromptSet.load(directory: try fixture("benchmarks").path)
        #expect(prompts.benchmarks.map(\.name) == ["judgebench", "rewardbench2", "rm-bench", "rmb"])
        return try Decontaminator(prompts: prompts)
    }

    static func expectedBenchmarks() throws -> [Int: [String]] {
        let reader = try JSONRecordReader(path: try fixture("expected/decontam.jsonl").path)
        var out: [Int: [String]] = [:]
        while let r = try reader.next() {
            let v = try r.parse()
            out[v["line"]?.intValue ?? 0] = v["benchmarks"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        return out
    }

    @Test func flagsTheSamePairsAsThePythonReference() throws {
        let d = try DecontaminationTests.loadDecontaminator()
        let expected = try DecontaminationTests.expectedBenchmarks()
        let reader = try PreferenceFileReader(path: try fixture("decontam-pairs.jsonl").path, source: "d", format: .trl)
        var checked = 0
        while let batch = try reader.nextBatch() {
            for o in batch {
                let p = try #require(o.pairs.first)
                #expect(d.names(d.contamination(of: p.pair)).sorted() == expected[o.line], "line \(o.line)")
                checked += 1
            }
        }
        #expect(checked == expected.count)
        #expect(expected.values.contains { !$0.isEmpty } && expected.values.contains { $0.isEmpty })
    }

    @Test(arguments: StoreKind.available)
    func storeRunDiscardsAndReportsPerBenchmark(kind: StoreKind) async throws {
        let d = try DecontaminationTests.loadDecontaminator()
        let expected = try DecontaminationTests.expectedBenchmarks()
        let pairsFile = try fixture("decontam-pairs.jsonl").path
        let contaminated = expected.values.filter { !$0.isEmpty }.count
        var perBenchmark: [String: Int] = [:]
        for names in expected.values { for n in names { perBenchmark[n, default: 0] += 1 } }
        let expectedPerBenchmark = perBenchmark
        let total = expected.count
        try await withTestStore(kind) { t in
            try await DecontaminationTests.checkStoreRun(t.store, d, pairsFile, total: total, contaminated: contaminated, perBenchmark: expectedPerBenchmark)
        }
    }

    static func checkStoreRun(_ store: any PreferenceStore, _ d: Decontaminator, _ pairsFile: String, total: Int, contaminated: Int,
                              perBenchmark: [String: Int]) async throws {
        _ = try await PreferenceImporter(store: store, options: ImportOptions(format: .trl)).run([pairsFile])
        let report = try await d.run(store: store, pageSize: 4)
        #expect(report.flagged == contaminated)
        #expect(report.scanned == total)
        #expect(report.perBenchmark == perBenchmark)
        let discarded = try await store.count(tier: .discarded)
        #expect(discarded == contaminated)
        // A second run finds nothing new.
        let again = try await d.run(store: store)
        #expect(again.flagged == 0)
    }
}
