import Testing
import Foundation
import SynprefCore
import SynprefTensor
@testable import SynprefModels
import SynprefTestSupport

/// BERT against transformers: a tiny random BertForSequenceClassification (token types,
/// 3 labels) and the real all-MiniLM-L6-v2 (mean-pooled embeddings).
@Suite(.computeThreads) struct BertParityTests {
    @Test(arguments: ["bert-cls-f32", "bert-cls-bf16"])
    func classifierMatchesTransformers(name: String) throws {
        let ref = try ParityFixtures.reference(name)
        let model = try ParityFixtures.open(name, maxBatchTokens: 300)
        let ids = ref.sequences.map(\.inputIds)
        let types = ref.sequences.map { $0.tokenTypeIds ?? [] }
        #expect(types.contains { $0.contains(1) }, "fixture must exercise token type 1")
        let logits = try model.logits(tokenSequences: ids, tokenTypeIds: types)
        let hidden = try model.finalHiddenStates(tokenSequences: ids, tokenTypeIds: types)
        for (i, s) in ref.sequences.enumerated() {
            let l = ParityFixtures.worstError(logits[i], s.logits)
            #expect(l.ok, "\(name) seq \(i) logits \(logits[i]) vs \(s.logits)")
            let h = ParityFixtures.worstError(hidden[i].toArray(), s.lastHiddenState)
            #expect(h.ok, "\(name) seq \(i) (len \(s.inputIds.count)) hidden err \(h.worst)")
        }
        // Token types matter: all-zero types change the logits of a two-segment sequence.
        let zeros = try model.logits(tokenSequences: [ids[8]], tokenTypeIds: [[Int](repeating: 0, count: ids[8].count)])
        #expect(!ParityFixtures.worstError(zeros[0], ref.sequences[8].logits, tol: 1e-3).ok)
    }

    @Test func badBertInputsAreTypedErrors() throws {
        let model = try ParityFixtures.open("bert-cls-f32")
        #expect(throws: ModelError.sequenceTooLong(sequence: 0, length: 513, maxPositionEmbeddings: 512)) {
            try model.logits(tokenSequences: [[Int](repeating: 5, count: 513)])
        }
        #expect(throws: ModelError.tokenTypeOutOfRange(sequence: 0, position: 1, id: 2, typeVocabSize: 2)) {
            try model.logits(tokenSequences: [[1, 2]], tokenTypeIds: [[0, 2]])
        }
        #expect(throws: ModelError.tokenTypeLengthMismatch(sequence: 0, inputIds: 2, tokenTypeIds: 1)) {
            try model.logits(tokenSequences: [[1, 2]], tokenTypeIds: [[0]])
        }
        // score() needs a single-logit head; this classifier has 3 labels.
        #expect(throws: ModelError.self) { try model.score(tokenSequences: [[1, 2]]) }
        #expect(throws: ModelError.self) { _ = try ParityFixtures.open("qwen3-gqa-f32").meanPooledEmbeddings(tokenSequences: [[1]]) }
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/config.json", "minilm/model.safetensors"), "needs real assets: run scripts/fetch-assets.sh"))
    func miniLMEmbeddingsMatchTransformers() throws {
        let dir = try #require(SynprefAssets.locate("minilm"), "all-MiniLM-L6-v2 missing: run scripts/fetch-assets.sh")
        let ref = try ParityFixtures.readJSON(try ParityFixtures.folder("minilm-reference.json.gz"))
        let rows = (ref["sequences"] as? [[String: Any]]) ?? []
        #expect(rows.count == 20)
        let config = try ModelConfig.load(from: dir)
        let model = try RewardModel(config: config, weights: try Checkpoint.open(directory: dir), directory: dir, threads: 2)
        let ids = rows.map { ParityFixtures.ints($0["input_ids"]) }
        let pooled = try model.meanPooledEmbeddings(tokenSequences: ids)
        let hidden = try model.finalHiddenStates(tokenSequences: ids)
        for (i, row) in rows.enumerated() {
            let m = ParityFixtures.worstError(pooled[i], ParityFixtures.floats(row["mean_pooled"]))
            #expect(m.ok, "minilm seq \(i) (len \(ids[i].count)) mean-pooled err \(m.worst)")
            let c = ParityFixtures.worstError(Array(hidden[i].toArray()[0..<384]), ParityFixtures.floats(row["cls"]))
            #expect(c.ok, "minilm seq \(i) CLS err \(c.worst)")
        }
    }
}
