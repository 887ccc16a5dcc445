import Foundation
import Testing
import SynprefTestSupport
import SynprefCore
import SynprefModels
@testable import SynprefServer

/// The real clients' side: Tests/ServerClients/check_clients.py sends what vLLM's pooling
/// and classification clients, OpenRLHF's remote reward client and a TEI rerank client
/// send (Python `requests`, same paths, bodies and headers) to a live server, and checks
/// the numbers against `synpref score`'s path on the same model (which the front-end
/// fixture ties to transformers).
@Suite(.serialized, .enabled(if: ServerFixture.enabled, "needs the real Qwen tokenizer (scripts/fetch-assets.sh)"))
struct ClientCompatibilityTests {
    @Test func vllmOpenRLHFAndTEIClientsGetSynprefScoreNumbers() async throws {
        let folder = try ServerFixture.folder("qwen3")
        defer { try? FileManager.default.removeItem(at: folder) }
        let conversations = try ServerFixture.conversations()
        let texts = try ServerFixture.renderedTexts("qwen3")
        let model = try RewardModel.open(folder.path, threads: 2)
        let service = try ScoringService(model: model)
        defer { service.shutdown() }
        let template = try #require(model.frontEnd)
        // The fixture's conversations with transformers' rendered texts, and three answers
        // to one question (so the rerank order is checked).
        var cases: [(messages: [ChatMessage], text: String)] = zip(conversations, texts).map { ($0, $1) }
        let question = "What is the boiling point of water at sea level?"
        for answer in ["100 degrees Celsius.", "It depends on the kettle.", "About 212 °F, which is 100 °C."] {
            let c = [ChatMessage(role: .user, content: question), ChatMessage(role: .assistant, content: answer)]
            cases.append((c, try template.renderedText(for: c)))
        }
        let scores = try await service.score(conversations: cases.map(\.messages))
        let list: [JSONValue] = zip(cases, scores).map { c, s in
            ["messages": ConversationCodec.value(c.messages), "templated": .string(c.text), "score": .double(Double(s))]
        }
        let casesFile = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-client-cases-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: casesFile) }
        try Data(JSONValue.object(["model": "test-rm", "tolerance": 1e-5, "conversations": .array(list)]).serialized().utf8).write(to: casesFile)

        let server = try await RunningServer.start(folder: folder)
        let script = ServerFixture.root.appendingPathComponent("Tests/ServerClients/check_clients.py").path
        let (status, output) = try await Self.run(["python3", script, "--url", server.base, "--cases", casesFile.path])
        #expect(status == 0, "check_clients.py failed:\n\(output)")
        #expect(output.contains(" 0 failed"), "\(output.suffix(2000))")
        try await server.stop()
    }

    /// Runs a command off the cooperative pool; its exit status and combined output.
    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        return try await process.runCapturingOutput()
    }
}
