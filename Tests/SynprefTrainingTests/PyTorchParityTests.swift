import Foundation
import SynprefModels
import SynprefTensor
@testable import SynprefTraining
import Testing

/// Tiny Qwen3 / Llama / BERT reward models trained here and in PyTorch
/// (scripts/reference/train_reference.py): the first step's gradients, the 10 step losses
/// and the weights after 10 AdamW steps must agree.
extension TrainingTests {
@Suite struct PyTorchParityTests {
    struct Reference: Decodable {
        struct Pair: Decodable { var chosen_ids: [Int]; var rejected_ids: [Int]; var margin: Double? }
        var pairs: [Pair]
        var steps: Int, lr: Double, beta1: Double, beta2: Double, eps: Double, weight_decay: Double
        var schedule: String, warmup_steps: Int, loss: String, center: Double, clip_norm: Double
        var pairs_per_step: Int, pairs_per_micro: Int, losses: [Double]
    }

    static func directory(_ name: String) throws -> URL {
        try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures/train-\(name)"))
    }

    @Test(arguments: ["qwen3", "llama", "bert"])
    func trainsLikePyTorch(_ name: String) throws {
        let dir = try Self.directory(name)
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
        let fx = try Fixture("train-\(name)/reference.safetensors")
        let model = try TrainableModelLoader.load(directory: dir)
        let ctx = ComputeContext(threads: 2)
        // Every PyTorch parameter has a counterpart with the same name and shape.
        let torchNames = Set(fx.file.tensorNames.filter { $0.hasPrefix("grad.") }.map { String($0.dropFirst(5)) })
        #expect(Set(model.parameters.all.map(\.name)) == torchNames)
        let opt = AdamW(parameters: model.parameters.all, hyper: .init(beta1: ref.beta1, beta2: ref.beta2, eps: ref.eps, weightDecay: ref.weight_decay))
        let kind = try #require(LearningRateSchedule.Kind(rawValue: ref.schedule))
        let schedule = LearningRateSchedule(kind: kind, warmupSteps: ref.warmup_steps, totalSteps: ref.steps)
        let lossKind: PairLoss.Kind = ref.loss == "logexp" ? .logExp : .bradleyTerry
        let step = TrainingStep(model: model, optimizer: opt, loss: PairLoss(kind: lossKind, centerCoefficient: ref.center), clipNorm: ref.clip_norm)
        let pairs = ref.pairs.map { TokenPair(chosen: $0.chosen_ids, rejected: $0.rejected_ids, margin: $0.margin) }
        var cursor = 0
        var worstLoss = 0.0, worstGrad: Float = 0, worstWeight: Float = 0
        for s in 0..<ref.steps {
            let stepPairs = (0..<ref.pairs_per_step).map { pairs[(cursor + $0) % pairs.count] }
            cursor += ref.pairs_per_step
            let micro = stride(from: 0, to: stepPairs.count, by: ref.pairs_per_micro).map {
                Array(stepPairs[$0..<Swift.min(stepPairs.count, $0 + ref.pairs_per_micro)])
            }
            let stats = step.accumulate(micro, ctx: ctx)
            #expect(abs(stats.loss - ref.losses[s]) <= 1e-5, "\(name) step \(s) loss \(stats.loss) vs \(ref.losses[s])")
            worstLoss = Swift.max(worstLoss, abs(stats.loss - ref.losses[s]))
            if s == 0 {
                for p in model.parameters.all {
                    let (ok, worst) = withinGradientTolerance(try #require(p.grad).toArray(), try fx.array("grad.\(p.name)"))
                    #expect(ok, "\(name) gradient of \(p.name): max abs diff \(worst)")
                    worstGrad = Swift.max(worstGrad, worst)
                }
            }
            step.apply(lr: ref.lr * schedule.factor(step: s), ctx: ctx)
        }
        for p in model.parameters.all {
            let want = try fx.array("final.\(p.name)")
            let worst = zip(p.value.toArray(), want).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "\(name) weights of \(p.name) after \(ref.steps) steps: max abs diff \(worst)")
            worstWeight = Swift.max(worstWeight, worst)
        }
        if ProcessInfo.processInfo.environment["SYNPREF_VERBOSE"] != nil {
            print("parity \(name): max |Δloss| \(worstLoss), max |Δgrad| \(worstGrad), max |Δweight| after \(ref.steps) steps \(worstWeight)")
        }
    }

