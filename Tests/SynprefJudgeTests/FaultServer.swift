import Foundation
import Testing
import SynprefCore

/// Tests/JudgeServer/fault_server.py on a free port of 127.0.0.1: an OpenAI-compatible
/// server that answers from the prompt's "### Candidate" / "### Response" sections (the
/// candidate containing GOOD wins) and injects the faults a real server will not produce
/// on demand (429 with retry-after, 5xx, timeouts, resets, truncated bodies, prose, code
/// fences, invalid JSON, wrong values), deterministically per (request, attempt).
final class FaultServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("JudgeServer/fault_server.py")

    let process = Process()
    let base: String

    init(faults: String = "", delayMilliseconds: Int = 0, seed: Int = 1, errorShape: String = "both") throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", Self.script.path, "--port", "0", "--seed", String(seed), "--error-shape", errorShape]
        if !faults.isEmpty { args += ["--faults", faults] }
        if delayMilliseconds > 0 { args += ["--delay-ms", String(delayMilliseconds)] }
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens.
        var buffer = Data()
        let deadline = Date().addingTimeInterval(20)
        while !buffer.contains(UInt8(ascii: "\n")) && Date() < deadline {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer += chunk
        }
        let line = String(decoding: buffer, as: UTF8.self)
        guard let match = line.firstMatch(of: #/listening on (http://127\.0\.0\.1:\d+)/#) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "fault_server.py did not start: \(line)"])
        }
        base = String(match.1)
    }

    deinit { if process.isRunning { process.terminate() } }

    /// `GET /stats`.
    func stats() throws -> JSONValue {
        let data = try Data(contentsOf: URL(string: base + "/stats")!)
        return try JSONParser.parse([UInt8](data))
    }
}
