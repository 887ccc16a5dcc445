import Foundation
import SynprefTensor
@testable import SynprefTraining
import Testing

/// Losses, AdamW, gradient clipping and schedules against PyTorch / transformers
/// (fixtures from scripts/reference/train_optim_losses.py).
extension TrainingTests {
@Suite struct OptimizerTests {
    let fx: Fixture
    init() throws { fx = try Fixture("optim_losses.safetensors") }

    @Test func bradleyTerryWithMarginAndCentering() throws {
        let rw = try fx.array("loss.chosen"), rl = try fx.array("loss.rejected"), m = try fx.array("loss.margin")
        let e = PairLoss(kind: .bradleyTerry, centerCoefficient: 0.01).evaluate(chosen: rw, rejected: rl, margins: m, normalizer: rw.count)
        #expect(abs(e.loss - Double(try fx.array("loss.bt_margin_center.value")[0])) < 1e-6)
        #expect(withinGradientTolerance(e.dChosen, try fx.array("loss.bt_margin_center.dchosen")).ok)
        #expect(withinGradientTolerance(e.dRejected, try fx.array("loss.bt_margin_center.drejected")).ok)
        // Pairs 0, 2, 3, 6, 7 have r_w > r_l (pair 5 ties: not correct).
        #expect(e.correct == 5)

        let plain = PairLoss().evaluate(chosen: rw, rejected: rl, normalizer: rw.count)
        #expect(abs(plain.loss - Double(try fx.array("loss.bt.value")[0])) < 1e-6)
        #expect(withinGradientTolerance(plain.dChosen, try fx.array("loss.bt.dchosen")).ok)
        #expect(withinGradientTolerance(plain.dRejected, try fx.array("loss.bt.drejected")).ok)
    }

    @Test func logExpAsOpenRLHF() throws {
        let rw = try fx.array("loss.logexp.chosen"), rl = try fx.array("loss.logexp.rejected")
        let e = PairLoss(kind: .logExp).evaluate(chosen: rw, rejected: rl, normalizer: rw.count)
        #expect(abs(e.loss - Double(try fx.array("loss.logexp.value")[0])) < 1e-6)
        #expect(withinGradientTolerance(e.dChosen, try fx.array("loss.logexp.dchosen")).ok)
        #expect(withinGradientTolerance(e.dRejected, try fx.array("loss.logexp.drejected")).ok)
    }

    @Test func lossStaysFiniteForHugeGaps() {
        // softplus(−x) for x = −1000 is 1000 (the naive log(1 + e^1000) overflows).
        let e = PairLoss(kind: .logExp).evaluate(chosen: [-500], rejected: [500], normalizer: 1)
        #expect(abs(e.loss - 1000) < 1e-9 && e.dChosen == [-1] && e.dRejected == [1])
    }

    @Test func accumulationSplitsTheGlobalMean() {
        // Micro-batches of 1 and 3 pairs, each divided by the step's 4 pairs, add up to the
        // loss and gradients of the whole batch of 4.
        let rw: [Float] = [0.5, -1, 2, 0.25], rl: [Float] = [0, 1, -1, 0.5]
        let loss = PairLoss(centerCoefficient: 0.1)
        let whole = loss.evaluate(chosen: rw, rejected: rl, normalizer: 4)
        let a = loss.evaluate(chosen: Array(rw[0..<1]), rejected: Array(rl[0..<1]), normalizer: 4)
        let b = loss.evaluate(chosen: Array(rw[1...]), rejected: Array(rl[1...]), normalizer: 4)
        #expect(abs(a.loss + b.loss - whole.loss) < 1e-12)
        #expect(a.dChosen + b.dChosen == whole.dChosen && a.dRejected + b.dRejected == whole.dRejected)
    }

