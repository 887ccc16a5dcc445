import Foundation
import Testing
import SynprefCore
@testable import SynprefText
import SynprefTestSupport

/// Ids and decodes of the real Llama 3, Qwen2/Qwen3 and MiniLM (BERT WordPiece) tokenizers
/// against the Python `tokenizers` library on the committed corpus (≥ 5,000 strings).
/// Fixtures: scripts/reference/tokenizer_parity_reference.py.
@Suite(.computeThreads) struct TokenizerParityTests {
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("llama3/tokenizer.json", "qwen/tokenizer.json", "minilm/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"),
          arguments: [("llama3", "llama3/tokenizer.json"), ("qwen", "qwen/tokenizer.json"), ("minilm", "minilm/tokenizer.json")])
    func matchesPythonTokenizers(name: String, asset: String) throws {
        let url = try Fixtures.asset(asset)
        let expected = try Fixtures.jsonLines("parity/\(name).jsonl.gz")
        let corpus = try Fixtures.corpus()
        let header = try #require(expected.first)
        let data = try Data(contentsOf: url)
        let digest = SHA256.hex([UInt8](data))
        try #require(digest == header["sha256"]?.stringValue,
                     "\(url.path) differs from the file the fixtures were made from; re-run scripts/reference/tokenizer_parity_reference.py")
        let tokenizer = try Tokenizer(tokenizerJSON: url)
        #expect(tokenizer.vocabularySize == header["vocab_size"]?.intValue)
        try #require(expected.count - 1 == corpus.count)
        #expect(corpus.count >= 5000)

        var failures: [String] = []
        var counts = (plain: 0, special: 0, decode: 0, decodeSkip: 0, partial: 0)
        for (i, text) in corpus.enumerated() {
            let e = expected[i + 1]
            let ids = Fixtures.ints(e["ids"])
            let full = Fixtures.ints(e["pre"]) + ids + Fixtures.ints(e["post"])
            let got = tokenizer.encode(text, addSpecialTokens: false)
            if got == ids { counts.plain += 1 } else { failures.append("#\(i) plain \(text.debugDescription.prefix(80)): got \(got.prefix(12)) expected \(ids.prefix(12))") }
            let gotFull = tokenizer.encode(text, addSpecialTokens: true)
            if gotFull == full { counts.special += 1 } else { failures.append("#\(i) special: got \(gotFull.prefix(12)) expected \(full.prefix(12))") }
            let d0 = tokenizer.decode(ids, skipSpecialTokens: false)
            if d0 == (e["d0"]?.stringValue ?? text) { counts.decode += 1 } else { failures.append("#\(i) decode: got \(d0.debugDescription.prefix(80)) expected \((e["d0"]?.stringValue ?? text).debugDescription.prefix(80))") }
            let d1 = tokenizer.decode(full, skipSpecialTokens: true)
            if d1 == (e["d1"]?.stringValue ?? text) { counts.decodeSkip += 1 } else { failures.append("#\(i) decode skip: got \(d1.debugDescription.prefix(80)) expected \((e["d1"]?.stringValue ?? text).debugDescription.prefix(80))") }
            if let k = e["pk"]?.intValue {
                let pd = tokenizer.decode(Array(ids.prefix(k)))
                if pd == e["pd"]?.stringValue { counts.partial += 1 } else { failures.append("#\(i) partial decode: got \(pd.debugDescription.prefix(60)) expected \((e["pd"]?.stringValue ?? "").debugDescription.prefix(60))") }
            }
        }
        #expect(failures.isEmpty, "\(name): \(failures.count) mismatches; first: \(failures.prefix(8).joined(separator: "\n"))")
        #expect(counts.plain == corpus.count && counts.special == corpus.count)
        #expect(counts.decode == corpus.count && counts.decodeSkip == corpus.count)
    }
}

/// The Llama 3, Qwen2 and GPT-2 Split patterns split the corpus exactly as Oniguruma does
/// (no assets needed). Fixtures: scripts/reference/tokenizer_parity_reference.py.
@Suite(.computeThreads) struct RegexSplitParityTests {
    @Test(arguments: [
        ("l", #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#),
        ("q", #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#),
        ("g", #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#),
    ])
    func splitsLikeOniguruma(key: String, pattern: String) throws {
        let regex = try Regex(pattern)
        let corpus = try Fixtures.corpus()
        let expected = try Fixtures.jsonLines("parity/regex_splits.jsonl.gz")
        try #require(expected.count == corpus.count)
        var failures: [String] = []
        for (i, text) in corpus.enumerated() {
            let scalars = text.unicodeScalars.map(\.value)
            let pieces = PreTokenizer.split(Piece(text: scalars, origin: 0), PreTokenizer.regexMatches(regex, scalars, invert: false), .isolated)
            let lengths = pieces.map(\.text.count).filter { $0 > 0 }
            let want = Fixtures.ints(expected[i][key])
            if lengths != want { failures.append("#\(i) \(text.debugDescription.prefix(60)): got \(lengths.prefix(10)) expected \(want.prefix(10))") }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(corpus.count) differ; first: \(failures.prefix(5).joined(separator: "\n"))")
    }
}
