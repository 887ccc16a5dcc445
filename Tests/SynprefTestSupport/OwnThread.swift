import Foundation

/// Runs blocking work — waiting for a child process, reading its output to the end, polling
/// until it should be killed — on a thread of its own and awaits the result, so the wait
/// never holds one of the cooperative pool's threads (one per core) for its whole length.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

extension Process {
    /// Waits for the process to end without holding a cooperative thread.
    public func waitForExit() async {
        _ = try? await onOwnThread { [self] in waitUntilExit() }
    }

    /// Starts the process with standard output and error on one pipe, reads it to the end
    /// and waits for the exit, without holding a cooperative thread.
    public func runCapturingOutput() async throws -> (status: Int32, output: String) {
        let pipe = Pipe()
        standardOutput = pipe
        standardError = pipe
        try run()
        return try await onOwnThread { [self] in
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            waitUntilExit()
            return (terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }
}