    @Test func adamWWithClippingAndWarmupMatchesTorch() throws {
        let w = Parameter(name: "w", value: try fx.tensor("adamw.init.w"), role: .weight)
        let b = Parameter(name: "b", value: try fx.tensor("adamw.init.b"), role: .bias)
        let n = Parameter(name: "n", value: try fx.tensor("adamw.init.n"), role: .norm)
        let params = [w, b, n]
        let opt = AdamW(parameters: params, hyper: .init(beta1: 0.85, beta2: 0.99, eps: 1e-6, weightDecay: 0.1))
        let schedule = LearningRateSchedule(kind: .linear, warmupSteps: 2, totalSteps: 6)
        for step in 0..<6 {
            for (p, key) in zip(params, ["w", "b", "n"]) {
                let g = try fx.array("adamw.step\(step).grad.\(key)")
                p.grad?.f32.update(from: g, count: g.count)
            }
            let norm = GradientClipping.clip(params, maxNorm: 1.0)
            #expect(abs(norm - Double(try fx.array("adamw.step\(step).norm")[0])) < 1e-5 * Swift.max(1, norm))
            let lr = 3e-2 * schedule.factor(step: step)
            #expect(abs(Float(lr) - (try fx.array("adamw.step\(step).lr")[0])) < 1e-9)
            opt.update(lr: lr, ctx: testContext)
            for (p, key) in zip(params, ["w", "b", "n"]) {
                let want = try fx.array("adamw.step\(step).after.\(key)")
                let worst = zip(p.value.toArray(), want).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-6, "step \(step) \(key): \(worst)")
            }
        }
    }

    @Test func weightDecaySkipsBiasesAndNorms() {
        // Zero gradients: Adam's update is 0/(0 + eps) = 0, so only decay moves values.
        // lr 0.5 × wd 0.1 ⇒ weights scale by 0.95; bias and norm stay.
        let w = Parameter(name: "w", value: Tensor([2, -4], shape: [2]), role: .weight)
        let e = Parameter(name: "e", value: Tensor([1], shape: [1]), role: .embedding)
        let b = Parameter(name: "b", value: Tensor([2], shape: [1]), role: .bias)
        let n = Parameter(name: "n", value: Tensor([3], shape: [1]), role: .norm)
        let opt = AdamW(parameters: [w, e, b, n], hyper: .init(weightDecay: 0.1))
        opt.update(lr: 0.5, ctx: testContext)
        #expect(w.value.toArray() == [2 * 0.95, -4 * 0.95] && e.value.toArray() == [0.95])
        #expect(b.value.toArray() == [2] && n.value.toArray() == [3])
        // --weight-decay 0 turns it off.
        let off = AdamW(parameters: [w], hyper: .init(weightDecay: 0))
        let before = w.value.toArray()
        off.update(lr: 0.5, ctx: testContext)
        #expect(w.value.toArray() == before)
    }

    @Test func frozenParametersAreNotOptimized() {
        let p = Parameter(name: "frozen", value: Tensor([1, 2], shape: [2]), role: .weight, trainable: false)
        let q = Parameter(name: "live", value: Tensor([1, 2], shape: [2]), role: .weight)
        q.grad?.f32.update(repeating: 1, count: 2)
        let opt = AdamW(parameters: [p, q], hyper: .init())
        #expect(opt.parameters.map(\.name) == ["live"])
        opt.update(lr: 0.1, ctx: testContext)
        #expect(p.value.toArray() == [1, 2])
        // First Adam step with gradient 1: m̂ = 1, v̂ = 1 ⇒ update = lr · 1/(1 + 1e-8) ≈ 0.1.
        #expect(zip(q.value.toArray(), [0.9, 1.9] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test(arguments: [
        ("schedule.constant", LearningRateSchedule.Kind.constant, 0, 25),
        ("schedule.constant_warmup3", .constant, 3, 25),
        ("schedule.linear_warmup3_total20", .linear, 3, 20),
        ("schedule.linear_warmup0_total20", .linear, 0, 20),
        ("schedule.cosine_warmup4_total20", .cosine, 4, 20),
    ])
    func schedulesMatchTransformers(_ name: String, _ kind: LearningRateSchedule.Kind, _ warmup: Int, _ total: Int) throws {
        let want = try fx.array(name)
        let s = LearningRateSchedule(kind: kind, warmupSteps: warmup, totalSteps: total)
        for (step, w) in want.enumerated() {
            #expect(abs(Float(s.factor(step: step)) - w) < 1e-7, "\(name) step \(step)")
        }
    }

    @Test func warmupRatioRoundsUp() {
        // transformers: ceil(total × ratio): 0.1 × 25 = 2.5 → 3; 0.05 × 20 = 1 → 1.
        #expect(LearningRateSchedule.warmupSteps(ratio: 0.1, totalSteps: 25) == 3)
        #expect(LearningRateSchedule.warmupSteps(ratio: 0.05, totalSteps: 20) == 1)
    }
}
}
