import Foundation

/// What a performance number ran on: the CPU, the BLAS library and its kernel set, the
/// thread count, a short sgemm measurement against the CPU's peak, and warnings where
/// something runs below what the CPU can do. `synpref doctor` prints it; the benchmarks
/// write it into their output.
public struct MachineReport: Sendable {
    public let cpu: CPUInfo
    public let blas: BLASLibrary
    public let selfCheck: BLASSelfCheck
    public let threads: Int
    /// sgemm 2048×3072×1024 (the shape of a Qwen3-0.6B projection over 2,048 tokens) on
    /// `threads` threads, best GFLOP/s over about `seconds`; nil when not measured.
    public let sgemmGFLOPS: Double?

    /// Gathers the facts; measures sgemm for about `measureSeconds` (0: skip).
    public static func gather(threads: Int = ComputeContext.defaultThreads, measureSeconds: Double = 1) -> MachineReport {
        let check = BLAS.selfCheck
        return MachineReport(
            cpu: .current, blas: .current, selfCheck: check, threads: threads,
            sgemmGFLOPS: measureSeconds > 0 ? BLAS.measureGFLOPS(threads: threads, seconds: measureSeconds) : nil)
    }

    /// Measured sgemm as a fraction of the CPU's estimated peak for `threads` cores.
    public var fractionOfPeak: Double? {
        guard let g = sgemmGFLOPS, let peak = cpu.peakGFLOPS, peak > 0 else { return nil }
        return g / (peak * Double(threads) / Double(Swift.max(cpu.logicalCores, 1)))
    }

    /// Everything that runs below what this CPU can do, in words.
    public var warnings: [String] {
        var out: [String] = []
        if !selfCheck.passed {
            out.append("the BLAS library failed its self-check (\(selfCheck.failure ?? "")); products run on Synpref's own slower GEMM")
        }
        if let why = blas.mismatch(with: cpu) { out.append(why) }
        if blas.vectorClass == .unknown && blas.name == "OpenBLAS" {
            out.append("unknown OpenBLAS core \"\(blas.coreName)\": cannot tell whether it matches the CPU")
        }
        if let f = fractionOfPeak, f < 0.4 {
            out.append(String(format: "sgemm runs at %.0f%% of the CPU's estimated peak (another job on the cores, or slow kernels)", f * 100))
        }
        return out
    }

    /// Label/value lines, in the order `synpref doctor` prints them.
    public var lines: [(String, String)] {
        var out: [(String, String)] = [
            ("CPU", cpu.modelName),
            ("cores", "\(cpu.logicalCores) logical" + (cpu.megahertz.map { String(format: ", %.0f MHz (OS-reported)", $0) } ?? "")),
            ("features", cpu.features.names.joined(separator: " ")),
            ("SIMD class", cpu.vectorClass.description),
            ("BLAS", "\(blas.name) \(blas.version)"),
            ("BLAS build", blas.configuration),
            ("BLAS core", "\(blas.coreName) (\(blas.vectorClass) kernels), \(blas.coreChoice)"),
            ("self-check", selfCheck.passed
                ? String(format: "passed (worst error %.2g of its bound)", selfCheck.worstRatio)
                : "FAILED: \(selfCheck.failure ?? "")"),
            ("threads", "\(threads) (OpenBLAS runs single-threaded; Synpref splits large products across its own threads)"),
        ]
        if let g = sgemmGFLOPS {
            var s = String(format: "%.1f GFLOP/s (sgemm 2048x3072x1024, f32, %d threads)", g, threads)
            if let peak = cpu.peakGFLOPS {
                let mine = peak * Double(threads) / Double(Swift.max(cpu.logicalCores, 1))
                s += String(format: "; estimated FMA peak %.0f GFLOP/s = %.0f%%", mine, g / mine * 100)
            }
            out.append(("sgemm", s))
        }
        return out
    }

    /// The same facts as a flat JSON-ready dictionary (benchmark outputs).
    public var summary: [String: String] {
        var d: [String: String] = [
            "cpu": cpu.modelName, "cores": "\(cpu.logicalCores)", "cpu_features": cpu.features.names.joined(separator: " "),
            "blas": "\(blas.name) \(blas.version)", "blas_core": blas.coreName, "blas_core_choice": blas.coreChoice,
            "blas_self_check": selfCheck.passed ? "passed" : "failed", "threads": "\(threads)",
        ]
        if let g = sgemmGFLOPS { d["sgemm_gflops"] = String(format: "%.1f", g) }
        if let p = cpu.peakGFLOPS { d["cpu_peak_gflops_estimate"] = String(format: "%.0f", p) }
        return d
    }
}

extension BLAS {
    /// Best sgemm rate (GFLOP/s) of 2048×3072×1024 products run for about `seconds` on
    /// `threads` threads, through the same path every model uses.
    public static func measureGFLOPS(threads: Int, seconds: Double, m: Int = 2048, n: Int = 3072, k: Int = 1024) -> Double {
        _ = ComputeContext(threads: threads)  // sets the split width
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        var c = [Float](repeating: 0, count: m * n)
        var best = 0.0
        let start = DispatchTime.now().uptimeNanoseconds
        repeat {
            let t0 = DispatchTime.now().uptimeNanoseconds
            sgemm(transB: true, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: k, beta: 0, c: &c, ldc: n)
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            best = Swift.max(best, 2 * Double(m) * Double(n) * Double(k) / dt / 1e9)
        } while Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < seconds
        return best
    }
}
