import Foundation
import SynprefTensor

/// Deterministic checkpoint weights from a tiny PRNG, so tests can build models with real
/// vocabulary sizes (embeddings of 150k rows) without committing multi-MB fixtures: the
/// test writes the safetensors at run time, and the reference script
/// (scripts/reference/frontend_e2e.py, `prng_values`) computes the same numbers.
///
/// - seed: FNV-1a 64 of the tensor name's UTF-8 bytes;
/// - element i (row-major): SplitMix64 at state `seed + (i + 1) * 0x9E3779B97F4A7C15`
///   (mod 2^64), `u = z >> 40`;
/// - value: `1 + ((u % 65) - 32) / 128` for names ending in "norm.weight" (any case),
///   else `((u % 255) - 127) / 256`. Both are exact in bf16, f16 and f32.
public enum SyntheticWeights {
    /// The values of tensor `name` with `count` elements.
    public static func values(name: String, count: Int) -> [Float] {
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { seed = (seed ^ UInt64(b)) &* 0x100_0000_01B3 }
        let isNorm = name.lowercased().hasSuffix("norm.weight")
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            var z = seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let u = z >> 40
            out[i] = isNorm ? 1 + Float(Int(u % 65) - 32) / 128 : Float(Int(u % 255) - 127) / 256
        }
        return out
    }

    /// Writes a safetensors file with the named tensors, in `dtype`.
    public static func write(_ tensors: [(name: String, shape: [Int])], dtype: DType, to url: URL) throws {
        let entries = tensors.map { t in
            SafetensorsWriter.Entry(name: t.name, values: Tensor(values(name: t.name, count: t.shape.reduce(1, *)), shape: t.shape), dtype: dtype)
        }
        try SafetensorsWriter.write(entries, to: url)
    }
}
