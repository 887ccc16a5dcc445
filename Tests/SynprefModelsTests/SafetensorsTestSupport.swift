import Foundation
import Testing
import SynprefTensor
@testable import SynprefModels

/// Helpers shared by the checkpoint tests: fixture paths, scratch folders, hand-built
/// safetensors files and dtype widening written out here (independent of the engine).
enum SafetensorsTestSupport {
    /// `Fixtures/checkpoint` inside the test bundle.
    static func fixtures() throws -> URL {
        let root = try #require(Bundle.module.resourceURL, "test bundle has no resources")
        return root.appendingPathComponent("Fixtures/checkpoint", isDirectory: true)
    }

    /// A fresh, empty scratch folder.
    static func scratchFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("synpref-checkpoint-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The bytes of a safetensors file: 8-byte little-endian `declaredLength` (default: the
    /// header's length), the header, the data.
    static func fileBytes(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> [UInt8] {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) }
        bytes += headerBytes
        bytes += data
        return bytes
    }

    /// Writes `bytes` to `name` in a new scratch folder and returns its URL.
    static func write(_ bytes: [UInt8], name: String = "model.safetensors", in folder: URL? = nil) throws -> URL {
        let url = try (folder ?? scratchFolder()).appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    /// Writes a safetensors file built from `header` and `data`.
    static func write(header: String, data: [UInt8], declaredLength: UInt64? = nil) throws -> URL {
        try write(fileBytes(header: header, data: data, declaredLength: declaredLength))
    }

    /// The error opening `url` throws, or nil when it opens.
    static func openError(_ url: URL) -> CheckpointError? {
        do {
            _ = try SafetensorsFile(url: url)
            return nil
        } catch {
            return error
        }
    }

    /// Little-endian bytes of `values` as f32.
    static func f32Bytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32($0))) } }
    }

    /// bf16 is the top half of an f32: shift the bits up by 16.
    static func widenBF16(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// IEEE binary16 → f32: 1 sign, 5 exponent (bias 15), 10 mantissa bits.
    static func widenF16(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Float(bits & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * pow(2, -24)  // subnormal: m × 2^-14 / 2^10
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * pow(2, Float(exponent - 15))
        }
    }

    /// The tensor's values widened to f32, read with unaligned-safe loads.
    static func floats(_ tensor: CheckpointTensor) -> [Float] {
        let bytes = tensor.bytes
        switch tensor.dtype {
        case .float32:
            return (0..<tensor.elementCount).map { Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        case .bfloat16:
            return (0..<tensor.elementCount).map { widenBF16(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .float16:
            return (0..<tensor.elementCount).map { widenF16(bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        }
    }

    /// Parsed JSON fixture.
    static func json(_ url: URL) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(object as? [String: Any], "\(url.lastPathComponent) is not a JSON object")
    }
}
