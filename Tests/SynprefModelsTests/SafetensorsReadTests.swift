import Foundation
import Testing
import SynprefCore
import SynprefTensor
@testable import SynprefModels
import SynprefTestSupport

/// Reading files written by the reference `safetensors` library and by transformers'
/// `save_pretrained`, compared with what `safe_open` reads from them
/// (scripts/reference/make_checkpoint_fixtures.py).
@Suite(.computeThreads) struct SafetensorsReadTests {
    typealias Support = SafetensorsTestSupport

    /// Compares every tensor of `source` listed in `expected` (name → dtype, shape, sum,
    /// first values); unsupported dtypes must be listed in `entries` but refused.
    func compare(_ source: any TensorSource, entries: [String: SafetensorsEntry], expected: [String: Any]) throws {
        for (name, value) in expected {
            let info = try #require(value as? [String: Any])
            let dtypeName = try #require(info["dtype"] as? String)
            let shape = try #require(info["shape"] as? [Int])
            let entry = try #require(entries[name], "\(name) not listed")
            #expect(entry.dtypeName == dtypeName, "\(name)")
            #expect(entry.shape == shape, "\(name)")
            guard DType(rawValue: dtypeName) != nil else {
                #expect(!source.tensorNames.contains(name), "\(name) has an unsupported dtype but is listed")
                #expect(throws: CheckpointError.self) { try source.tensor(name) }
                continue
            }
            #expect(source.tensorNames.contains(name), "\(name)")
            let tensor = try source.tensor(name)
            #expect(tensor.name == name)
            #expect(tensor.dtype.rawValue == dtypeName)
            #expect(tensor.shape == shape)
            #expect(tensor.bytes.count == tensor.elementCount * tensor.dtype.byteSize)
            if let base = tensor.bytes.baseAddress {
                #expect(Int(bitPattern: base) % tensor.dtype.byteSize == 0, "\(name) is not aligned")
            }
            let values = Support.floats(tensor)
            let first = try #require(info["first"] as? [Double])
            // Widening bf16/f16/f32 to f32 is exact and the reference printed the exact f32
            // values as doubles; Foundation's JSON parser on Linux can be an ulp (of a
            // double) off, which rounding back to f32 removes: equality is exact.
            #expect(Array(values.prefix(first.count)) == first.map { Float($0) }, "\(name)")
            let sum = try #require(info["sum"] as? Double)
            let ours = values.reduce(0.0) { $0 + Double($1) }
            #expect(abs(ours - sum) <= 1e-9 * max(1, abs(sum)), "\(name): sum \(ours) vs \(sum)")
        }
    }

    @Test func readsTinyFileWrittenByPythonSafetensors() throws {
        let folder = try Support.fixtures()
        let file = try SafetensorsFile(url: folder.appendingPathComponent("tiny.safetensors"))
        let expected = try Support.json(folder.appendingPathComponent("tiny.expected.json"))
        let tensors = try #require(expected["tensors"] as? [String: Any])
        #expect(file.metadata == (expected["metadata"] as? [String: String]))
        #expect(Set(file.entries.keys) == Set(tensors.keys))
        // Every supported tensor is listed, nothing else.
        #expect(Set(file.tensorNames) == Set(file.entries.values.filter { $0.dtype != nil }.map(\.name)))
        try compare(file, entries: file.entries, expected: tensors)
    }

