#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSynprefKernels
import SynprefTensor

/// torch.optim.AdamW (decoupled weight decay, bias-corrected moments), reproducing the
/// CPU single-tensor path's f32 arithmetic. Weight decay goes to parameters whose role
/// decays (not biases or norm weights, as TRL/OpenRLHF group them); 0 turns it off.
public final class AdamW: @unchecked Sendable {
    // @unchecked Sendable: state is touched only by the training loop that owns it.

    public struct Hyperparameters: Sendable, Hashable, Codable {
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var weightDecay: Double

        public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.weightDecay = weightDecay
        }
    }

    public let hyper: Hyperparameters
    public let parameters: [Parameter]
    /// First and second moments per parameter (same order), created at the first step.
    public private(set) var firstMoments: [Tensor]
    public private(set) var secondMoments: [Tensor]
    /// Steps taken (torch's `state["step"]`, shared by every parameter here).
    public private(set) var step: Int = 0

    public init(parameters: [Parameter], hyper: Hyperparameters) {
        self.parameters = parameters.filter(\.isTrainable)
        self.hyper = hyper
        self.firstMoments = self.parameters.map { Tensor(zeros: $0.shape) }
        self.secondMoments = self.parameters.map { Tensor(zeros: $0.shape) }
    }

    /// Restores the state of a resumed run (moments in `parameters` order).
    public func restore(step: Int, firstMoments: [Tensor], secondMoments: [Tensor]) {
        precondition(firstMoments.count == parameters.count && secondMoments.count == parameters.count, "AdamW state count")
        for (i, p) in parameters.enumerated() {
            precondition(firstMoments[i].shape == p.shape && secondMoments[i].shape == p.shape, "AdamW state shape of \(p.name)")
        }
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    /// One update with learning rate `lr` from the parameters' current gradients.
    public func update(lr: Double, ctx: ComputeContext) {
        step += 1
        let t = Double(step)
        // Python-float scalars in torch, rounded to f32 where they meet the tensors.
        let biasCorrection1 = 1 - pow(hyper.beta1, t)
        let biasCorrection2 = 1 - pow(hyper.beta2, t)
        let stepSize = lr / biasCorrection1
        let bc2Sqrt = Float(biasCorrection2.squareRoot())
        let w1 = Float(1 - hyper.beta1), b2 = Float(hyper.beta2), w2 = Float(1 - hyper.beta2)
        let negStep = Float(-stepSize), eps = Float(hyper.eps)
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            let decay: Float = (p.role.decays && hyper.weightDecay != 0) ? Float(1 - lr * hyper.weightDecay) : 1
            let pp = p.value.f32, mp = firstMoments[i].f32, vp = secondMoments[i].f32, gp = UnsafePointer(g.f32)
            ctx.parallelRanges(p.count, minimumPerWorker: 1 << 14) { r in
                let o = r.lowerBound
                synpref_adamw_update(pp + o, mp + o, vp + o, gp + o, r.count, decay, w1, b2, w2, negStep, bc2Sqrt, eps)
            }
        }
    }
}
