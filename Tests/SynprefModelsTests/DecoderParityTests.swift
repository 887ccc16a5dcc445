import Testing
import Foundation
import SynprefTensor
@testable import SynprefModels
import SynprefTestSupport

/// Qwen3 and Llama classifiers against transformers (fixtures from
/// scripts/reference/make_tiny_models.py): logits and final hidden states within 1e-4
/// (relative above 1), packed in one call, packed in small chunks, and one at a time.
@Suite(.computeThreads) struct DecoderParityTests {
    static let models = ["qwen3-gqa-f32", "qwen3-gqa-bf16", "qwen3-mqa-bias-f32", "qwen3-mqa-bias-bf16",
                         "llama3-scaled-f32", "llama3-scaled-bf16"]

    @Test(arguments: models)
    func packedMatchesTransformers(name: String) throws {
        let ref = try ParityFixtures.reference(name)
        let model = try ParityFixtures.open(name)
        let seqs = ref.sequences.map(\.inputIds)
        #expect(seqs.map(\.count).max() ?? 0 >= 200)
        let logits = try model.logits(tokenSequences: seqs)
        let hidden = try model.finalHiddenStates(tokenSequences: seqs)
        for (i, s) in ref.sequences.enumerated() {
            let l = ParityFixtures.worstError(logits[i], s.logits)
            #expect(l.ok, "\(name) seq \(i) (len \(s.inputIds.count)) logits \(logits[i]) vs \(s.logits), err \(l.worst)")
            let h = ParityFixtures.worstError(hidden[i].toArray(), s.lastHiddenState)
            #expect(h.ok, "\(name) seq \(i) (len \(s.inputIds.count)) hidden err \(h.worst)")
        }
    }

    @Test(arguments: ["qwen3-gqa-bf16", "llama3-scaled-f32"])
    func chunkedAndOneAtATimeMatchPacked(name: String) throws {
        let ref = try ParityFixtures.reference(name)
        let seqs = ref.sequences.map(\.inputIds)
        let packed = try ParityFixtures.open(name).logits(tokenSequences: seqs)
        // A 100-token budget splits the batch into many chunks (long sequences alone).
        let chunked = try ParityFixtures.open(name, threads: 1, maxBatchTokens: 100).logits(tokenSequences: seqs)
        let single = try ParityFixtures.open(name)
        for (i, s) in seqs.enumerated() {
            let one = try single.logits(tokenSequences: [s])[0]
            #expect(ParityFixtures.worstError(one, ref.sequences[i].logits).ok, "\(name) seq \(i) alone")
            #expect(ParityFixtures.worstError(chunked[i], packed[i], tol: 1e-5).ok, "\(name) seq \(i) chunked")
            #expect(ParityFixtures.worstError(one, packed[i], tol: 1e-5).ok, "\(name) seq \(i) alone vs packed")
        }
    }

    @Test(arguments: ["qwen3-gqa-f32", "qwen3-mqa-bias-f32", "llama3-scaled-f32"])
    func ropeFrequenciesEqualTransformers(name: String) throws {
        let ref = try ParityFixtures.reference(name)
        let model = try ParityFixtures.open(name)
        guard case .decoder(let d) = model.backbone, let want = ref.invFreq else {
            Issue.record("\(name): not a decoder fixture")
            return
        }
        // Bit-exact: at position p the angle p·inv_freq is rounded to f32, so a 1-ulp
        // frequency difference would show at long positions.
        #expect(d.ropeInverseFrequencies == want)
    }

    @Test func scoreReadsTheLastNonPadToken() throws {
        // qwen3-gqa has pad_token_id 299; the reference script ends every other sequence
        // (of length >= 7) with two pad tokens, so transformers reads the score 2 tokens
        // earlier; the packed parity test above checks the value, this checks the case is
        // really in the fixture.
        let ref = try ParityFixtures.reference("qwen3-gqa-f32")
        #expect(ref.sequences.contains { $0.inputIds.suffix(2) == [299, 299] })
        let model = try ParityFixtures.open("qwen3-gqa-f32")
        guard case .decoder(let d) = model.backbone else {
            Issue.record("qwen3-gqa-f32: not a decoder fixture")
            return
        }
        #expect(d.scoreRow([5, 6, 299, 299][...]) == 1)
        #expect(d.scoreRow([299, 299][...]) == 0)
        #expect(d.scoreRow([4][...]) == 0)
    }
}
