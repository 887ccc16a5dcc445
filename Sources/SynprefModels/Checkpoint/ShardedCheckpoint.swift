import Foundation
import SynprefCore
import SynprefTensor

/// A checkpoint split over several safetensors files, described by
/// `model.safetensors.index.json` (`{"metadata": {...}, "weight_map": {tensor: shard}}`).
///
/// Opening checks that the index and the shards agree: every listed shard exists and is a
/// valid safetensors file, every tensor the index maps to a shard is in that shard's header,
/// every tensor of a shard is mapped to it, and no tensor is stored in two shards.
public struct ShardedCheckpoint: TensorSource {
    public static let indexFileName = "model.safetensors.index.json"

    public let indexURL: URL
    /// The shards, sorted by file name.
    public let shards: [SafetensorsFile]
    /// Names of the tensors with a supported dtype, shard by shard in file order.
    public let tensorNames: [String]
    /// The shard (index into `shards`) of every tensor, whatever its dtype.
    private let shardOfTensor: [String: Int]

    /// Every tensor of every shard, whatever its dtype.
    public var entries: [String: SafetensorsEntry] {
        var all: [String: SafetensorsEntry] = [:]
        for shard in shards { all.merge(shard.entries) { first, _ in first } }
        return all
    }

    /// Reads the index at `indexURL` and maps and validates every shard it lists.
    public init(indexURL: URL) throws(CheckpointError) {
        let indexPath = indexURL.path
        let weightMap = try ShardedCheckpoint.readWeightMap(indexURL)
        let folder = indexURL.deletingLastPathComponent()

        // Tensors of each shard, per the index.
        var tensorsOfShard: [String: [String]] = [:]
        for (tensor, shard) in weightMap { tensorsOfShard[shard, default: []].append(tensor) }
        let shardNames = tensorsOfShard.keys.sorted()

        for shard in shardNames where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(shard).path) {
            throw .missingShard(index: indexPath, shard: shard, tensors: (tensorsOfShard[shard] ?? []).sorted())
        }
        var shards: [SafetensorsFile] = []
        for shard in shardNames {
            shards.append(try SafetensorsFile(url: folder.appendingPathComponent(shard)))
        }

        // What the shards' headers actually hold.
        var shardOfTensor: [String: Int] = [:]
        for (index, shard) in shards.enumerated() {
            for name in shard.entries.keys.sorted() {
                if let other = shardOfTensor[name] {
                    throw .duplicateTensor(index: indexPath, tensor: name, shards: [shardNames[other], shardNames[index]])
                }
                shardOfTensor[name] = index
            }
        }
        for (index, shard) in shards.enumerated() {
            for name in shard.entries.keys.sorted() where weightMap[name] != shardNames[index] {
                throw .tensorNotInIndex(index: indexPath, tensor: name, shard: shardNames[index])
            }
        }
        for tensor in weightMap.keys.sorted() {
            guard let shard = weightMap[tensor] else { continue }
            if shardOfTensor[tensor].map({ shardNames[$0] }) != shard {
                throw .tensorMissingFromShard(index: indexPath, tensor: tensor, shard: shard)
            }
        }

        self.indexURL = indexURL
        self.shards = shards
        self.shardOfTensor = shardOfTensor
        self.tensorNames = shards.flatMap(\.tensorNames)
    }

    public func tensor(_ name: String) throws(CheckpointError) -> CheckpointTensor {
        guard let index = shardOfTensor[name] else { throw .tensorNotFound(file: indexURL.path, tensor: name) }
        return try shards[index].tensor(name)
    }

    /// Reads `weight_map` (tensor name → shard file name relative to the index's folder).
    static func readWeightMap(_ indexURL: URL) throws(CheckpointError) -> [String: String] {
        let path = indexURL.path
        let data: Data
        do { data = try Data(contentsOf: indexURL) } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        let json: JSONValue
        do { json = try JSONParser.parse([UInt8](data)) } catch {
            throw .invalidIndex(file: path, detail: "not valid JSON: \(error.description)")
        }
        guard case .object(let root) = json else {
            throw .invalidIndex(file: path, detail: "expected a JSON object, found \(json.kindDescription)")
        }
        guard let mapValue = root["weight_map"] else {
            throw .invalidIndex(file: path, detail: "missing \"weight_map\"")
        }
        guard case .object(let map) = mapValue else {
            throw .invalidIndex(file: path, detail: "\"weight_map\" must be an object, found \(mapValue.kindDescription)")
        }
        var weightMap: [String: String] = [:]
        for tensor in map.keys {
            guard let shard = map[tensor]?.stringValue else {
                throw .invalidIndex(file: path, detail: "weight_map[\"\(tensor)\"] must be a shard file name (a string)")
            }
            // Shards live next to the index: no absolute paths, no escaping the folder.
            let components = shard.split(separator: "/", omittingEmptySubsequences: false)
            if shard.isEmpty || shard.hasPrefix("/") || components.contains(where: { $0 == ".." || $0.isEmpty }) {
                throw .invalidIndex(
                    file: path,
                    detail: "weight_map[\"\(tensor)\"] = \"\(shard)\" is not a file name inside the checkpoint folder")
            }
            weightMap[tensor] = shard
        }
        return weightMap
    }
}
