import SynprefModels
import SynprefTensor

/// A reward model that can be trained: a forward over a packed batch that keeps what the
/// backward needs, and a backward that accumulates parameter gradients.
public protocol TrainableRewardModel: AnyObject, Sendable {
    /// The configuration the model is saved with (a `*ForSequenceClassification`).
    var config: ModelConfig { get }
    var parameters: ParameterSet { get }
    /// One reward per sequence of `batch` (the single logit of the head), keeping the
    /// activations of this batch for `backward`.
    func forward(_ batch: TrainingBatch, ctx: ComputeContext) -> [Float]
    /// Adds ∂(Σ_s dRewards[s] · reward[s])/∂θ to every trainable parameter's gradient, for
    /// the batch of the last `forward`.
    func backward(dRewards: [Float], ctx: ComputeContext)
    /// LoRA adapters by module name (the base weight's prefix); empty without LoRA.
    var loraAdapters: [String: LoRAAdapter] { get }
    /// Floats of activation memory the last forward + backward used (for reports).
    var activationPeakFloats: Int { get }
}

extension TrainableRewardModel {
    /// The weights of the `*ForSequenceClassification` model to save, under their Hugging
    /// Face names, in the dtype each had in the checkpoint it came from: every parameter
    /// except the adapters, with each LoRA adapter merged into its base weight
    /// (W + s · B A, computed in f32 as PEFT's `merge_and_unload` does for f32 weights).
    public func exportedTensors() -> [SafetensorsWriter.Entry] {
        let adapterNames = Set(loraAdapters.values.flatMap { [$0.a.name, $0.b.name] })
        return parameters.all.filter { !adapterNames.contains($0.name) }.map { p in
            let module = String(p.name.dropLast(".weight".count))
            guard p.name.hasSuffix(".weight"), let lora = loraAdapters[module] else {
                return SafetensorsWriter.Entry(name: p.name, values: p.value, dtype: p.storedDType)
            }
            let merged = Tensor(p.value.toArray(), shape: p.shape)
            let out = p.shape[0], inFeatures = p.shape[1]
            // merged[out, in] += s · B[out, r] · A[r, in]
            BLAS.sgemm(transB: false, m: out, n: inFeatures, k: lora.rank, alpha: lora.scale,
                       a: UnsafePointer(lora.b.value.f32), lda: lora.rank, b: UnsafePointer(lora.a.value.f32), ldb: inFeatures,
                       beta: 1, c: merged.f32, ldc: inFeatures)
            return SafetensorsWriter.Entry(name: p.name, values: merged, dtype: p.storedDType)
        }
    }

    /// The rewards the engine's inference code computes with the current weights (the
    /// path validation and saved checkpoints use).
    public func inferenceModel(threads: Int? = nil, maxBatchTokens: Int = 4096) throws -> RewardModel {
        try RewardModel(config: config, weights: parameters.tensorSource, threads: threads, maxBatchTokens: maxBatchTokens)
    }
}
