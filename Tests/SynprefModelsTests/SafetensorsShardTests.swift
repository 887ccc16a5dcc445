import Foundation
import Testing
@testable import SynprefModels
import SynprefTestSupport

/// Sharded checkpoints whose index and shards disagree, built from the transformers-saved
/// fixture (Fixtures/checkpoint/sharded-qwen3) or by hand.
@Suite(.computeThreads) struct SafetensorsShardTests {
    typealias Support = SafetensorsTestSupport

    /// A scratch copy of the sharded fixture and its weight map.
    func copyOfShardedFixture() throws -> (URL, [String: String]) {
        let folder = try Support.scratchFolder().appendingPathComponent("model")
        try FileManager.default.copyItem(at: try Support.fixtures().appendingPathComponent("sharded-qwen3"), to: folder)
        let index = try Support.json(folder.appendingPathComponent(ShardedCheckpoint.indexFileName))
        let weightMap = try #require(index["weight_map"] as? [String: String])
        return (folder, weightMap)
    }

    func writeIndex(_ weightMap: [String: Any], in folder: URL) throws {
        let data = try JSONSerialization.data(withJSONObject: ["metadata": ["total_size": 0], "weight_map": weightMap])
        try data.write(to: folder.appendingPathComponent(ShardedCheckpoint.indexFileName))
    }

    func openError(_ folder: URL) -> CheckpointError? {
        do {
            _ = try Checkpoint.open(directory: folder)
            return nil
        } catch {
            return error
        }
    }

    func indexPath(_ folder: URL) -> String { folder.appendingPathComponent(ShardedCheckpoint.indexFileName).path }

    @Test func missingShard() throws {
        let (folder, weightMap) = try copyOfShardedFixture()
        let shard = "model-00003-of-00008.safetensors"
        try FileManager.default.removeItem(at: folder.appendingPathComponent(shard))
        let held = weightMap.filter { $0.value == shard }.map(\.key).sorted()
        #expect(!held.isEmpty)
        #expect(openError(folder) == .missingShard(index: indexPath(folder), shard: shard, tensors: held))
    }

    @Test func indexMapsATensorToTheWrongShard() throws {
        let (folder, weightMap) = try copyOfShardedFixture()
        var edited = weightMap
        let tensor = "model.norm.weight"
        let actual = try #require(weightMap[tensor])
        edited[tensor] = try #require(Set(weightMap.values).subtracting([actual]).sorted().first)
        try writeIndex(edited, in: folder)
        // The shard that really holds it now holds a tensor the index does not give it.
        #expect(openError(folder) == .tensorNotInIndex(index: indexPath(folder), tensor: tensor, shard: actual))
    }

    @Test func indexListsATensorNoShardHolds() throws {
        let (folder, weightMap) = try copyOfShardedFixture()
        var edited = weightMap
        edited["score.bias"] = "model-00001-of-00008.safetensors"
        try writeIndex(edited, in: folder)
        #expect(openError(folder) == .tensorMissingFromShard(
            index: indexPath(folder), tensor: "score.bias", shard: "model-00001-of-00008.safetensors"))
    }

    @Test func shardHoldsATensorTheIndexOmits() throws {
        let (folder, weightMap) = try copyOfShardedFixture()
        var edited = weightMap
        let removed = edited.removeValue(forKey: "score.weight")
        let shard = try #require(removed)
        try writeIndex(edited, in: folder)
        #expect(openError(folder) == .tensorNotInIndex(index: indexPath(folder), tensor: "score.weight", shard: shard))
    }

    @Test func sameTensorInTwoShards() throws {
        let folder = try Support.scratchFolder()
        let one = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let two = #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"c":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        _ = try Support.write(Support.fileBytes(header: one, data: Support.f32Bytes([1, 2])), name: "one.safetensors", in: folder)
        _ = try Support.write(Support.fileBytes(header: two, data: Support.f32Bytes([3, 4])), name: "two.safetensors", in: folder)
        try writeIndex(["a": "one.safetensors", "b": "one.safetensors", "c": "two.safetensors"], in: folder)
        #expect(openError(folder) == .duplicateTensor(
            index: indexPath(folder), tensor: "b", shards: ["one.safetensors", "two.safetensors"]))
    }

    @Test func handMadeShardsOpenAndServeTheirTensors() throws {
        let folder = try Support.scratchFolder()
        let one = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        let two = #"{"c":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        _ = try Support.write(Support.fileBytes(header: one, data: Support.f32Bytes([1])), name: "one.safetensors", in: folder)
        _ = try Support.write(Support.fileBytes(header: two, data: Support.f32Bytes([3, 4])), name: "two.safetensors", in: folder)
        try writeIndex(["a": "one.safetensors", "c": "two.safetensors"], in: folder)
        let source = try Checkpoint.open(directory: folder)
        #expect(source.tensorNames == ["a", "c"])
        #expect(Support.floats(try source.tensor("c")) == [3, 4])
        #expect(throws: CheckpointError.tensorNotFound(file: indexPath(folder), tensor: "z")) { try source.tensor("z") }
    }

    @Test func malformedIndex() throws {
        let folder = try Support.scratchFolder()
        let url = folder.appendingPathComponent(ShardedCheckpoint.indexFileName)
        let cases: [(String, String)] = [
            ("{", "not valid JSON: "),
            ("[]", "expected a JSON object, found an array"),
            (#"{"metadata":{}}"#, #"missing "weight_map""#),
            (#"{"weight_map":[]}"#, #""weight_map" must be an object, found an array"#),
            (#"{"weight_map":{"a":1}}"#, #"weight_map["a"] must be a shard file name (a string)"#),
            (#"{"weight_map":{"a":"../elsewhere.safetensors"}}"#, #"weight_map["a"] = "../elsewhere.safetensors" is not a file name inside the checkpoint folder"#),
            (#"{"weight_map":{"a":"/etc/passwd"}}"#, #"weight_map["a"] = "/etc/passwd" is not a file name inside the checkpoint folder"#),
        ]
        for (json, detail) in cases {
            try Data(json.utf8).write(to: url)
            guard case .invalidIndex(let file, let message)? = openError(folder) else {
                Issue.record("\(json): expected invalidIndex, got \(String(describing: openError(folder)))")
                continue
            }
            #expect(file == url.path)
            #expect(message.hasPrefix(detail), "\(json): \(message)")
        }
    }

    @Test func corruptShardIsReportedByItsOwnPath() throws {
        let (folder, _) = try copyOfShardedFixture()
        let shard = folder.appendingPathComponent("model-00002-of-00008.safetensors")
        let bytes = try Data(contentsOf: shard)
        try bytes.dropLast(2).write(to: shard)
        guard case .offsetsOutOfBounds(let file, _, _, _, _)? = openError(folder) else {
            Issue.record("truncated shard not reported: \(String(describing: openError(folder)))")
            return
        }
        #expect(file == shard.path)
    }

    @Test func folderWithoutSafetensors() throws {
        let folder = try Support.scratchFolder()
        try Data().write(to: folder.appendingPathComponent("pytorch_model.bin"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("config.json"))
        let error = openError(folder)
        #expect(error == .noCheckpoint(directory: folder.path, found: ["pytorch_model.bin"]))
        #expect(error?.description.contains("safetensors") == true)
        let absent = folder.appendingPathComponent("nowhere")
        #expect(openError(absent) == .unreadable(file: absent.path, reason: "no such folder"))
    }
}
