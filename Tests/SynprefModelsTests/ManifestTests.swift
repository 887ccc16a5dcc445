import Foundation
import Testing
import SynprefCore
import SynprefTensor
@testable import SynprefModels
import SynprefTestSupport

/// Weight manifests against checkpoints transformers saved (their tensor lists must match
/// ours exactly), the real all-MiniLM-L6-v2, and broken checkpoints.
@Suite(.computeThreads) struct ManifestTests {
    typealias Support = SafetensorsTestSupport

    /// Tensors made in memory, for broken checkpoints.
    struct MemorySource: TensorSource {
        final class Storage: @unchecked Sendable {  // immutable after init
            let bytes: UnsafeMutableRawBufferPointer
            init(count: Int) { bytes = .allocate(byteCount: max(count, 1), alignment: 16) }
            deinit { bytes.deallocate() }
        }
        var shapes: [String: [Int]]
        var tensorNames: [String] { shapes.keys.sorted() }
        let storage = Storage(count: 1 << 16)

        func tensor(_ name: String) throws -> CheckpointTensor {
            guard let shape = shapes[name] else { throw CheckpointError.tensorNotFound(file: "memory", tensor: name) }
            let count = shape.reduce(1, *) * 4
            return CheckpointTensor(
                name: name, dtype: .float32, shape: shape,
                bytes: UnsafeRawBufferPointer(rebasing: storage.bytes[0..<min(count, storage.bytes.count)]), owner: storage)
        }
    }

    /// Checks `folder` (config.json + weights saved by transformers) against our manifest:
    /// same names, same shapes, and validate() passes.
    func expectExactMatch(_ folder: URL) throws {
        let config = try ModelConfig.load(from: folder)
        let source = try Checkpoint.open(directory: folder)
        let manifest = WeightManifest(config: config, source: source)
        try manifest.validate(source: source)
        #expect(Set(manifest.entries.map(\.name)) == Set(source.tensorNames), "\(folder.lastPathComponent)")
        #expect(manifest.entries.count == source.tensorNames.count)
        for entry in manifest.entries {
            #expect(try source.tensor(entry.name).shape == entry.shape, "\(entry.name)")
        }
    }

    @Test func qwen3ClassifierSavedByTransformers() throws {
        // GQA (4 heads, 2 kv), head_dim 8 ≠ 16/4, q_norm/k_norm, sharded.
        try expectExactMatch(try Support.fixtures().appendingPathComponent("sharded-qwen3"))
    }

    @Test func llamaClassifierWithBiasesSavedByTransformers() throws {
        // MQA, head_dim 6 ≠ 16/4, attention and MLP biases.
        try expectExactMatch(try Support.fixtures().appendingPathComponent("manifest-llama"))
    }

