import ArgumentParser
import Foundation
import SynprefCore
import SynprefTensor

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Show what this machine runs Synpref on, and warn where it runs below what the CPU can do.",
        discussion: """
            Prints the CPU (model, cores, the instruction-set features that matter), the BLAS \
            library, its version and the kernel set ("core") it uses and why, the thread \
            count, the result of the BLAS self-check, and a one-second sgemm measurement in \
            GFLOP/s beside the CPU's estimated FMA peak. Warnings name what is slower than \
            it should be (for example SSE kernels on an AVX-512 CPU). Exits with status 1 \
            when there is a warning, so scripts can check a machine before a long run.
            """)

    @Option(name: .long, help: "Threads for the sgemm measurement (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Seconds to measure sgemm for (0 skips the measurement).")
    var seconds: Double = 1

    @Flag(name: .long, help: "Print the facts as one JSON object instead of aligned lines.")
    var json = false

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1, got \(t)") }
        if seconds < 0 || seconds > 60 { throw ValidationError("--seconds must be between 0 and 60, got \(seconds)") }
    }

    func run() async throws {
        let report = MachineReport.gather(threads: threads ?? ComputeContext.defaultThreads, measureSeconds: seconds)
        if json {
            let facts = report.summary.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }
            let object = JSONObject(facts + [("warnings", .array(report.warnings.map { .string($0) }))])
            print(JSONValue.object(object).serialized())
        } else {
            let width = report.lines.map(\.0.count).max() ?? 0
            for (label, value) in report.lines {
                print(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
            }
            print(report.warnings.isEmpty ? "ok: the kernels in use match this CPU" : "")
        }
        for w in report.warnings { ProgressLine.write("warning: \(w)\n") }
        if !report.warnings.isEmpty { throw ExitCode(1) }
    }
}
