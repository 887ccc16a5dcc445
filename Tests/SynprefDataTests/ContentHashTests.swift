import Foundation
import SynprefCore
import Testing
@testable import SynprefData

@Suite struct ContentHashTests {
    @Test func matchesPythonOnEveryExpectedPair() throws {
        // The expected files hold Python's hashes next to the messages they hash.
        var checked = 0
        for name in ["expected/trl-conversational.jsonl", "expected/hh-rlhf.jsonl", "expected/rewardbench2.jsonl"] {
            let reader = try JSONRecordReader(path: try fixture(name).path)
            while let r = try reader.next() {
                let v = try r.parse()
                guard let hex = v["hash"]?.stringValue else { continue }
                let ctx = try JSONMessages.messages(try #require(v["context"]), "context")
                let chosen = try JSONMessages.message(try #require(v["chosen"]), "chosen")
                let rejected = try JSONMessages.message(try #require(v["rejected"]), "rejected")
                #expect(ContentHash(context: ctx, chosen: chosen, rejected: rejected).hex == hex)
                checked += 1
            }
        }
        #expect(checked > 150)
    }

    @Test func ignoresSourceMarginTierAndLabelsButNotReasoning() {
        var a = samplePair(1)
        var b = a
        b.source = "elsewhere"
        b.margin = 3
        b.tier = .gold
        #expect(a.contentHash == b.contentHash)
        a.chosen.reasoningContent = "because"
        #expect(a.contentHash != b.contentHash)
        #expect(samplePair(1).flipped().contentHash != samplePair(1).contentHash)
    }

    @Test func hexRoundTrips() throws {
        let h = samplePair(5).contentHash
        #expect(ContentHash(hex: h.hex) == h)
        #expect(ContentHash(bytes: h.bytes) == h)
        #expect(ContentHash(hex: "zz") == nil)
        #expect(h.hex.count == 64)
    }
}