    @Test func bertClassifierSavedByTransformers() throws {
        let folder = try Support.fixtures().appendingPathComponent("manifest-bert")
        try expectExactMatch(folder)
        let manifest = WeightManifest(config: try ModelConfig.load(from: folder), source: try Checkpoint.open(directory: folder))
        #expect(manifest.prefix == "bert.")
        #expect(manifest.entries.contains(WeightManifest.Entry(name: "classifier.weight", shape: [3, 16])))
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/config.json", "minilm/model.safetensors"), "needs real assets: run scripts/fetch-assets.sh"))
    func realMiniLMHasNoPrefix() throws {
        let folder = try #require(SynprefAssets.locate("minilm"), "asset minilm is missing (run scripts/fetch-assets.sh)")
        let config = try ModelConfig.load(from: folder)
        let source = try Checkpoint.open(directory: folder)
        let manifest = WeightManifest(config: config, source: source)
        #expect(manifest.prefix == "")
        try manifest.validate(source: source)
        // Everything the checkpoint serves is used (its I64 position_ids buffer is not served).
        #expect(Set(manifest.entries.map(\.name)) == Set(source.tensorNames))
    }

    @Test func headCanBeLeftOutForABaseCheckpoint() throws {
        let folder = try Support.fixtures().appendingPathComponent("manifest-llama")
        let config = try ModelConfig.load(from: folder)
        let full = WeightManifest(config: config)
        let base = WeightManifest(config: config, includeHead: false)
        #expect(Set(full.entries.map(\.name)).subtracting(base.entries.map(\.name)) == ["score.weight"])
    }

    @Test func everyProblemIsReportedInOneError() throws {
        let folder = try Support.fixtures().appendingPathComponent("manifest-llama")
        let config = try ModelConfig.load(from: folder)
        let manifest = WeightManifest(config: config)
        var shapes = Dictionary(uniqueKeysWithValues: manifest.entries.map { ($0.name, $0.shape) })
        shapes["model.norm.weight"] = nil
        shapes["model.layers.1.self_attn.k_proj.weight"] = nil
        shapes["score.weight"] = [2, 16]
        shapes["model.embed_tokens.weight"] = [16, 32]
        do {
            try manifest.validate(source: MemorySource(shapes: shapes), checkpoint: "broken")
            Issue.record("broken checkpoint accepted")
        } catch {
            guard case .mismatch(let checkpoint, let problems) = error else { Issue.record("unexpected error \(error)"); return }
            #expect(checkpoint == "broken")
            // Manifest order: embeddings, layer 1's k_proj, final norm, head.
            #expect(problems == [
                .wrongShape(name: "model.embed_tokens.weight", expected: [32, 16], found: [16, 32]),
                .missing(name: "model.layers.1.self_attn.k_proj.weight", shape: [6, 16]),
                .missing(name: "model.norm.weight", shape: [16]),
                .wrongShape(name: "score.weight", expected: [1, 16], found: [2, 16]),
            ])
            #expect(error.description.contains("broken: the weights do not match config.json (4 problems)"))
            #expect(error.description.contains("missing \"model.norm.weight\""))
        }
    }

    @Test func wrongConfigForTheWeights() throws {
        // The Qwen3 weights checked against the Llama config: nearly everything is wrong,
        // and the message stays readable (first 20 problems, then a count).
        let llama = try ModelConfig.load(from: try Support.fixtures().appendingPathComponent("manifest-llama"))
        let qwenFolder = try Support.fixtures().appendingPathComponent("sharded-qwen3")
        let source = try Checkpoint.open(directory: qwenFolder)
        do {
            try WeightManifest(config: llama, source: source).validate(source: source)
            Issue.record("mismatched config accepted")
        } catch {
            guard case .mismatch(let checkpoint, let problems) = error else { Issue.record("unexpected error \(error)"); return }
            #expect(checkpoint == qwenFolder.appendingPathComponent("model.safetensors.index.json").path)
            #expect(problems.count > 20)
            #expect(error.description.contains("and \(problems.count - 20) more"))
        }
    }

    @Test func requiredTensorInAnUnsupportedDType() throws {
        // A required tensor stored as I64 is reported as such, not as missing.
        let header = #"{"model.norm.weight":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}"#
        let url = try Support.write(header: header, data: Array(repeating: 0, count: 16))
        let file = try SafetensorsFile(url: url)
        let manifest = WeightManifest(config: .decoder(DecoderConfig(
            architecture: .llamaForSequenceClassification, vocabSize: 4, hiddenSize: 2, intermediateSize: 2,
            numHiddenLayers: 0, numAttentionHeads: 1, numKeyValueHeads: 1, headDim: 2, rmsNormEps: 1e-6,
            ropeTheta: 10_000, maxPositionEmbeddings: 8)))
        do {
            try manifest.validate(source: file)
            Issue.record("accepted")
        } catch {
            guard case .mismatch(let checkpoint, let problems) = error else { Issue.record("unexpected error \(error)"); return }
            #expect(checkpoint == url.path)
            #expect(problems.contains(.unsupportedDType(name: "model.norm.weight", dtype: "I64")))
            #expect(problems.contains(.missing(name: "model.embed_tokens.weight", shape: [4, 2])))
        }
    }

    @Test func loadedCheckpointOpensAndValidatesInOneStep() throws {
        let folder = try Support.fixtures().appendingPathComponent("sharded-qwen3")
        let loaded = try LoadedCheckpoint(directory: folder)
        #expect(loaded.config.architecture == .qwen3ForSequenceClassification)
        #expect(loaded.manifest.entries.count == loaded.weights.tensorNames.count)
        // A folder whose config does not match its weights fails with the manifest error.
        let mixed = try Support.scratchFolder()
        try FileManager.default.copyItem(
            at: try Support.fixtures().appendingPathComponent("manifest-llama/config.json"),
            to: mixed.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(
            at: try Support.fixtures().appendingPathComponent("manifest-bert/model.safetensors"),
            to: mixed.appendingPathComponent("model.safetensors"))
        #expect(throws: WeightManifestError.self) { try LoadedCheckpoint(directory: mixed) }
    }
}
