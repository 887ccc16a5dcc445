#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif
import Foundation

/// The BLAS library this process runs its matrix products on, and which of its kernel
/// sets ("core") it chose for this CPU and why.
public struct BLASLibrary: Sendable {
    /// "OpenBLAS" or "Accelerate".
    public let name: String
    /// The library's version ("0.3.34.481.3").
    public let version: String
    /// The library's own build description (OpenBLAS: `openblas_get_config()`).
    public let configuration: String
    /// The kernel set in use (OpenBLAS: `openblas_get_corename()`, e.g. "SkylakeX").
    public let coreName: String
    /// Why that core: chosen by the library from the CPU's features, or forced by the
    /// environment (`OPENBLAS_CORETYPE`, which we never set or override).
    public let coreChoice: String
    /// Whether the environment forced the core (`OPENBLAS_CORETYPE` set).
    public let coreForcedByEnvironment: Bool
    /// The SIMD class of that kernel set.
    public var vectorClass: CPUInfo.VectorClass { Self.vectorClass(ofCore: coreName) }

    /// The library linked into this process.
    public static let current: BLASLibrary = {
        #if canImport(Accelerate)
        return BLASLibrary(
            name: "Accelerate", version: "system", configuration: "Apple Accelerate",
            coreName: "Accelerate", coreChoice: "chosen by the operating system",
            coreForcedByEnvironment: false)
        #else
        let config = String(cString: scipy_openblas_get_config())
        let core = String(cString: scipy_openblas_get_corename())
        let forced = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        let version = config.split(separator: " ").dropFirst().first.map(String.init) ?? "unknown"
        return BLASLibrary(
            name: "OpenBLAS", version: version, configuration: config, coreName: core,
            coreChoice: forced.map { "forced by OPENBLAS_CORETYPE=\($0) in the environment (left as set)" }
                ?? "detected from the CPU's features by OpenBLAS (DYNAMIC_ARCH)",
            coreForcedByEnvironment: forced != nil)
        #endif
    }()

    /// The SIMD class of an OpenBLAS x86-64 kernel set, from its core name.
    public static func vectorClass(ofCore name: String) -> CPUInfo.VectorClass {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": .avx512
        case "haswell", "zen", "zen2", "zen3", "zen4", "zen5": .avx2
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator": .avx
        case "katmai", "coppermine", "northwood", "prescott", "banias", "core2", "penryn",
             "dunnington", "nehalem", "atom", "athlon", "opteron", "opteron_sse3", "barcelona",
             "nano", "bobcat":
            .sse
        case "accelerate": .avx2
        default: .unknown
        }
    }

    /// Why the kernel set is slower than the CPU allows, or nil when it matches.
    public func mismatch(with cpu: CPUInfo) -> String? {
        let want = Swift.min(cpu.vectorClass, .avx512)
        let have = vectorClass
        guard have != .unknown, have < want else { return nil }
        return "BLAS core \(coreName) uses \(have) kernels, but this CPU supports \(want)"
            + (coreForcedByEnvironment ? " (the core was forced by OPENBLAS_CORETYPE in the environment)" : "")
    }
}
