import Testing
import Foundation
@testable import SynprefModels
import SynprefTestSupport

/// Bad inputs to a decoder reward model are typed errors naming the sequence and position.
@Suite(.computeThreads) struct RewardModelInputTests {
    @Test func badTokenSequencesAreTypedErrors() throws {
        let model = try ParityFixtures.open("qwen3-gqa-bf16")
        #expect(throws: ModelError.tokenOutOfRange(sequence: 1, position: 2, id: 300, vocabSize: 300)) {
            try model.score(tokenSequences: [[1, 2], [3, 4, 300]])
        }
        #expect(throws: ModelError.tokenOutOfRange(sequence: 0, position: 0, id: -1, vocabSize: 300)) {
            try model.score(tokenSequences: [[-1]])
        }
        #expect(throws: ModelError.emptySequence(sequence: 1)) {
            try model.score(tokenSequences: [[1], []])
        }
        #expect(try model.score(tokenSequences: []).isEmpty)
        let desc = ModelError.tokenOutOfRange(sequence: 1, position: 2, id: 300, vocabSize: 300).description
        #expect(desc.contains("sequence 1") && desc.contains("300"))
    }

    @Test func wrongShapedWeightsAreTypedErrors() throws {
        let dir = try ParityFixtures.folder("qwen3-gqa-f32")
        guard case .decoder(var c) = try ModelConfig.load(from: dir) else {
            Issue.record("qwen3-gqa-f32: not a decoder config")
            return
        }
        c.intermediateSize = 97 // the checkpoint's MLP has 96
        #expect(throws: ModelError.wrongShape(tensor: "model.layers.0.mlp.gate_proj.weight", expected: [97, 64], found: [96, 64])) {
            try RewardModel(config: .decoder(c), weights: try Checkpoint.open(directory: dir))
        }
        c.intermediateSize = 96
        c.attentionBias = true // no q_proj.bias in the file
        #expect(throws: CheckpointError.self) {
            try RewardModel(config: .decoder(c), weights: try Checkpoint.open(directory: dir))
        }
    }
}
