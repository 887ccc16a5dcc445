import Foundation
import Testing
import SynprefCore
@testable import SynprefCLI
import SynprefTestSupport

/// `synpref embed` then `synpref retrieve` on the real all-MiniLM-L6-v2, and the errors
/// for bad input lines.
@Suite(.computeThreads) struct EmbedRetrieveCommandTests {
    func temp(_ name: String, _ contents: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-embed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    func lines(_ path: String) throws -> [JSONValue] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors"), "needs MiniLM (scripts/fetch-assets.sh)"))
    func embedThenRetrieveFindsTheParaphrase() async throws {
        let model = try #require(SynprefAssets.locate("minilm")).path
        let corpusText = """
            {"id": "c-cat", "text": "A cat is sleeping on the sofa."}
            {"id": "c-stock", "text": "The stock market fell sharply today."}
            {"id": "c-pasta", "text": "Boil the pasta for ten minutes, then drain it."}
            {"id": "c-rain", "text": "It will rain heavily tomorrow afternoon."}
            """
        let queryText = """
            {"id": "q-kitten", "text": "A kitten naps on the couch."}
            {"id": "q-weather", "text": "Expect a downpour tomorrow."}
            """
        let corpusIn = try temp("corpus.jsonl", corpusText), queriesIn = try temp("queries.jsonl", queryText)
        let corpusOut = try temp("corpus-emb.jsonl"), queriesOut = try temp("queries-emb.jsonl")
        try await runSynpref(["embed", "--model", model, "--input", corpusIn, "--output", corpusOut, "--threads", "2"])
        try await runSynpref(["embed", "--model", model, "--input", queriesIn, "--output", queriesOut, "--threads", "2"])
        let embedded = try lines(corpusOut)
        #expect(embedded.map { $0["id"]?.stringValue } == ["c-cat", "c-stock", "c-pasta", "c-rain"])
        let v = embedded[0]["embedding"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(v.count == 384 && abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)

        let out = try temp("neighbours.jsonl")
        try await runSynpref(["retrieve", "--corpus", corpusOut, "--queries", queriesOut, "--k", "2", "--output", out])
        let got = try lines(out)
        #expect(got.map { $0["id"]?.stringValue } == ["q-kitten", "q-weather"])
        #expect(got[0]["neighbours"]?.arrayValue?.first?["id"]?.stringValue == "c-cat")
        #expect(got[1]["neighbours"]?.arrayValue?.first?["id"]?.stringValue == "c-rain")
        #expect(got.allSatisfy { $0["neighbours"]?.arrayValue?.count == 2 })

        // The paper's rule: p ≤ 0.5 → k-max; p = 0.75 → ⌈2 × 0.25⌉ = 1.
        let conf = try temp("conf.jsonl", "{\"id\": \"q-kitten\", \"p\": 0.2}\n{\"id\": \"q-weather\", \"p\": 0.75}\n")
        try await runSynpref(["retrieve", "--corpus", corpusOut, "--queries", queriesOut, "--k-rule", "skywork",
                              "--confidence", conf, "--k-max", "2", "--output", out])
        #expect(try lines(out).map { $0["neighbours"]?.arrayValue?.count } == [2, 1])

        // Preference pairs are embedded as (x, a); ids come from the records.
        let pairs = try temp("pairs.jsonl", "{\"id\": \"x1\", \"prompt\": \"A cat naps.\", \"chosen\": \"a\", \"rejected\": \"b\"}\n{\"prompt\": \"Rain soon.\", \"chosen\": \"a\", \"rejected\": \"b\"}\n")
        let pairsOut = try temp("pairs-emb.jsonl")
        try await runSynpref(["embed", "--model", model, "--input", pairs, "--output", pairsOut, "--threads", "2"])
        #expect(try lines(pairsOut).map { $0["id"]?.stringValue } == ["x1", "\(pairs):2"])

        // The same corpus as a .npy matrix (with its ids file) gives the same neighbours.
        let npy = try temp("corpus.npy")
        try await runSynpref(["embed", "--model", model, "--input", corpusIn, "--output", npy, "--threads", "2"])
        #expect(FileManager.default.fileExists(atPath: npy + ".ids.jsonl"))
        let fromNpy = try temp("neighbours-npy.jsonl")
        try await runSynpref(["retrieve", "--corpus", npy, "--queries", queriesOut, "--k", "2", "--output", fromNpy])
        try await runSynpref(["retrieve", "--corpus", corpusOut, "--queries", queriesOut, "--k", "2", "--output", out])
        func neighbourIDs(_ path: String) throws -> [[String]] {
            try lines(path).map { line in (line["neighbours"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue } }
        }
        let fromMatrix = try neighbourIDs(fromNpy)
        let fromLines = try neighbourIDs(out)
        #expect(fromMatrix == fromLines && fromMatrix.count == 2)
    }

    @Test(arguments: [
        ("{\"id\": \"a\", \"embedding\": [1, 0]}\n{\"id\": \"b\", \"embedding\": [1]}\n", "2: embedding has 1 components"),
        ("{\"id\": \"a\", \"embedding\": [1, 0]}\n{\"id\": \"a\", \"embedding\": [0, 1]}\n", "\"a\" appears twice"),
        ("{\"id\": \"a\", \"embedding\": [1, \"x\"]}\n", "1: embedding[1]: expected a finite number"),
        ("{\"id\": 3, \"embedding\": [1]}\n", "1: id: expected a string"),
        ("{\"id\": \"a\"\n", "1: (line): not valid JSON"),
    ])
    func badEmbeddingLinesNameFileAndLine(contents: String, message: String) async throws {
        let corpus = try temp("bad.jsonl", contents)
        let queries = try temp("q.jsonl", "{\"id\": \"q\", \"embedding\": [1, 0]}\n")
        await #expect {
            try await runSynpref(["retrieve", "--corpus", corpus, "--queries", queries, "--k", "1"])
        } throws: { error in
            "\(error)".contains(corpus) && "\(error)".contains(message)
        }
    }

    @Test func aQueryWithoutConfidenceIsAnError() async throws {
        let corpus = try temp("c.jsonl", "{\"id\": \"c\", \"embedding\": [1, 0]}\n")
        let queries = try temp("q.jsonl", "{\"id\": \"q\", \"embedding\": [1, 0]}\n")
        let conf = try temp("p.jsonl", "{\"id\": \"other\", \"p\": 0.3}\n")
        await #expect {
            try await runSynpref(["retrieve", "--corpus", corpus, "--queries", queries, "--k-rule", "skywork", "--confidence", conf])
        } throws: { error in "\(error)".contains("no confidence for query \"q\"") }
        #expect(throws: (any Error).self) { try RetrieveCommand.parse(["--corpus", corpus, "--queries", queries]) }
    }
}
