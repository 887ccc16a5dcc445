import Foundation
import Testing
import SynprefCore
import SynprefModels
@testable import SynprefServer

/// Each error status the server documents, with the `{"error": {"message", "type",
/// "code"}}` body; a bad request never disturbs the server (a good one after it succeeds).
@Suite(.serialized, .enabled(if: ServerFixture.enabled, "needs the real Qwen tokenizer (scripts/fetch-assets.sh)"))
struct ErrorStatusTests {
    static let hello: JSONValue = [["role": "user", "content": "Hello"], ["role": "assistant", "content": "Hi there."]]

    static func expectError(_ r: HTTPReply, _ status: Int, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
        let error = r.json?["error"]
        #expect(error?["code"]?.intValue == status, "\(r.text)", sourceLocation: sourceLocation)
        #expect(error?["type"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(error?["message"]?.stringValue?.contains(fragment) == true, "\(r.text) lacks \(fragment)", sourceLocation: sourceLocation)
    }

    @Test func badRequestsGetTheirStatusAndTheServerKeepsServing() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await RunningServer.start(folder: folder, maxLength: 64) { $0.maxBodyBytes = 4096 }
        let base = server.base
        func raw(_ path: String, _ body: String) async throws -> HTTPReply {
            try await HTTP.request("\(base)\(path)", body: Data(body.utf8))
        }
        // 400: malformed JSON, wrong shapes, each naming the field.
        Self.expectError(try await raw("/v1/score", "{\"inputs\": [1, 2"), 400, "not valid JSON")
        Self.expectError(try await raw("/v1/score", "[1]"), 400, "must be a JSON object")
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": []]), 400, "inputs")
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": [["input_ids": [1, "x"]]]]), 400, "inputs[0].input_ids[1]")
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": [["input_ids": [1, 999_999_999]]]]), 400, "vocabulary")
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": [["role": "user"]]]]]), 400, "inputs[0].messages[0].content")
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": Self.hello]], "truncate": "middle"]), 400, "truncate")
        Self.expectError(try await HTTP.post("\(base)/pooling", ["input": .object(JSONObject())]), 400, "input")
        Self.expectError(try await HTTP.post("\(base)/pooling", ["messages": Self.hello, "input": "x"]), 400, "not both")
        Self.expectError(try await HTTP.post("\(base)/pooling", ["messages": Self.hello, "truncate_prompt_tokens": 100_000]), 400, "truncate_prompt_tokens")
        Self.expectError(try await HTTP.post("\(base)/get_reward", ["query": "not a list"]), 400, "query")
        Self.expectError(try await HTTP.post("\(base)/rerank", ["query": "q", "texts": [1]]), 400, "texts[0]")
        // 404: another model's name, as vLLM answers.
        Self.expectError(try await HTTP.post("\(base)/pooling", ["model": "other", "messages": Self.hello]), 404, "does not exist")
        // 413: a body over --max-body-bytes.
        let big = String(repeating: "x", count: 8000)
        Self.expectError(try await HTTP.post("\(base)/get_reward", ["query": [.string(big)]]), 413, "larger than 4096 bytes")
        // 422: too long without truncation; unknown role.
        let long: JSONValue = [["role": "user", "content": .string(String(repeating: "word ", count: 200))], ["role": "assistant", "content": "ok"]]
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": long]]]), 422, "longer than the maximum length 64")
        Self.expectError(try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": [["role": "bot", "content": "x"]]]]]), 422, "unknown role")
        // Truncation asked for: 200 with the end kept.
        let cut = try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": long]], "truncate": "left"])
        #expect(cut.status == 200 && cut.json?["usage"]?["prompt_tokens"]?.intValue == 64, "\(cut.text)")
        let kept = try await HTTP.post("\(base)/pooling", ["messages": long, "truncate_prompt_tokens": 10])
        #expect(kept.status == 200 && kept.json?["usage"]?["prompt_tokens"]?.intValue == 10, "\(kept.text)")
        // OpenRLHF cuts on the right at --max-length, as its server does.
        let rl = try await HTTP.post("\(base)/get_reward", ["query": [.string(String(repeating: "word ", count: 200))]])
        #expect(rl.status == 200, "\(rl.text)")
        // Still serving.
        let ok = try await HTTP.post("\(base)/v1/score", ["inputs": [["messages": Self.hello]]])
        #expect(ok.status == 200 && ok.json?["scores"]?.arrayValue?.count == 1)
        try await server.stop()
    }

    @Test func bearerTokenIsRequiredWhenAnAPIKeyIsSet() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await RunningServer.start(folder: folder) { $0.apiKey = "s3cret-key" }
        let base = server.base
        let body: JSONValue = ["inputs": [["messages": Self.hello]]]
        Self.expectError(try await HTTP.post("\(base)/v1/score", body), 401, "missing Authorization")
        Self.expectError(try await HTTP.post("\(base)/v1/score", body, headers: ["Content-Type": "application/json", "Authorization": "Bearer wrong"]), 401, "does not match")
        let ok = try await HTTP.post("\(base)/v1/score", body, headers: ["Content-Type": "application/json", "Authorization": "Bearer s3cret-key"])
        #expect(ok.status == 200, "\(ok.text)")
        #expect(try await HTTP.get("\(base)/health").status == 200)
        #expect(try await HTTP.get("\(base)/metrics").status == 200)
        #expect(try await HTTP.get("\(base)/info").status == 401)
        try await server.stop()
    }

    /// A full queue answers 429 with Retry-After at once. The queue is filled the way
    /// waiting requests fill it (tokens admitted and not yet scored), since a tiny model
    /// scores faster than clients can fill a queue on demand.
    @Test func aFullQueueAnswers429WithRetryAfter() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await RunningServer.start(folder: folder) { $0.maxQueueTokens = 100 }
        let base = server.base
        let body: JSONValue = ["inputs": [["messages": Self.hello]]]
        try server.server.state.admit(tokens: 95)
        let refused = try await HTTP.post("\(base)/v1/score", body)
        Self.expectError(refused, 429, "at capacity")
        #expect(refused.headers["retry-after"] == "1")
        server.server.state.release(tokens: 95)
        #expect(try await HTTP.post("\(base)/v1/score", body).status == 200)
        // A request larger than the whole queue can never be admitted: 413.
        let huge: JSONValue = ["inputs": .array((0..<120).map { _ in ["input_ids": [1]] })]
        Self.expectError(try await HTTP.post("\(base)/v1/score", huge), 413, "more than the server queues at once")
        let metrics = try await HTTP.get("\(base)/metrics")
        #expect(metrics.text.contains("synpref_rejected_total{reason=\"queue_full\"} 1"), "\(metrics.text)")
        try await server.stop()
    }
}
