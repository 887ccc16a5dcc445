import Foundation
import Testing
import SynprefCore
@testable import SynprefText
import SynprefTestSupport

/// Text pairs (`encode(a, b)`) and type ids against the Python `tokenizers` library: the
/// real MiniLM, Llama 3 and Qwen tokenizers as shipped, and MiniLM with its post-processor
/// replaced by BertProcessing, RobertaProcessing, a Sequence and unusual templates.
/// Fixtures: scripts/reference/frontend_pairs.py.
@Suite(.computeThreads) struct PairEncodingTests {
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json", "llama3/tokenizer.json", "qwen/tokenizer.json"),
                   "needs real assets: run scripts/fetch-assets.sh"),
          arguments: ["minilm", "llama3", "qwen", "minilm-bert", "minilm-roberta", "minilm-sequence",
                      "minilm-template-types", "minilm-template-no-pair"])
    func pairsMatchPythonTokenizers(variant: String) throws {
        let expected = try Fixtures.jsonLines("pairs/\(variant).jsonl.gz")
        let header = try #require(expected.first)
        let asset = try #require(header["asset"]?.stringValue)
        let url = try Fixtures.asset("\(asset)/tokenizer.json")
        var data = try Data(contentsOf: url)
        try #require(SHA256.hex([UInt8](data)) == header["sha256"]?.stringValue,
                     "\(url.path) differs from the file the fixtures were made from; re-run scripts/reference/frontend_pairs.py")
        if let post = header["post_processor"], !post.isNull {
            // The same replacement post-processor the reference script installed.
            guard case .object(var root) = try JSONParser.parse([UInt8](data)) else { Issue.record("tokenizer.json is not an object"); return }
            root["post_processor"] = post
            data = Data(JSONValue.object(root).serialized().utf8)
        }
        let tokenizer = try Tokenizer(data: data)
        #expect(tokenizer.specialTokenCount(pair: false) == header["added_single"]?.intValue)
        #expect(tokenizer.specialTokenCount(pair: true) == header["added_pair"]?.intValue)
        let corpus = try Fixtures.corpus()
        var failures: [String] = []
        for e in expected.dropFirst() {
            let a = corpus[e["a"]?.intValue ?? 0], b = corpus[e["b"]?.intValue ?? 0]
            let pair = tokenizer.encodePair(a, b)
            if pair.ids != Fixtures.ints(e["ids"]) || pair.typeIDs != Fixtures.ints(e["types"]) {
                failures.append("pair \(e["a"]?.intValue ?? 0): got \(pair.ids.prefix(10))/\(pair.typeIDs.prefix(10))")
            }
            let plain = tokenizer.encodePair(a, b, addSpecialTokens: false)
            if plain.ids != Fixtures.ints(e["ids0"]) || plain.typeIDs != Fixtures.ints(e["types0"]) {
                failures.append("pair without special tokens \(e["a"]?.intValue ?? 0): got \(plain.ids.prefix(10))/\(plain.typeIDs.prefix(10))")
            }
            let single = tokenizer.encoding(a)
            if single.ids != Fixtures.ints(e["single"]) || single.typeIDs != Fixtures.ints(e["single_types"]) {
                failures.append("single \(e["a"]?.intValue ?? 0): got \(single.ids.prefix(10))/\(single.typeIDs.prefix(10))")
            }
            // The single-sequence fast path agrees with the typed one.
            if tokenizer.encode(a) != single.ids { failures.append("encode(a) differs from encoding(a).ids") }
        }
        #expect(expected.count > 40)
        #expect(failures.isEmpty, "\(variant): \(failures.count) mismatches; first: \(failures.prefix(6).joined(separator: "\n"))")
    }

    /// Post-processing ids tokenized without special tokens (what truncation does before
    /// the special tokens go in) gives the same result as encoding the texts directly.
    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/tokenizer.json"), "needs real assets: run scripts/fetch-assets.sh"))
    func postProcessAfterPlainEncoding() throws {
        let url = try Fixtures.asset("minilm/tokenizer.json")
        let tokenizer = try Tokenizer(tokenizerJSON: url)
        let a = "User: Hello there\nAssistant: Hi", b = "How can I help?"
        let direct = tokenizer.encodePair(a, b)
        let staged = tokenizer.postProcess(tokenizer.encode(a, addSpecialTokens: false), pair: tokenizer.encode(b, addSpecialTokens: false))
        #expect(direct == staged)
        // [CLS] a [SEP] b [SEP]: 2 specials + a's tokens are type 0; b's tokens + [SEP] are type 1.
        let na = tokenizer.encode(a, addSpecialTokens: false).count, nb = tokenizer.encode(b, addSpecialTokens: false).count
        #expect(direct.typeIDs == [Int](repeating: 0, count: na + 2) + [Int](repeating: 1, count: nb + 1))
        #expect(direct.ids.first == tokenizer.tokenToID("[CLS]") && direct.ids.last == tokenizer.tokenToID("[SEP]"))
    }

    /// A pair template naming a sequence other than A or B is a load error naming the field.
    @Test func badPairTemplateIsAnError() throws {
        let json = #"""
        {"version": "1.0", "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
         "post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}}],
                            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "C", "type_id": 1}}],
                            "special_tokens": {}},
         "decoder": null, "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                                    "max_input_chars_per_word": 100, "vocab": {"[UNK]": 0, "a": 1}}}
        """#
        #expect { try Tokenizer(data: Data(json.utf8)) } throws: { "\($0)".contains("post_processor.pair[1]") && "\($0)".contains("\"B\"") }
    }
}
