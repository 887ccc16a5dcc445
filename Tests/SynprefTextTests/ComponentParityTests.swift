import Foundation
import Testing
@testable import SynprefText
import SynprefTestSupport

/// Small tokenizers built to exercise every supported component (Metaspace schemes, byte
/// fallback, unk fusing, subword prefix/suffix, ignore_merges, every Split behaviour,
/// added-token options, all post-processors and decoders), against the Python
/// `tokenizers` library. Fixtures: scripts/reference/tokenizer_component_reference.py.
@Suite(.computeThreads) struct ComponentParityTests {
    static let configs = [
        "llama2_metaspace_first", "llama2_legacy_normalizer", "metaspace_always_split", "metaspace_never_lowercase",
        "gpt2_bytelevel", "bytelevel_nfkc_digits", "bpe_subword_prefix", "bpe_word_suffix",
        "wordpiece_added_tokens", "split_behaviours", "bert_chinese_no_strip",
    ]

    @Test(arguments: configs)
    func matchesPythonTokenizers(config: String) throws {
        let tokenizer = try Tokenizer(tokenizerJSON: Fixtures.url("components/\(config).tokenizer.json"))
        let expected = try Fixtures.jsonLines("components/\(config).jsonl.gz")
        let corpus = try Fixtures.corpus()
        #expect(tokenizer.vocabularySize == expected.first?["vocab_size"]?.intValue)
        var failures: [String] = []
        for e in expected.dropFirst() {
            let i = try #require(e["i"]?.intValue)
            let text = corpus[i]
            let ids = Fixtures.ints(e["ids"])
            let full = Fixtures.ints(e["pre"]) + ids + Fixtures.ints(e["post"])
            let got = tokenizer.encode(text, addSpecialTokens: false)
            if got != ids { failures.append("#\(i) \(text.debugDescription.prefix(60)): got \(got.prefix(10)) expected \(ids.prefix(10))") }
            let gotFull = tokenizer.encode(text, addSpecialTokens: true)
            if gotFull != full { failures.append("#\(i) with special tokens: got \(gotFull.prefix(10)) expected \(full.prefix(10))") }
            let d0 = tokenizer.decode(ids, skipSpecialTokens: false)
            if d0 != (e["d0"]?.stringValue ?? text) { failures.append("#\(i) decode: got \(d0.debugDescription.prefix(60)) expected \((e["d0"]?.stringValue ?? text).debugDescription.prefix(60))") }
            let d1 = tokenizer.decode(full, skipSpecialTokens: true)
            if d1 != (e["d1"]?.stringValue ?? text) { failures.append("#\(i) decode skipping special: got \(d1.debugDescription.prefix(60)) expected \((e["d1"]?.stringValue ?? text).debugDescription.prefix(60))") }
        }
        #expect(expected.count > 700)
        #expect(failures.isEmpty, "\(config): \(failures.count) mismatches; first: \(failures.prefix(6).joined(separator: "\n"))")
    }
}
