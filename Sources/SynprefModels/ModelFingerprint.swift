import Foundation
import SynprefCore

/// A stable identity of a reward model's scoring function (`RewardScorer.fingerprint`):
/// score caches are keyed by it, so it must change whenever the scores could, yet be cheap
/// for multi-GB checkpoints.
///
/// It is the SHA-256 of a JSON description holding:
/// - `config.json`'s SHA-256;
/// - per safetensors file (by name): its size and
///   - the file's SHA-256 when it is a Hugging Face cache blob (the blob's name is the
///     SHA-256 of its content, so this is exact and free), else
///   - the whole file's SHA-256 when it is at most 64 MiB, else
///   - the SHA-256 of its header (names, dtypes, shapes, offsets), of every tensor of at
///     most 1 MiB (norms, biases, the score head: what a head-only fine-tune changes), and
///     of 64 blocks of 4 KiB spread evenly over the data (what a full or LoRA-merged
///     fine-tune changes nearly everywhere). Reading them costs well under a second even
///     for an 8B checkpoint;
/// - the text front end's description (tokenizer.json's SHA-256, the chat template,
///   special tokens, the text-pair layout version, max length and truncation).
///
/// In-memory models (no folder) hash every tensor's bytes.
public enum ModelFingerprint {
    public static let wholeFileLimit = 64 << 20
    public static let smallTensorLimit = 1 << 20
    public static let sampleCount = 64
    public static let sampleSize = 4096

    /// The description the fingerprint hashes.
    public static func description(directory: URL?, weights: any TensorSource, frontEnd: TextFrontEnd?) throws -> JSONValue {
        var o = JSONObject()
        o["version"] = .integer(1)
        if let directory {
            let config = directory.appendingPathComponent("config.json")
            if let data = try? Data(contentsOf: config) { o["config_sha256"] = .string(SHA256.hex([UInt8](data))) }
        }
        var files: [JSONValue] = []
        switch weights {
        case let file as SafetensorsFile:
            files.append(describe(file))
        case let sharded as ShardedCheckpoint:
            for shard in sharded.shards { files.append(describe(shard)) }
        default:
            var hasher = SHA256()
            for name in weights.tensorNames.sorted() {
                let t = try weights.tensor(name)
                hasher.update(Array("\(name) \(t.dtype.rawValue) \(t.shape)\n".utf8))
                withExtendedLifetime(t.owner) { hasher.update(t.bytes) }
            }
            files.append(.object(JSONObject([("in_memory_sha256", .string(SHA256.hexString(hasher.finalize())))])))
        }
        o["weights"] = .array(files)
        o["front_end"] = frontEnd?.fingerprintDescription ?? .null
        return .object(o)
    }

    /// SHA-256 (hex) of `description(...)`.
    public static func compute(directory: URL?, weights: any TensorSource, frontEnd: TextFrontEnd?) throws -> String {
        SHA256.hex(try description(directory: directory, weights: weights, frontEnd: frontEnd).serialized())
    }

    static func describe(_ file: SafetensorsFile, wholeFileLimit: Int = ModelFingerprint.wholeFileLimit) -> JSONValue {
        var o = JSONObject()
        o["file"] = .string(file.url.lastPathComponent)
        o["size"] = .integer(file.fileSize)
        if let blob = hubBlobDigest(file.url) {
            o["sha256"] = .string(blob)
            return .object(o)
        }
        withExtendedLifetime(file) {
            let bytes = file.mappedBytes
            if bytes.count <= wholeFileLimit {
                o["sha256"] = .string(SHA256.hex(bytes))
                return
            }
            o["header_sha256"] = .string(SHA256.hex(UnsafeRawBufferPointer(rebasing: bytes[0..<file.dataOffset])))
            var small = SHA256()
            for entry in file.entries.values.sorted(by: { $0.dataOffsets.lowerBound < $1.dataOffsets.lowerBound })
            where entry.dataOffsets.count <= smallTensorLimit {
                let start = file.dataOffset + entry.dataOffsets.lowerBound
                small.update(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + entry.dataOffsets.count)]))
            }
            o["small_tensors_sha256"] = .string(SHA256.hexString(small.finalize()))
            var sampled = SHA256()
            let dataLength = bytes.count - file.dataOffset
            let span = Swift.max(0, dataLength - sampleSize)
            for k in 0..<sampleCount {
                let start = file.dataOffset + span * k / (sampleCount - 1)
                let end = Swift.min(bytes.count, start + sampleSize)
                sampled.update(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            }
            o["sampled_sha256"] = .string(SHA256.hexString(sampled.finalize()))
        }
        return .object(o)
    }

    /// The SHA-256 a Hugging Face cache blob is named by, when `url` is a snapshot link
    /// into `blobs/<64 hex digits>`.
    static func hubBlobDigest(_ url: URL) -> String? {
        let resolved = url.resolvingSymlinksInPath()
        guard resolved.path != url.path, resolved.deletingLastPathComponent().lastPathComponent == "blobs" else { return nil }
        let name = resolved.lastPathComponent
        guard name.count == 64, name.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else { return nil }
        return name
    }
}