    @Test func unsupportedDTypeIsListedButRefusedWithTypedError() throws {
        let url = try Support.fixtures().appendingPathComponent("tiny.safetensors")
        let file = try SafetensorsFile(url: url)
        #expect(file.entries["position_ids"]?.dtypeName == "I64")
        #expect(!file.tensorNames.contains("position_ids"))
        #expect(throws: CheckpointError.unsupportedDType(file: url.path, tensor: "position_ids", dtype: "I64")) {
            try file.tensor("position_ids")
        }
        #expect(throws: CheckpointError.tensorNotFound(file: url.path, tensor: "nope")) { try file.tensor("nope") }
    }

    @Test func readsShardedCheckpointSavedByTransformers() throws {
        let folder = try Support.fixtures().appendingPathComponent("sharded-qwen3")
        let source = try Checkpoint.open(directory: folder)
        let sharded = try #require(source as? ShardedCheckpoint)
        let expected = try Support.json(try Support.fixtures().appendingPathComponent("sharded-qwen3.expected.json"))
        let shards = try #require(expected["shards"] as? [String: Any])
        #expect(sharded.shards.map { $0.url.lastPathComponent } == shards.keys.sorted())
        var all: [String: Any] = [:]
        for (shard, tensors) in shards {
            let tensors = try #require(tensors as? [String: Any])
            let file = try #require(sharded.shards.first { $0.url.lastPathComponent == shard })
            #expect(Set(file.entries.keys) == Set(tensors.keys), "\(shard)")
            all.merge(tensors) { first, _ in first }
        }
        #expect(Set(sharded.tensorNames) == Set(all.keys))
        #expect(sharded.tensorNames.count == all.count)
        try compare(sharded, entries: sharded.entries, expected: all)
    }

    @Test func openPrefersTheSingleFile() throws {
        // transformers looks for model.safetensors before the index; so do we.
        let folder = try Support.scratchFolder()
        let fixtures = try Support.fixtures()
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("tiny.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        try Data("not even JSON".utf8).write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        let source = try Checkpoint.open(directory: folder)
        #expect(source is SafetensorsFile)
        #expect(Set(source.tensorNames) == ["weight.f32", "weight.bf16", "weight.f16", "scalar", "empty"])
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors"), "needs real assets: run scripts/fetch-assets.sh"))
    func readsRealMiniLM() throws {
        let url = try #require(SynprefAssets.locate("minilm/model.safetensors"), "asset minilm/model.safetensors is missing (run scripts/fetch-assets.sh)")
        let file = try SafetensorsFile(url: url)
        let expected = try Support.json(try Support.fixtures().appendingPathComponent("minilm.expected.json"))
        let tensors = try #require(expected["tensors"] as? [String: Any])
        #expect(file.metadata == (expected["metadata"] as? [String: String]))
        #expect(Set(file.entries.keys) == Set(tensors.keys))
        #expect(file.entries.count == 104)
        #expect(file.entries["embeddings.position_ids"]?.dtypeName == "I64")
        #expect(file.tensorNames.count == 103)
        try compare(file, entries: file.entries, expected: tensors)
        // Zero-copy: the word embeddings are a view into the mapping, not a copy.
        let embeddings = try file.tensor("embeddings.word_embeddings.weight")
        #expect(embeddings.shape == [30522, 384])
        #expect(embeddings.owner is MappedFile)
    }

    @Test func misalignedTensorIsCopiedToAlignedMemory() throws {
        // A hand-made header of odd length puts the f32 data at file offset 8 + 57 = 65,
        // which no mmap base (page aligned) + 65 can align to 4 bytes.
        var header = #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}"#
        while header.utf8.count < 57 { header += " " }
        #expect(header.utf8.count == 57)
        let url = try Support.write(header: header, data: Support.f32Bytes([1.5, -2, 3.25]))
        let file = try SafetensorsFile(url: url)
        let tensor = try file.tensor("w")
        let base = try #require(tensor.bytes.baseAddress)
        #expect(Int(bitPattern: base) % 4 == 0)
        #expect(tensor.owner is AlignedCopy)
        #expect(Support.floats(tensor) == [1.5, -2, 3.25])
    }

    @Test func tensorOutlivesTheFileValue() throws {
        // `owner` keeps the mapping alive after the SafetensorsFile is gone.
        let url = try Support.write(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}   "#, data: Support.f32Bytes([7, 8]))
        var tensor: CheckpointTensor?
        do {
            let file = try SafetensorsFile(url: url)
            tensor = try file.tensor("w")
        }
        #expect(Support.floats(try #require(tensor)) == [7, 8])
    }
}
