import Foundation

/// Opens the weights of a checkpoint folder the way transformers picks them.
public enum Checkpoint {
    public static let singleFileName = "model.safetensors"

    /// The weights in `directory`: `model.safetensors` when present (transformers prefers it),
    /// else the shards listed by `model.safetensors.index.json`. Throws
    /// `CheckpointError.noCheckpoint` (listing what the folder does have) otherwise.
    public static func open(directory: URL) throws(CheckpointError) -> any TensorSource {
        let single = directory.appendingPathComponent(singleFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            return try SafetensorsFile(url: single)
        }
        let index = directory.appendingPathComponent(ShardedCheckpoint.indexFileName)
        if FileManager.default.fileExists(atPath: index.path) {
            return try ShardedCheckpoint(indexURL: index)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadable(file: directory.path, reason: "no such folder")
        }
        let weightSuffixes = [".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".gguf", ".h5", ".msgpack"]
        let found = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { name in weightSuffixes.contains { name.hasSuffix($0) } || name.hasSuffix(".index.json") }
            .sorted()
        throw .noCheckpoint(directory: directory.path, found: found)
    }
}
