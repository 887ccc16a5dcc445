import Foundation
import SynprefCore

/// Tests/JudgeServer/fault_server.py on a free port of 127.0.0.1: an OpenAI-compatible
/// server that answers from the prompt's "### Candidate" / "### Response" sections (the
/// candidate containing GOOD wins) and injects the faults a real server will not produce
/// on demand (429 with retry-after, 5xx, timeouts, resets, truncated bodies, prose, code
/// fences, invalid JSON, wrong values), deterministically per (request, attempt).
///
/// The server stops when this object goes away, and in any case when the test process
/// ends: it exits when its standard input, a pipe this process holds, closes.
public final class FaultServer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("JudgeServer/fault_server.py")

    public let process = Process()
    /// `http://127.0.0.1:PORT` (the OpenAI API is under `/v1`).
    public let base: String
    private let lifeline = Pipe()

    public init(faults: String = "", delayMilliseconds: Int = 0, seed: Int = 1, errorShape: String = "both") throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["python3", Self.script.path, "--port", "0", "--seed", String(seed), "--error-shape", errorShape, "--exit-on-stdin-eof"]
        if !faults.isEmpty { args += ["--faults", faults] }
        if delayMilliseconds > 0 { args += ["--delay-ms", String(delayMilliseconds)] }
        process.arguments = args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.run()
        // The first line says where it listens.
        var buffer = Data()
        let deadline = Date().addingTimeInterval(60)
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

    deinit {
        if process.isRunning { process.terminate() }
        try? lifeline.fileHandleForWriting.close()
    }

    /// `GET /stats`.
    public func stats() throws -> JSONValue {
        let data = try Data(contentsOf: URL(string: base + "/stats")!)
        return try JSONParser.parse([UInt8](data))
    }
}
