import Foundation
import SynprefCore
import SynprefModels
import SynprefTensor

/// Where a run stands, saved with the resumable checkpoint.
public struct TrainerState: Sendable, Hashable, Codable {
    /// Optimizer steps completed.
    public var step: Int
    public var totalSteps: Int
    public var pairs: Int
    /// FNV-1a of every token id of the training pairs: resuming needs the same data.
    public var dataFingerprint: String
    public var options: TrainingOptions
    public var bestAccuracy: Double?
    public var bestStep: Int?
    public var elapsedSeconds: Double

    enum CodingKeys: String, CodingKey {
        case step, pairs, options
        case totalSteps = "total_steps", dataFingerprint = "data_fingerprint", bestAccuracy = "best_accuracy"
        case bestStep = "best_step", elapsedSeconds = "elapsed_seconds"
    }
}

/// The resumable checkpoint (`<output>/checkpoint/`): every parameter's f32 master value
/// (`parameters.safetensors`, adapters included), AdamW's moments
/// (`optimizer.safetensors`: `exp_avg.<name>`, `exp_avg_sq.<name>`, as torch names them)
/// and the trainer state (`trainer_state.json`). The data position follows from the step.
public enum ResumeCheckpoint {
    public static let folderName = "checkpoint"

    public static func save(model: any TrainableRewardModel, optimizer: AdamW, state: TrainerState, to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try SafetensorsWriter.write(model.parameters.all.map { SafetensorsWriter.Entry(name: $0.name, values: $0.value, dtype: .float32) },
                                        metadata: ["format": "synpref-master"], to: directory.appendingPathComponent("parameters.safetensors"))
            var moments: [SafetensorsWriter.Entry] = []
            for (i, p) in optimizer.parameters.enumerated() {
                moments.append(.init(name: "exp_avg.\(p.name)", values: optimizer.firstMoments[i], dtype: .float32))
                moments.append(.init(name: "exp_avg_sq.\(p.name)", values: optimizer.secondMoments[i], dtype: .float32))
            }
            try SafetensorsWriter.write(moments, metadata: ["format": "synpref-adamw", "step": "\(optimizer.step)"],
                                        to: directory.appendingPathComponent("optimizer.safetensors"))
            let json = try JSONValueEncoder().encode(state).serialized(indent: 2) + "\n"
            try Data(json.utf8).write(to: directory.appendingPathComponent("trainer_state.json"), options: .atomic)
        } catch let e as TrainingError {
            throw e
        } catch {
            throw TrainingError.checkpoint(directory: directory.path, reason: "\(error)")
        }
    }

    /// Restores parameters and optimizer state in place; returns the saved trainer state.
    public static func load(into model: any TrainableRewardModel, optimizer: AdamW, from directory: URL) throws -> TrainerState {
        func fail(_ reason: String) -> TrainingError { .resume(directory: directory.path, reason: reason) }
        let stateURL = directory.appendingPathComponent("trainer_state.json")
        guard let data = try? Data(contentsOf: stateURL) else { throw fail("no trainer_state.json; was this run saved periodically (saveEvery) or did it finish?") }
        let state: TrainerState
        do { state = try JSONValueDecoder().decode(TrainerState.self, from: [UInt8](data)) } catch { throw fail("trainer_state.json is not valid (\(error))") }
        let params: SafetensorsFile, moments: SafetensorsFile
        do {
            params = try SafetensorsFile(url: directory.appendingPathComponent("parameters.safetensors"))
            moments = try SafetensorsFile(url: directory.appendingPathComponent("optimizer.safetensors"))
        } catch { throw fail("\(error)") }
        func read(_ file: SafetensorsFile, _ name: String, shape: [Int]) throws -> [Float] {
            let t: CheckpointTensor
            do { t = try file.tensor(name) } catch { throw fail("\(error)") }
            guard t.shape == shape, t.dtype == .float32 else { throw fail("\(name) has shape \(t.shape) \(t.dtype), expected \(shape) F32: the checkpoint belongs to another model or options (LoRA rank, frozen parts)") }
            return Tensor(borrowing: t.bytes, dtype: t.dtype, shape: t.shape, owner: t.owner).toArray()
        }
        for p in model.parameters.all {
            let values = try read(params, p.name, shape: p.shape)
            p.value.f32.update(from: values, count: values.count)
        }
        var first: [Tensor] = [], second: [Tensor] = []
        for p in optimizer.parameters {
            first.append(Tensor(try read(moments, "exp_avg.\(p.name)", shape: p.shape), shape: p.shape))
            second.append(Tensor(try read(moments, "exp_avg_sq.\(p.name)", shape: p.shape), shape: p.shape))
        }
        optimizer.restore(step: state.step, firstMoments: first, secondMoments: second)
        return state
    }

    /// FNV-1a (64-bit) over the pairs' token ids, margins and token types, in order.
    public static func fingerprint(_ pairs: [TokenPair]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: UInt64) { h = (h ^ v) &* 0x100_0000_01b3 }
        for p in pairs {
            mix(UInt64(p.chosen.count)); for id in p.chosen { mix(UInt64(bitPattern: Int64(id))) }
            mix(UInt64(p.rejected.count)); for id in p.rejected { mix(UInt64(bitPattern: Int64(id))) }
            mix((p.margin ?? 0).bitPattern)
            // Token types (BERT text pairs) only when present, so hashes of pairs without
            // them stay as they were.
            if p.hasTokenTypes {
                for types in [p.chosenTypes ?? [], p.rejectedTypes ?? []] {
                    mix(UInt64(types.count)); for t in types { mix(UInt64(bitPattern: Int64(t))) }
                }
            }
        }
        return String(h, radix: 16)
    }
}
