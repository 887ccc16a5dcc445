import CSynprefKernels
import Foundation

/// What this machine's CPU is and can do, as the kernels see it: the brand string, the
/// logical cores, the instruction-set features that decide which kernels are fastest,
/// and an estimate of its f32 FMA peak.
public struct CPUInfo: Sendable {
    /// Instruction-set extensions that matter for our kernels and the BLAS's.
    public struct Features: OptionSet, Sendable, Hashable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }

        public static let sse2 = Features(rawValue: UInt64(SYNPREF_CPU_SSE2))
        public static let sse3 = Features(rawValue: UInt64(SYNPREF_CPU_SSE3))
        public static let sse41 = Features(rawValue: UInt64(SYNPREF_CPU_SSE41))
        public static let avx = Features(rawValue: UInt64(SYNPREF_CPU_AVX))
        public static let fma = Features(rawValue: UInt64(SYNPREF_CPU_FMA))
        public static let f16c = Features(rawValue: UInt64(SYNPREF_CPU_F16C))
        public static let avx2 = Features(rawValue: UInt64(SYNPREF_CPU_AVX2))
        public static let avx512f = Features(rawValue: UInt64(SYNPREF_CPU_AVX512F))
        public static let avx512dq = Features(rawValue: UInt64(SYNPREF_CPU_AVX512DQ))
        public static let avx512bw = Features(rawValue: UInt64(SYNPREF_CPU_AVX512BW))
        public static let avx512vl = Features(rawValue: UInt64(SYNPREF_CPU_AVX512VL))
        public static let avx512vnni = Features(rawValue: UInt64(SYNPREF_CPU_AVX512VNNI))
        public static let avx512bf16 = Features(rawValue: UInt64(SYNPREF_CPU_AVX512BF16))
        public static let avx512fp16 = Features(rawValue: UInt64(SYNPREF_CPU_AVX512FP16))
        public static let avxvnni = Features(rawValue: UInt64(SYNPREF_CPU_AVXVNNI))
        public static let amxTile = Features(rawValue: UInt64(SYNPREF_CPU_AMX_TILE))
        public static let amxBF16 = Features(rawValue: UInt64(SYNPREF_CPU_AMX_BF16))
        public static let sha = Features(rawValue: UInt64(SYNPREF_CPU_SHA))

        /// The AVX-512 subset SkylakeX-class GEMM kernels need.
        public static let avx512Core: Features = [.avx512f, .avx512bw, .avx512dq, .avx512vl]

        /// Names as Linux's /proc/cpuinfo spells them, in a fixed order.
        public static let named: [(Features, String)] = [
            (.sse2, "sse2"), (.sse3, "sse3"), (.sse41, "sse4_1"), (.avx, "avx"), (.fma, "fma"),
            (.f16c, "f16c"), (.avx2, "avx2"), (.avx512f, "avx512f"), (.avx512dq, "avx512dq"),
            (.avx512bw, "avx512bw"), (.avx512vl, "avx512vl"), (.avx512vnni, "avx512_vnni"),
            (.avx512bf16, "avx512_bf16"), (.avx512fp16, "avx512_fp16"), (.avxvnni, "avx_vnni"),
            (.amxTile, "amx_tile"), (.amxBF16, "amx_bf16"), (.sha, "sha_ni"),
        ]

        public var names: [String] { Self.named.filter { contains($0.0) }.map(\.1) }
    }

    /// The widest SIMD class a CPU (by its features) or a kernel set (by its name) uses.
    public enum VectorClass: Int, Comparable, Sendable, CustomStringConvertible {
        case unknown = 0, sse, avx, avx2, avx512

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .unknown: "unknown"
            case .sse: "SSE"
            case .avx: "AVX"
            case .avx2: "AVX2+FMA"
            case .avx512: "AVX-512"
            }
        }

        /// f32 multiply-adds per cycle per core, assuming two FMA ports (one on SSE/AVX).
        var fmaPerCycle: Int {
            switch self {
            case .unknown, .sse: 4
            case .avx: 8
            case .avx2: 16
            case .avx512: 32
            }
        }
    }

    public let modelName: String
    public let logicalCores: Int
    public let features: Features
    /// Nominal clock in MHz as the OS reports it (nil where it does not).
    public let megahertz: Double?

    public init(modelName: String, logicalCores: Int, features: Features, megahertz: Double?) {
        self.modelName = modelName
        self.logicalCores = logicalCores
        self.features = features
        self.megahertz = megahertz
    }

    /// This machine.
    public static let current: CPUInfo = {
        var brand = [CChar](repeating: 0, count: 49)
        synpref_cpu_brand(&brand)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            for line in cpuinfo.split(separator: "\n") where line.hasPrefix(name) {
                if let colon = line.firstIndex(of: ":") {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
        let brandString = String(decoding: brand.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
        let model = !brandString.isEmpty ? brandString : (field("model name") ?? "unknown CPU")
        return CPUInfo(
            modelName: model, logicalCores: ComputeContext.defaultThreads,
            features: Features(rawValue: synpref_cpu_features()),
            megahertz: field("cpu MHz").flatMap(Double.init))
    }()

    /// The widest SIMD class the CPU supports for f32 GEMM.
    public var vectorClass: VectorClass {
        if features.isSuperset(of: .avx512Core) { return .avx512 }
        if features.isSuperset(of: [.avx2, .fma]) { return .avx2 }
        if features.contains(.avx) { return .avx }
        if features.contains(.sse2) { return .sse }
        return .unknown
    }

    /// f32 FMA peak of all cores in GFLOP/s (2 FLOPs per multiply-add, two FMA units per
    /// core, the OS-reported clock): an upper bound to compare a measurement against, not
    /// a promise (turbo raises it, a single AVX-512 FMA unit halves it).
    public var peakGFLOPS: Double? {
        guard let mhz = megahertz, mhz > 0 else { return nil }
        return Double(logicalCores) * mhz / 1000 * Double(vectorClass.fmaPerCycle * 2)
    }
}