    /// The training forward calls the engine's kernels in the engine's order: its rewards
    /// equal the engine's full forward (`DecoderModel.forward` / `BertEncoder.forward` and
    /// the head) bit for bit. `RewardModel.score` computes a decoder's last layer for the
    /// score rows only (different tiling of the same arithmetic), so it agrees to rounding.
    @Test(arguments: ["qwen3", "llama", "bert"])
    func forwardEqualsInference(_ name: String) throws {
        let dir = try Self.directory(name)
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
        let seqs = ref.pairs.flatMap { [$0.chosen_ids, $0.rejected_ids] }
        let model = try TrainableModelLoader.load(directory: dir)
        let ctx = ComputeContext(threads: 2)
        let batch = TrainingBatch(sequences: seqs)
        let inference = try model.inferenceModel(threads: 2)
        var ours: [Float] = [], engine: [Float] = []
        let identical = try {
            ours = model.forward(batch, ctx: ctx)
            switch inference.backbone {
            case .decoder(let d):
                let hidden = d.forward(ids: batch.ids, sequences: batch.sequences, ctx: ctx)
                let rows = (0..<seqs.count).map { batch.sequences.offsets[$0] + d.scoreRow(seqs[$0][...]) }
                engine = try d.scoreHead(hidden: hidden, rows: rows, ctx: ctx).map { $0[0] }
            case .bert(let b):
                let hidden = b.forward(ids: batch.ids, tokenTypes: batch.tokenTypes, sequences: batch.sequences, ctx: ctx)
                engine = try b.classify(hidden: hidden, sequences: batch.sequences, ctx: ctx).map { $0[0] }
            }
            return ours == engine
        }()
        #expect(identical, "\(name): training forward \(ours) vs engine \(engine)")
        // The production scoring path, from the parameters and from the checkpoint on disk.
        let config = try ModelConfig.load(from: dir)
        for scores in [try inference.score(tokenSequences: seqs),
                       try RewardModel(config: config, weights: try Checkpoint.open(directory: dir), threads: 2).score(tokenSequences: seqs)] {
            #expect(maxScaledError(ours, scores) <= 1e-5, "\(name): \(ours) vs RewardModel \(scores)")
        }
    }

    /// Activation memory grows linearly with the sequence length (the attention backward
    /// recomputes its tiles from the log-sum-exp; nothing of size heads × length² exists).
    @Test func activationMemoryIsLinearInLength() throws {
        let ctx = ComputeContext(threads: 2)
        var peaks: [Int] = []
        for length in [1024, 2048] {
            let model = try TrainableModelLoader.load(directory: try Self.directory("qwen3"))
            let ids = (0..<length).map { 1 + $0 % 63 }
            _ = model.forward(TrainingBatch(sequences: [ids]), ctx: ctx)
            model.backward(dRewards: [1], ctx: ctx)
            peaks.append(model.activationPeakFloats)
        }
        // Doubling the length doubles the memory (plus a constant), not quadruples it.
        #expect(Double(peaks[1]) < 2.1 * Double(peaks[0]), "activation floats \(peaks)")
    }

    @Test(arguments: ["qwen3", "bert"])
    func gradientCheckpointingGivesTheSameGradients(_ name: String) throws {
        let dir = try Self.directory(name)
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: dir.appendingPathComponent("reference.json")))
        let pairs = ref.pairs.map { TokenPair(chosen: $0.chosen_ids, rejected: $0.rejected_ids, margin: $0.margin) }
        let ctx = ComputeContext(threads: 2)
        let identical = try {
            var grads: [[[Float]]] = []
            for recompute in [false, true] {
                let model = try TrainableModelLoader.load(directory: dir, recomputeLayers: recompute)
                let step = TrainingStep(model: model, optimizer: AdamW(parameters: model.parameters.all, hyper: .init()), loss: PairLoss(), clipNorm: 0)
                _ = step.accumulate([Array(pairs[0..<3]), Array(pairs[3...])], ctx: ctx)
                grads.append(model.parameters.all.map { $0.grad?.toArray() ?? [] })
            }
            return grads[0] == grads[1]
        }()
        #expect(identical)
    }
}
}
