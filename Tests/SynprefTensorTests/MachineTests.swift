import CSynprefKernels
import Foundation
import Testing
@testable import SynprefTensor
import SynprefTestSupport

private let coreTypeForced = !(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "").isEmpty

/// The BLAS kernels in use match this machine's CPU, the start-up self-check passes on
/// the linked library and catches a wrong one, and the CPU facts agree with the kernel's.
@Suite(.computeThreads) struct MachineTests {
    /// On the machine the suite runs on, the library picked kernels as wide as the CPU
    /// allows (AVX-512 → a SkylakeX-class core, AVX2+FMA → Haswell-class), not SSE ones.
    @Test(.enabled(if: !coreTypeForced, "OPENBLAS_CORETYPE is set: the core was chosen by the environment"))
    func blasKernelsMatchTheCPU() {
        let cpu = CPUInfo.current, blas = BLASLibrary.current
        #if !canImport(Accelerate) && arch(x86_64)
        #expect(blas.vectorClass != .unknown, "unknown OpenBLAS core \(blas.coreName)")
        #expect(blas.vectorClass >= Swift.min(cpu.vectorClass, .avx512),
                "core \(blas.coreName) (\(blas.vectorClass)) on a \(cpu.vectorClass) CPU: \(cpu.features.names)")
        #expect(!blas.coreForcedByEnvironment)
        #endif
        #expect(blas.mismatch(with: cpu) == nil)
    }

    /// A core forced through OPENBLAS_CORETYPE is used as set and reported as forced.
    @Test(.enabled(if: coreTypeForced, "OPENBLAS_CORETYPE is not set"))
    func aForcedCoreIsLeftAsSetAndReported() {
        let blas = BLASLibrary.current
        #expect(blas.coreForcedByEnvironment)
        #expect(blas.coreChoice.contains("OPENBLAS_CORETYPE="))
        #expect(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil)
    }

    @Test func theLinkedBLASPassesItsSelfCheck() {
        let check = BLAS.selfCheck
        #expect(check.passed, "\(check.failure ?? "")")
        #expect(check.worstRatio <= 1)
    }

    /// A GEMM off by one part in a thousand in a single element fails the check, naming
    /// the element; a GEMM that leaves out beta·C fails too.
    @Test func theSelfCheckCatchesWrongProducts() {
        let offByOne = BLASSelfCheck.run { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            synpref_sgemm_plain(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            c[2 * ldc + 5] *= 1.001
        }
        #expect(!offByOne.passed)
        #expect(offByOne.failure?.contains("C[2][5]") == true)
        let noBeta = BLASSelfCheck.run { ta, tb, m, n, k, alpha, a, lda, b, ldb, _, c, ldc in
            synpref_sgemm_plain(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, 0, c, ldc)
        }
        #expect(!noBeta.passed)
    }

    /// The fallback GEMM (what runs if the BLAS fails the check) is itself a GEMM.
    @Test func theFallbackGEMMPassesTheSelfCheck() {
        let check = BLASSelfCheck.run { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            synpref_sgemm_fallback(ta ? 1 : 0, tb ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        }
        #expect(check.passed, "\(check.failure ?? "")")
    }

    @Test func coreNamesMapToTheirSIMDClass() {
        #expect(BLASLibrary.vectorClass(ofCore: "SkylakeX") == .avx512)
        #expect(BLASLibrary.vectorClass(ofCore: "SapphireRapids") == .avx512)
        #expect(BLASLibrary.vectorClass(ofCore: "Haswell") == .avx2)
        #expect(BLASLibrary.vectorClass(ofCore: "Zen") == .avx2)
        #expect(BLASLibrary.vectorClass(ofCore: "Prescott") == .sse)
        #expect(BLASLibrary.vectorClass(ofCore: "Katmai") == .sse)
        #expect(BLASLibrary.vectorClass(ofCore: "Sandybridge") == .avx)
        #expect(BLASLibrary.vectorClass(ofCore: "Neoverse") == .unknown)
        let sse = BLASLibrary(name: "OpenBLAS", version: "x", configuration: "", coreName: "Prescott",
                              coreChoice: "", coreForcedByEnvironment: false)
        let avx512CPU = CPUInfo(modelName: "x", logicalCores: 2, features: [.sse2, .avx, .avx2, .fma, .avx512Core], megahertz: 2000)
        #expect(sse.mismatch(with: avx512CPU)?.contains("SSE") == true)
    }

    /// CPUID as we read it agrees with the kernel's view (/proc/cpuinfo flags), feature by
    /// feature, where the kernel reports that feature at all.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo"), "no /proc/cpuinfo"))
    func cpuFeaturesAgreeWithTheKernel() throws {
        #if arch(x86_64)
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: ":")[1].split(separator: " ").map(String.init))
        let ours = Set(CPUInfo.current.features.names)
        // Linux calls SSE3 "pni"; every other name is the same.
        for (_, name) in CPUInfo.Features.named {
            let kernelName = name == "sse3" ? "pni" : name
            if kernelName == "avx512_fp16" || kernelName == "avx_vnni" || kernelName.hasPrefix("amx") || kernelName == "avx512_bf16" {
                if !flags.contains(kernelName) { continue }  // older kernels do not list these
            }
            #expect(flags.contains(kernelName) == ours.contains(name), "\(name): /proc/cpuinfo \(flags.contains(kernelName)), CPUID \(ours.contains(name))")
        }
        #endif
    }

    /// The report carries every fact `synpref doctor` and the benchmarks print.
    @Test func theReportNamesTheMachine() {
        let report = MachineReport.gather(threads: 1, measureSeconds: 0.05)
        let labels = report.lines.map(\.0)
        for label in ["CPU", "cores", "features", "BLAS", "BLAS core", "self-check", "threads", "sgemm"] {
            #expect(labels.contains(label), "missing \(label)")
        }
        #expect((report.sgemmGFLOPS ?? 0) > 0)
        for key in ["cpu", "cpu_features", "blas", "blas_core", "threads", "sgemm_gflops"] {
            #expect(report.summary[key] != nil, "missing \(key)")
        }
    }
}
