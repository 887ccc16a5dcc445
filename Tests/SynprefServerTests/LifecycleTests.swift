import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import SynprefCore
import SynprefModels
@testable import SynprefServer

/// Draining and client disconnects. Requests are held in flight with a long `maxWait`
/// (the compute thread waits that long for company before a forward pass), so the order
/// of events does not depend on the machine's speed.
@Suite(.serialized, .enabled(if: ServerFixture.enabled, "needs the real Qwen tokenizer (scripts/fetch-assets.sh)"))
struct LifecycleTests {
    static let hello: JSONValue = [["role": "user", "content": "Hello"], ["role": "assistant", "content": "Hi there."]]

    /// Polls until `condition` holds (a generous limit: the whole suite shares 2 cores).
    static func waitFor(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<3000 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        try #require(condition(), "timed out waiting until \(what)")
    }

    @Test func drainFinishesInFlightRequestsAndRefusesNewOnes() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await RunningServer.start(folder: folder) { $0.maxWait = .seconds(5) }
        let base = server.base
        let inFlight = Task { try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": Self.hello]]]) }
        try await Self.waitFor("the request is queued") { server.server.state.queuedTokens > 0 }
        server.server.drain()
        try await Self.waitFor("the server drains") { server.server.state.phase == .draining }
        let refused = try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": Self.hello]]])
        ErrorStatusTests.expectError(refused, 503, "shutting down")
        #expect(try await HTTP.get("\(base)/health").status == 503)
        let finished = try await inFlight.value
        #expect(finished.status == 200 && finished.json?["scores"]?.arrayValue?.count == 1, "\(finished.text)")
        try await server.task.value
        #expect(server.server.state.phase == .stopped)
    }

    @Test func aClientThatDisconnectsCancelsItsQueuedWork() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The compute thread would wait 60 s for company before scoring this request alone,
        // so the queue can only empty sooner by the request being cancelled.
        let server = try await RunningServer.start(folder: folder) { $0.maxWait = .seconds(60) }
        // A client on a plain socket sends its request and hangs up while it waits.
        let body = JSONValue.object(["inputs": [["messages": Self.hello]]]).serialized()
        let socket = try RawClient(port: server.port)
        try socket.send("POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        try await Self.waitFor("the request is queued") { server.server.state.queuedTokens > 0 }
        socket.close()
        // The request leaves the queue when the connection closes; it is never scored.
        try await Self.waitFor("the queue is empty") { server.server.state.queuedTokens == 0 && server.server.state.inFlight == 0 }
        let metrics = try await HTTP.get("\(server.base)/metrics")
        #expect(!metrics.text.contains("synpref_scored_sequences_total 1"), "the cancelled request was scored")
        try await server.stop()
    }

    @Test func aModelThatCannotLoadStopsTheServerWithTheError() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-serve-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = ScoringServer(configuration: ServerConfiguration(port: 0, servedModelName: "x", modelReference: dir.path)) {
            try RewardModel.open(dir.path)
        }
        await #expect(throws: (any Error).self) { try await server.run() }
    }
}

/// A TCP client on a plain socket, for a client that disappears mid-request.
final class RawClient {
    private var fd: Int32

    init(port: Int) throws {
        fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, result == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "connect failed: errno \(errno)"]) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "send failed: errno \(errno)"]) }
    }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
