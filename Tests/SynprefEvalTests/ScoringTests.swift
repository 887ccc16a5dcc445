import Foundation
import SynprefCore
import SynprefModels
import Testing
@testable import SynprefEval

@Suite("Requests, scores files, score cache, model source")
struct ScoringTests {
    // MARK: Request ids

    @Test("request ids are SHA-256 of Python's json.dumps(messages, ensure_ascii=False, separators=(',', ':'))")
    func canonicalIDs() {
        // Expected text and digest computed with CPython's json and hashlib (see the test name).
        let messages = [ChatMessage(role: .user, content: "a\"b\\c\nd\u{01}é/\t"), ChatMessage(role: .assistant, content: "ok")]
        #expect(ConversationCodec.canonical(messages) == #"[{"role":"user","content":"a\"b\\c\nd\u0001é/\t"},{"role":"assistant","content":"ok"}]"#)
        #expect(ScoreRequest(messages: messages).id == "9fdc0bf5bf7d2d82598332e061e1ee0f73b4318280299b961f5428a3e5fb498d")
        let line = ScoreRequest(messages: messages).jsonLine
        #expect(line.hasPrefix(#"{"id":"9fdc0bf5"#) && line.hasSuffix(#""content":"ok"}]}"#))
    }

    @Test("a response shared by two benchmarks is one request")
    func dedup() {
        var set = RequestSet()
        let a = set.add(singleTurn("q", "r"))
        let b = set.add(singleTurn("q", "r"))
        let c = set.add(singleTurn("q", "r2"))
        #expect(a == b && a != c && set.count == 2)
    }

    @Test("file hashes are the same on the fast UTF-8 path and the byte path")
    func fileHash() {
        #expect(DataFile.sha256(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let invalid = Data([0xFF, 0xFE, 0x00, 0x41])
        #expect(DataFile.sha256(invalid) == SHA256.hex(invalid))
        let long = Data(String(repeating: "héllo wörld ", count: 1000).utf8)
        #expect(DataFile.sha256(long) == SHA256.hex([UInt8](long)))
    }

    // MARK: Scores files

    @Test("a scores file answers requests by id; blank lines and identical repeats are fine")
    func scoresFile() throws {
        let scratch = try ScratchFolder()
        let path = try scratch.write("s.jsonl", "{\"id\": \"a\", \"score\": 1.5}\n\n{\"id\": \"b\", \"score\": -2}\n{\"id\": \"a\", \"score\": 1.5}\n")
        let s = try PrecomputedScores(path: path)
        #expect(s.table["a"] == 1.5 && s.table["b"] == -2 && s.table.count == 2)
        #expect(s.provenance.kind == .scoresFile && s.provenance.sha256?.count == 64)
    }

    @Test("bad scores lines are reported with their line number")
    func badScoresFile() throws {
        let scratch = try ScratchFolder()
        let conflict = try scratch.write("c.jsonl", "{\"id\": \"a\", \"score\": 1}\n{\"id\": \"a\", \"score\": 2}\n")
        expectEvalError(["c.jsonl", "line 2", "two different scores"]) { _ = try PrecomputedScores(path: conflict) }
        let text = try scratch.write("t.jsonl", "{\"id\": \"a\", \"score\": \"high\"}\n")
        expectEvalError(["t.jsonl", "line 1", "`score` must be a number"]) { _ = try PrecomputedScores(path: text) }
        let missing = try scratch.write("m.jsonl", "{\"id\": \"a\"}\n")
        expectEvalError(["m.jsonl", "line 1", "`score` is missing"]) { _ = try PrecomputedScores(path: missing) }
        let broken = try scratch.write("b.jsonl", "{\"id\": \"a\", \"score\": 1}\n{\"id\"\n")
        expectEvalError(["b.jsonl", "line 2", "not valid JSON"]) { _ = try PrecomputedScores(path: broken) }
        expectEvalError(["/nonexistent/s.jsonl", "cannot read"]) { _ = try PrecomputedScores(path: "/nonexistent/s.jsonl") }
        let array = try scratch.write("a.jsonl", "[\"a\", 1]\n")
        expectEvalError(["a.jsonl", "line 1", "must be an object, found array"]) { _ = try PrecomputedScores(path: array) }
        let numericID = try scratch.write("n.jsonl", "{\"id\": 7, \"score\": 1}\n")
        expectEvalError(["n.jsonl", "line 1", "`id` must be a string, found number"]) { _ = try PrecomputedScores(path: numericID) }
        let infinite = try scratch.write("i.jsonl", "{\"id\": \"a\", \"score\": 1e999}\n")
        expectEvalError(["i.jsonl", "line 1"]) { _ = try PrecomputedScores(path: infinite) }
    }

