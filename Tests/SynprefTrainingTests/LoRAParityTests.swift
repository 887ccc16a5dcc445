import Foundation
import SynprefTensor
@testable import SynprefTraining
import Testing

/// LoRA training against PEFT (scripts/reference/train_lora_reference.py): same adapters
/// (PEFT's initial A, B = 0), same trainable set (adapters + the head), first-step
/// gradients, losses, and the merged weights after training.
extension TrainingTests {
@Suite struct LoRAParityTests {
    struct Reference: Decodable {
        var rank: Int, alpha: Double, targets: [String], center: Double, steps: Int, lr: Double, eps: Double
        var clip_norm: Double, pairs_per_step: Int, losses: [Double]
    }

    @Test(arguments: ["qwen3", "bert"])
    func trainsAndMergesLikePEFT(_ name: String) throws {
        let root = try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: root.appendingPathComponent("lora-\(name).json")))
        let data = try JSONDecoder().decode(TrainingTests.PyTorchParityTests.Reference.self, from: Data(contentsOf: root.appendingPathComponent("train-\(name)/reference.json")))
        let fx = try Fixture("lora-\(name).safetensors")
        let model = try TrainableModelLoader.load(
            directory: root.appendingPathComponent("train-\(name)"),
            parts: TrainableParts(lora: LoRAOptions(rank: ref.rank, alpha: ref.alpha, targetModules: ref.targets)))
        // The trainable set is PEFT's: the adapters and the head.
        let peftTrainable = Set(fx.file.tensorNames.filter { $0.hasPrefix("grad.") }.map { String($0.dropFirst(5)) })
        #expect(Set(model.parameters.trainable.map(\.name)) == peftTrainable)
        #expect(model.loraAdapters.values.allSatisfy { $0.scale == Float(ref.alpha / Double(ref.rank)) && $0.b.value.toArray().allSatisfy { $0 == 0 } })
        for adapter in model.loraAdapters.values {
            let a = try fx.array("init.\(adapter.a.name)")
            adapter.a.value.f32.update(from: a, count: a.count)
        }
        let ctx = ComputeContext(threads: 2)
        let step = TrainingStep(model: model, optimizer: AdamW(parameters: model.parameters.all, hyper: .init(eps: ref.eps)),
                                loss: PairLoss(centerCoefficient: ref.center), clipNorm: ref.clip_norm)
        let pairs = data.pairs.map { TokenPair(chosen: $0.chosen_ids, rejected: $0.rejected_ids) }
        for s in 0..<ref.steps {
            let batch = (0..<ref.pairs_per_step).map { pairs[(ref.pairs_per_step * s + $0) % pairs.count] }
            let stats = step.accumulate([batch], ctx: ctx)
            #expect(abs(stats.loss - ref.losses[s]) <= 1e-5, "\(name) step \(s): loss \(stats.loss) vs \(ref.losses[s])")
            if s == 0 {
                for p in model.parameters.trainable {
                    let (ok, worst) = withinGradientTolerance(try #require(p.grad).toArray(), try fx.array("grad.\(p.name)"))
                    #expect(ok, "\(name) gradient of \(p.name): \(worst)")
                }
            }
            step.apply(lr: ref.lr, ctx: ctx)
        }
        let exported = model.exportedTensors()
        let mergedNames = Set(fx.file.tensorNames.filter { $0.hasPrefix("merged.") }.map { String($0.dropFirst(7)) })
        #expect(Set(exported.map(\.name)) == mergedNames)
        for e in exported {
            let worst = zip(e.values.toArray(), try fx.array("merged.\(e.name)")).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5, "\(name) merged \(e.name): \(worst)")
        }
    }

    @Test func unknownTargetModuleIsAClearError() throws {
        let root = try #require(Bundle.module.resourceURL?.appendingPathComponent("Fixtures/train-qwen3"))
        #expect {
            _ = try TrainableModelLoader.load(directory: root, parts: TrainableParts(lora: LoRAOptions(rank: 2, targetModules: ["query"])))
        } throws: { error in
            "\(error)".contains("no linear layer named query") && "\(error)".contains("q_proj")
        }
        #expect(throws: TrainableModelError.self) {
            _ = try TrainableModelLoader.load(directory: root, parts: TrainableParts(lora: LoRAOptions(rank: 0)))
        }
    }
}
}
