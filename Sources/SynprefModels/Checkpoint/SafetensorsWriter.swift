import Foundation
import SynprefTensor

/// Writes `.safetensors` files: an 8-byte little-endian header length, a JSON header
/// (padded with spaces to a multiple of 8, as the reference writer does) naming each
/// tensor's dtype, shape and byte range, then the tensors back to back.
///
/// Values are given in f32 and stored in the requested dtype; narrowing to BF16 / F16
/// rounds to nearest even, as `torch.Tensor.to` does. The file is written next to its
/// destination and renamed into place, so a crash never leaves a half-written checkpoint.
public enum SafetensorsWriter {
    /// One tensor to write: f32 values (row-major, `shape`'s element count) and the dtype
    /// to store them in.
    public struct Entry: Sendable {
        public let name: String
        public let shape: [Int]
        public let dtype: DType
        public let values: Tensor

        public init(name: String, values: Tensor, dtype: DType) {
            precondition(values.dtype == .float32, "SafetensorsWriter takes f32 values")
            self.name = name
            self.shape = values.shape
            self.dtype = dtype
            self.values = values
        }
    }

    public static func write(_ entries: [Entry], metadata: [String: String] = ["format": "pt"], to url: URL) throws(SafetensorsWriteError) {
        var seen = Set<String>()
        for e in entries where !seen.insert(e.name).inserted { throw .duplicateTensor(file: url.path, tensor: e.name) }
        // Header.
        var json = "{"
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { "\(quote($0)):\(quote(metadata[$0] ?? ""))" }.joined(separator: ",")
            json += "}"
        }
        var offset = 0
        for e in entries {
            let bytes = e.values.count * e.dtype.byteSize
            if json.count > 1 { json += "," }
            json += "\(quote(e.name)):{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
        }
        json += "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }

        let fm = FileManager.default
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        _ = fm.createFile(atPath: temporary.path, contents: nil)  // failure shows as the open below failing
        guard let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw .unwritable(file: url.path, reason: "cannot create \(temporary.path)")
        }
        do {
            var length = UInt64(header.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: Data(header))
            for e in entries { try writeValues(e, to: handle) }
            try handle.close()
            if fm.fileExists(atPath: url.path) { try fm.removeItem(at: url) }
            try fm.moveItem(at: temporary, to: url)
        } catch {
            try? handle.close()
            try? fm.removeItem(at: temporary)
            throw .unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    /// The stored bytes of `values` in `dtype` (little-endian).
    public static func encode(_ values: UnsafeBufferPointer<Float>, as dtype: DType) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * dtype.byteSize)
        out.withUnsafeMutableBytes { raw in
            switch dtype {
            case .float32:
                for (i, v) in values.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            case .bfloat16:
                for (i, v) in values.enumerated() { raw.storeBytes(of: bfloat16Bits(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            case .float16:
                for (i, v) in values.enumerated() { raw.storeBytes(of: float16Bits(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
        }
        return out
    }

    /// f32 → bf16, round to nearest even (NaN stays a quiet NaN), as c10::BFloat16.
    public static func bfloat16Bits(_ v: Float) -> UInt16 {
        if v.isNaN { return 0x7FC0 }
        let bits = v.bitPattern
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// f32 → IEEE half, round to nearest even (overflow to ±inf, subnormals kept).
    public static func float16Bits(_ v: Float) -> UInt16 {
        let bits = v.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exp = Int((bits >> 23) & 0xFF), mant = bits & 0x7F_FFFF
        if exp == 0xFF { return sign | 0x7C00 | (mant != 0 ? 0x200 : 0) }
        let e = exp - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            if e < -10 { return sign }  // below half the smallest subnormal: ±0
            let m = mant | 0x80_0000
            let shift = UInt32(14 - e)
            var half = m >> shift
            let rem = m & ((1 << shift) - 1), mid = UInt32(1) << (shift - 1)
            if rem > mid || (rem == mid && (half & 1) == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mant >> 13)
        let rem = mant & 0x1FFF
        if rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1) { half += 1 }  // may carry into inf: correct
        return sign | UInt16(half)
    }

    private static func writeValues(_ e: Entry, to handle: FileHandle) throws {
        let values = e.values.toArray()
        let chunk = 1 << 20
        var start = 0
        try values.withUnsafeBufferPointer { all in
            while start < all.count {
                let end = Swift.min(all.count, start + chunk)
                let bytes = encode(UnsafeBufferPointer(rebasing: all[start..<end]), as: e.dtype)
                try handle.write(contentsOf: Data(bytes))
                start = end
            }
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// Why a safetensors file could not be written.
public enum SafetensorsWriteError: Error, CustomStringConvertible, Sendable, Equatable {
    case duplicateTensor(file: String, tensor: String)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case .duplicateTensor(let file, let tensor):
            return "\(file): tensor \(tensor) given twice; every tensor name must be unique"
        case .unwritable(let file, let reason):
            return "\(file): cannot write the checkpoint (\(reason)); check the folder exists and is writable and the disk has space"
        }
    }
}
