import Foundation
import SynprefCore
import Testing
@testable import SynprefData

/// Every reader against the pairs Python's reference code derives from the same files.
@Suite struct FormatReaderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var expected: String
        var format: PreferenceFormat?
        var options = FormatOptions()
        var detected: PreferenceFormat
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "formats/hh-rlhf/harmless-base-sample.jsonl.gz", expected: "expected/hh-rlhf.jsonl", format: nil, detected: .hhRLHF),
        Case(file: "formats/rmb/Pairwise_set/Helpfulness/Open QA/Factual.json", expected: "expected/rmb__Pairwise_set__Helpfulness__Open_QA__Factual.json.jsonl", format: nil, detected: .rmbPairwise),
        Case(file: "formats/rmb/Pairwise_set/Harmlessness/S1.json", expected: "expected/rmb__Pairwise_set__Harmlessness__S1.json.jsonl", format: nil, detected: .rmbPairwise),
        Case(file: "formats/rmb/BoN_set/Helpfulness/Open QA/Factual.json", expected: "expected/rmb__BoN_set__Helpfulness__Open_QA__Factual.json.jsonl", format: nil, detected: .rmbBestOfN),
        Case(file: "formats/rmb/BoN_set/Harmlessness/S1.json", expected: "expected/rmb__BoN_set__Harmlessness__S1.json.jsonl", format: nil, detected: .rmbBestOfN),
        Case(file: "formats/rewardbench2/ties-sample.jsonl", expected: "expected/rewardbench2.jsonl", format: nil, detected: .rewardbench),
        Case(file: "formats/rewardbench/sample.json", expected: "expected/rewardbench.jsonl", format: nil, detected: .rewardbench),
        Case(file: "formats/trl/conversational.jsonl", expected: "expected/trl-conversational.jsonl", format: nil, detected: .trlConversational),
        Case(file: "formats/trl/explicit.jsonl", expected: "expected/trl-explicit.jsonl", format: nil, detected: .trl),
        Case(file: "formats/openrlhf/custom-keys.jsonl", expected: "expected/openrlhf.jsonl", format: .openrlhf,
             options: FormatOptions(promptKey: "question", chosenKey: "good", rejectedKey: "bad"), detected: .openrlhf),
    ]

    /// (line, content hash) for good pairs and (line, field) for rejected ones, in order.
    static func actual(_ c: Case) throws -> (format: PreferenceFormat?, items: [String]) {
        let reader = try PreferenceFileReader(path: try fixture(c.file).path, source: "s", format: c.format, options: c.options)
        var items: [String] = []
        while let batch = try reader.nextBatch() {
            for o in batch {
                for p in o.pairs { items.append("\(o.line) \(p.hash.hex)") }
                if let first = o.issues.first { items.append("\(o.line) error \(first.field)") }
            }
        }
        return (reader.format, items)
    }

    static func expected(_ c: Case) throws -> [String] {
        let reader = try JSONRecordReader(path: try fixture(c.expected).path)
        var items: [String] = []
        while let r = try reader.next() {
            let v = try r.parse()
            let line = v["line"]?.intValue ?? -1
            if let field = v["error"]?.stringValue {
                items.append("\(line) error \(field)")
            } else {
                items.append("\(line) \(v["hash"]?.stringValue ?? "?")")
            }
        }
        return items
    }

    @Test(arguments: cases)
    func readerGivesThePairsPythonDerives(_ c: Case) throws {
        let (format, items) = try FormatReaderTests.actual(c)
        #expect(format == c.detected)
        let expected = try FormatReaderTests.expected(c)
        #expect(items == expected)
    }

    @Test func hhRLHFMessagesMatchTRLsSplitExactly() throws {
        // Beyond the hash: compare the decoded messages with TRL's for the first rows.
        let reader = try PreferenceFileReader(path: try fixture("formats/hh-rlhf/harmless-base-sample.jsonl.gz").path, source: "hh")
        let expected = try JSONRecordReader(path: try fixture("expected/hh-rlhf.jsonl").path)
        let batch = try #require(try reader.nextBatch())
        for o in batch.prefix(20) {
            let e = try #require(try expected.next()).parse()
            let p = try #require(o.pairs.first).pair
            let ctx = try JSONMessages.messages(try #require(e["context"]), "context")
            #expect(p.context == ctx)
            #expect(p.chosen.content == e["chosen"]?["content"]?.stringValue)
            #expect(p.rejected.content == e["rejected"]?["content"]?.stringValue)
            #expect(p.source == "hh")
            #expect(p.origin?.hasSuffix(":\(o.line)") == true)
        }
    }

    @Test func bestOfNExpandsToOnePairPerLoser() throws {
        let reader = try PreferenceFileReader(path: try fixture("formats/rmb/BoN_set/Helpfulness/Open QA/Factual.json").path, source: "bon")
        let outcomes = try #require(try reader.nextBatch())
        let file = try JSONParser.parse(Array(try Data(contentsOf: try fixture("formats/rmb/BoN_set/Helpfulness/Open QA/Factual.json"))))
        let losers = file.arrayValue?.map { $0["loser_list"]?.arrayValue?.count ?? 0 } ?? []
        #expect(outcomes.map(\.pairs.count) == losers)
        for (o, row) in zip(outcomes, file.arrayValue ?? []) {
            #expect(o.pairs.allSatisfy { $0.pair.chosen.content == row["bon_best"]?["answer"]?.stringValue })
        }
    }

    @Test func detectionExplainsUnknownLayouts() throws {
        let url = try temporaryFile("odd.jsonl", "{\"question\": \"q\", \"answer\": \"a\"}\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try PreferenceFileReader(path: url.path, source: "x")
        #expect(throws: FormatDetectionError.self) { _ = try reader.nextBatch() }
        #expect(PreferenceFormat.detect(["chosen": "plain text", "rejected": "other"]).map { $0.rawValue } == .failure(FieldIssue("chosen", "is a plain string without a prompt and not an HH-RLHF transcript; name the format")))
    }

    @Test func explicitFormatOverridesDetection() throws {
        // An RMB pairwise file read as TRL fails on every record, with the missing field named.
        let reader = try PreferenceFileReader(path: try fixture("formats/rmb/Pairwise_set/Harmlessness/S1.json").path, source: "x", format: .trl)
        let outcomes = try #require(try reader.nextBatch())
        #expect(outcomes.allSatisfy { $0.pairs.isEmpty && $0.issues.first?.field == "prompt" })
    }

    @Test func contentPartsAndReasoningAreRead() throws {
        let line = #"{"chosen":[{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]},{"role":"assistant","content":"Yo","reasoning_content":"greet"}],"rejected":[{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]},{"role":"assistant","content":"No"}]}"#
        let pairs = PreferenceFormat.trlConversational.decoder().decode(try JSONParser.parse(line))
        let p = try #require(try pairs.first?.get())
        #expect(p.context == [Message(role: .user, content: "Hi there")])
        #expect(p.chosen.reasoningContent == "greet")
        let image = #"{"prompt":[{"role":"user","content":[{"type":"image_url","image_url":"x"}]}],"chosen":"a","rejected":"b"}"#
        let bad = PreferenceFormat.trl.decoder().decode(try JSONParser.parse(image))
        guard case .failure(let issue)? = bad.first else { Issue.record("should fail"); return }
        #expect(issue.field == "prompt[0].content[0].type")
    }

    /// The fast path takes over the second conversation's shared turns when their bytes
    /// repeat the first's, and parses them when only their values match (other spacing or
    /// escapes), in either key order: every way gives what the tree decoder gives.
    @Test func sharedTurnsDecodeLikeTheTreeDecoder() throws {
        let lines = [
            #"{"chosen":[{"role":"user","content":"Q é"},{"role":"assistant","content":"A"}],"rejected":[{"role":"user","content":"Q é"},{"role":"assistant","content":"B"}]}"#,
            #"{"rejected":[{"role":"user","content":"Q"},{"role":"assistant","content":"B"}],"chosen":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]}"#,
            #"{"chosen":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"rejected":[{"role": "user", "content":"\u0051"},{"role":"assistant","content":"B"}]}"#,
            #"{"chosen":[{"role":"system","content":"S"},{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"rejected":[{"role":"system","content":"S"},{"role":"user","content":"R"},{"role":"assistant","content":"B"}]}"#,
        ]
        let decoder = PreferenceFormat.trlConversational.decoder()
        for line in lines {
            let fast = try #require(decoder.fastDecode(Array(line.utf8)))
            let tree = decoder.decode(try JSONParser.parse(line))
            #expect(fast.map { try? $0.get() } == tree.map { try? $0.get() }, "\(line)")
            #expect(fast.map { $0.failureField } == tree.map { $0.failureField }, "\(line)")
        }
    }
}

private extension Result where Failure == FieldIssue {
    var failureField: String? {
        if case .failure(let f) = self { return f.field }
        return nil
    }
}
