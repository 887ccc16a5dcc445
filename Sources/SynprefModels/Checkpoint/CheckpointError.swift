import SynprefTensor

/// Why a checkpoint (a safetensors file, a sharded checkpoint or its folder) cannot be read.
/// Every case names the file and, where there is one, the tensor.
public enum CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file could not be opened, inspected or memory-mapped.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte header length.
    case fileTooShort(file: String, size: Int)
    /// The declared header length exceeds the 100 MB limit (as in the reference reader).
    case headerTooLarge(file: String, headerLength: UInt64, limit: Int)
    /// The declared header length runs past the end of the file.
    case headerOutOfBounds(file: String, headerLength: UInt64, fileSize: Int)
    /// The header is not valid UTF-8 JSON.
    case invalidHeaderJSON(file: String, detail: String)
    /// The header is valid JSON but not an object.
    case headerNotAnObject(file: String, found: String)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(file: String, detail: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`, or one of them is malformed.
    case invalidTensorEntry(file: String, tensor: String, detail: String)
    /// A tensor's dtype is not a safetensors dtype.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// The element count or byte size of a tensor overflows.
    case shapeOverflow(file: String, tensor: String, shape: [Int])
    /// shape × dtype size differs from the tensor's byte range.
    case byteSizeMismatch(file: String, tensor: String, dtype: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// A tensor's byte range ends past the data area (usually a truncated file).
    case offsetsOutOfBounds(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// Bytes of the data area that no tensor covers (a hole, or trailing bytes).
    case unindexedBytes(file: String, begin: Int, end: Int)
    /// The tensor is not in the checkpoint.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor exists but its dtype is not one Synpref computes with.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// `model.safetensors.index.json` is malformed.
    case invalidIndex(file: String, detail: String)
    /// A shard that the index lists does not exist.
    case missingShard(index: String, shard: String, tensors: [String])
    /// The index maps a tensor to a shard whose header does not contain it.
    case tensorMissingFromShard(index: String, tensor: String, shard: String)
    /// A shard holds a tensor that the index does not map to it.
    case tensorNotInIndex(index: String, tensor: String, shard: String)
    /// The same tensor is stored in more than one shard.
    case duplicateTensor(index: String, tensor: String, shards: [String])
    /// The folder has neither `model.safetensors` nor `model.safetensors.index.json`.
    case noCheckpoint(directory: String, found: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the checkpoint file: \(reason)"
        case .fileTooShort(let file, let size):
            return "\(file): not a safetensors file: it is \(size) bytes long, shorter than the 8-byte header length; "
                + "the file is truncated or empty (re-download it)"
        case .headerTooLarge(let file, let length, let limit):
            return "\(file): not a safetensors file: the header length field says \(length) bytes, more than the "
                + "\(limit)-byte limit; the file is corrupted or not safetensors"
        case .headerOutOfBounds(let file, let length, let size):
            return "\(file): the header length field says \(length) bytes but the file has only \(size) bytes; "
                + "the file is truncated or corrupted (re-download it)"
        case .invalidHeaderJSON(let file, let detail):
            return "\(file): the safetensors header is not valid JSON: \(detail)"
        case .headerNotAnObject(let file, let found):
            return "\(file): the safetensors header must be a JSON object of tensors, found \(found)"
        case .invalidMetadata(let file, let detail):
            return "\(file): invalid \"__metadata__\" in the safetensors header: \(detail)"
        case .invalidTensorEntry(let file, let tensor, let detail):
            return "\(file): tensor \"\(tensor)\": invalid header entry: \(detail)"
        case .unknownDType(let file, let tensor, let dtype):
            return "\(file): tensor \"\(tensor)\": unknown dtype \"\(dtype)\" (known: "
                + SafetensorsDType.knownNames.joined(separator: ", ") + ")"
        case .shapeOverflow(let file, let tensor, let shape):
            return "\(file): tensor \"\(tensor)\": shape \(shape) is too large (its size overflows); the header is corrupted"
        case .byteSizeMismatch(let file, let tensor, let dtype, let shape, let expected, let actual):
            return "\(file): tensor \"\(tensor)\": shape \(shape) of \(dtype) needs \(expected) bytes but its "
                + "data_offsets cover \(actual) bytes; the header is corrupted"
        case .offsetsOutOfBounds(let file, let tensor, let begin, let end, let size):
            return "\(file): tensor \"\(tensor)\": data_offsets [\(begin), \(end)] run past the end of the data "
                + "(\(size) bytes); the file is truncated (re-download it)"
        case .overlappingTensors(let file, let tensor, let other):
            return "\(file): tensor \"\(tensor)\" overlaps tensor \"\(other)\" in the data area; the header is corrupted"
        case .unindexedBytes(let file, let begin, let end):
            return "\(file): data bytes \(begin)..<\(end) belong to no tensor (safetensors files must be fully "
                + "indexed, without holes); the file is corrupted"
        case .tensorNotFound(let file, let tensor):
            return "\(file): no tensor named \"\(tensor)\""
        case .unsupportedDType(let file, let tensor, let dtype):
            return "\(file): tensor \"\(tensor)\" has dtype \(dtype), which is not supported (supported: "
                + DType.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case .invalidIndex(let file, let detail):
            return "\(file): invalid sharded-checkpoint index: \(detail)"
        case .missingShard(let index, let shard, let tensors):
            return "\(index): shard \"\(shard)\" is missing (it holds \(Self.list(tensors))); "
                + "download the complete checkpoint"
        case .tensorMissingFromShard(let index, let tensor, let shard):
            return "\(index): tensor \"\(tensor)\" is mapped to shard \"\(shard)\", whose header does not contain it"
        case .tensorNotInIndex(let index, let tensor, let shard):
            return "\(index): shard \"\(shard)\" holds tensor \"\(tensor)\", which the index's weight_map does not "
                + "map to that shard"
        case .duplicateTensor(let index, let tensor, let shards):
            return "\(index): tensor \"\(tensor)\" is stored in more than one shard: "
                + shards.map { "\"\($0)\"" }.joined(separator: ", ")
        case .noCheckpoint(let directory, let found):
            var message = "\(directory): no model.safetensors or model.safetensors.index.json"
            if !found.isEmpty {
                message += " (found \(found.joined(separator: ", ")); only safetensors checkpoints are supported: "
                    + "convert pickle checkpoints with transformers' save_pretrained(safe_serialization=True)"
            }
            return message
        }
    }

    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
        return names.count > 3 ? "\(shown) and \(names.count - 3) more" : shown
    }
}
