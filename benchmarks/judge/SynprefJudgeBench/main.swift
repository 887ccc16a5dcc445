// Client overhead of the LLM-judge path: `JudgeRunner` (prompt rendering, cache keys,
// HTTP through AsyncHTTPClient, answer parsing, aggregation) against a local server that
// answers at once, so what is measured is Synpref's side. The server is a Hummingbird
// application in this process on 127.0.0.1 (it shares the 2 cores with the client, so the
// rate is a lower bound of the client's).
//
// usage: synpref-judge-bench [--pairs 20000] [--concurrency 64]
import Foundation
import Hummingbird
import SynprefCore
import SynprefData
import SynprefJudge

func argument(_ name: String, _ fallback: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
    return v
}

let pairs = argument("--pairs", 20000)
let concurrency = argument("--concurrency", 64)

/// The answer every call gets: a valid preference verdict.
let answer = #"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"{\"rationale\":\"ok\",\"verdict\":\"Candidate 1\"}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}}"#

let router = Router()
router.post("/v1/chat/completions") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
}
let ports = AsyncStream<Int>.makeStream()
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                      onServerRunning: { ports.continuation.yield($0.localAddress?.port ?? 0) })
let server = Task { try await app.runService(gracefulShutdownSignals: []) }
func firstPort() async -> Int {
    var iterator = ports.stream.makeAsyncIterator()
    return await iterator.next() ?? 0
}
let port = await firstPort()

var judge = JudgeConfig(name: "instant", endpoint: "http://127.0.0.1:\(port)/v1", model: "m")
judge.maxConcurrency = concurrency
judge.samples = 1
let items = (0..<pairs).map { i in
    JudgeItem(id: "p\(i)", pair: PreferencePair(
        context: [ChatMessage(role: .user, content: "Question \(i): explain how a hash map handles collisions, briefly.")],
        chosen: ChatMessage(role: .assistant, content: "Answer A to \(i): with chaining or open addressing; both keep lookups O(1) on average."),
        rejected: ChatMessage(role: .assistant, content: "Answer B to \(i): it sorts the keys."), source: "bench"))
}
let runner = JudgeRunner(clients: [try ChatClient(judge: judge)], templates: try PromptTemplates.defaults(), cache: ResponseCache(),
                         options: JudgeRunner.Options(task: .preference))
let start = Date()
let outcomes = try await runner.run(items)
let seconds = Date().timeIntervalSince(start)
let labelled = outcomes.filter { if case .verdict(let v, _) = $0 { v.label == .chosen || v.label == .rejected } else { false } }.count
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
print(String(format: "judge client: %d pairs, %d calls in %.2f s: %.0f calls/s with %d in flight; %d labelled; peak RSS %.0f MB",
             pairs, runner.progress.calls, seconds, Double(runner.progress.calls) / seconds, concurrency, labelled,
             Double(usage.ru_maxrss) / 1024))
server.cancel()