    @Test("missing scores are counted and named")
    func missingScores() {
        let requests = [ScoreRequest(messages: singleTurn("q", "a")), ScoreRequest(messages: singleTurn("q", "b"))]
        let table = ScoreTable([requests[0].id: 1])
        expectEvalError(["judgebench", "1 request(s) have no score", requests[1].id, "request file"]) {
            try table.checkCovers(requests, benchmark: "judgebench")
        }
    }

    // MARK: Model source

    /// Scores a conversation by the length of its last message; records batch sizes.
    final class LengthScorer: RewardScorer, @unchecked Sendable {
        // @unchecked Sendable: tests call it from one task at a time.
        let fingerprint = "length-scorer/1"
        var batches: [Int] = []
        var result: (([[ChatMessage]]) -> [Float])?
        func score(conversations: [[ChatMessage]]) async throws -> [Float] {
            batches.append(conversations.count)
            if let result { return result(conversations) }
            return conversations.map { Float($0.last?.content.count ?? 0) }
        }
    }

    @Test("the model source batches, caches, resumes and reports statistics")
    func modelSource() async throws {
        let scratch = try ScratchFolder()
        let requests = (1...5).map { ScoreRequest(messages: singleTurn("q", String(repeating: "x", count: $0))) }
        let scorer = LengthScorer()
        let cache = try ScoreCache(path: scratch.path + "/c.jsonl", fingerprint: scorer.fingerprint)
        let source = ModelScoreSource(scorer: scorer, batchSize: 2, cache: cache)
        let first = try await source.scores(for: Array(requests.prefix(3)), progress: SilentProgress())
        #expect(scorer.batches == [2, 1])
        // A scorer other than the local engine does not say how many tokens it read.
        #expect(first.statistics.scored == 3 && first.statistics.cacheHits == 0 && first.statistics.tokens == nil)
        // A later run over all five scores only the two new ones.
        let second = try await source.scores(for: requests, progress: SilentProgress())
        #expect(scorer.batches == [2, 1, 2])
        #expect(second.statistics.cacheHits == 3 && second.statistics.scored == 2)
        #expect(second.statistics.cacheHitRate == 0.6)
        for (i, r) in requests.enumerated() { #expect(second.table[r.id] == Double(i + 1)) }
        #expect(source.provenance == ScoreProvenance(kind: .model, identity: "length-scorer/1"))
    }

    @Test("another scorer's cache key is the request id")
    func scorerKey() throws {
        let source = ModelScoreSource(scorer: LengthScorer())
        let r = ScoreRequest(messages: singleTurn("q", "a"))
        #expect(try source.cacheKey(r) == r.id)
    }

    @Test("a scorer returning the wrong count or a NaN is an error")
    func scorerContract() async throws {
        let scorer = LengthScorer()
        let source = ModelScoreSource(scorer: scorer, batchSize: 4)
        let requests = [ScoreRequest(messages: singleTurn("q", "a")), ScoreRequest(messages: singleTurn("q", "b"))]
        scorer.result = { _ in [1] }
        await #expect(throws: EvalError.scorer(reason: "returned 1 scores for 2 conversations")) {
            _ = try await source.scores(for: requests, progress: SilentProgress())
        }
        scorer.result = { $0.map { _ in Float.nan } }
        do {
            _ = try await source.scores(for: requests, progress: SilentProgress())
            Issue.record("expected an error")
        } catch let e as EvalError {
            #expect(e.description.contains("non-finite"))
        }
    }
}

@Suite("Request sets")
struct RequestSetTests {
    @Test("merging sets keeps first-seen order and adding a merged conversation again does not duplicate it")
    func merge() {
        var a = RequestSet()
        a.add(singleTurn("q", "1"))
        a.add(singleTurn("q", "2"))
        var b = RequestSet()
        b.add(singleTurn("q", "2"))
        b.add(singleTurn("q", "3"))
        var all = RequestSet()
        all.add(contentsOf: a.requests)
        all.add(contentsOf: b.requests)
        #expect(all.requests.map { $0.messages[1].content } == ["1", "2", "3"])
        let again = all.add(singleTurn("q", "3"))
        #expect(again == b.requests[1].id && all.count == 3)
    }
}
