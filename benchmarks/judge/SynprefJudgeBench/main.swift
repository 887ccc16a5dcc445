// Client overhead of the LLM-judge path: `JudgeRunner` (prompt rendering, cache keys,
// HTTP through AsyncHTTPClient, answer parsing, aggregation) against a local server that
// answers at once, so what is measured is Synpref's side. The server is a Hummingbird
// application in this process on 127.0.0.1 (it shares the 2 cores with the client, so the
// rate is a lower bound of the client's).
//
// usage: synpref-judge-bench [--pairs 20000] [--concurrency 64] [--store URL]
//
// With --store, the pairs are imported into the store first (if it holds none), then judged
// from the store as `synpref judge preference --store` does (work queue, labels in the
// curation log, answers in the store); the peak RSS is that of the judging alone (the peak
// is reset after the import through /proc/self/clear_refs).
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
let storeURL: String? = CommandLine.arguments.firstIndex(of: "--store").flatMap { i in
    i + 1 < CommandLine.arguments.count ? CommandLine.arguments[i + 1] : nil
}

/// The process's peak resident memory in MB since start or the last `resetPeak()` (VmHWM).
func peakRSS() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Double(line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0) / 1024
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

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
func benchPair(_ i: Int) -> PreferencePair {
    PreferencePair(
        context: [ChatMessage(role: .user, content: "Question \(i): explain how a hash map handles collisions, briefly.")],
        chosen: ChatMessage(role: .assistant, content: "Answer A to \(i): with chaining or open addressing; both keep lookups O(1) on average."),
        rejected: ChatMessage(role: .assistant, content: "Answer B to \(i): it sorts the keys."), source: "bench")
}

if let storeURL {
    let store = try await PreferenceStores.open(storeURL)
    if try await store.count(tier: nil) == 0 {
        let t0 = Date()
        for start in stride(from: 0, to: pairs, by: 1000) {
            _ = try await store.insert((start..<min(pairs, start + 1000)).map { PreparedPair(benchPair($0)) }, importID: "bench")
        }
        print(String(format: "imported %d pairs in %.1f s", pairs, Date().timeIntervalSince(t0)))
    }
    resetPeak()
    let runner = JudgeRunner(clients: [try ChatClient(judge: judge)], templates: try PromptTemplates.defaults(),
                             cache: StoreAnswerCache(log: store), options: JudgeRunner.Options(task: .preference))
    var options = JudgeQueueWorker.Options(queue: "bench-preference", worker: JudgeQueueWorker.defaultWorkerName())
    options.batchSize = max(64, concurrency * 2)
    options.loops = argument("--loops", 2)
    let worker = JudgeQueueWorker(store: store, runner: runner, options: options)
    let t0 = Date()
    let (queued, _) = try await worker.enqueue(tier: nil, limit: nil)
    let enqueueSeconds = Date().timeIntervalSince(t0)
    let t1 = Date()
    let report = try await worker.run()
    let seconds = Date().timeIntervalSince(t1)
    print(String(format: "judge from a store (%@): %d pairs queued in %.1f s; %d calls, %d labels recorded in %.2f s: %.0f calls/s with %d in flight; peak RSS while judging %.0f MB",
                 String(storeURL.prefix(8)), queued, enqueueSeconds, runner.progress.calls, report.labels, seconds,
                 Double(runner.progress.calls) / seconds, concurrency, peakRSS()))
    try await store.close()
    server.cancel()
    exit(0)
}

let items = (0..<pairs).map { i in JudgeItem(id: "p\(i)", pair: benchPair(i)) }
let runner = JudgeRunner(clients: [try ChatClient(judge: judge)], templates: try PromptTemplates.defaults(), cache: ResponseCache(),
                         options: JudgeRunner.Options(task: .preference))
let start = Date()
let outcomes = try await runner.run(items)
let seconds = Date().timeIntervalSince(start)
let labelled = outcomes.filter { if case .verdict(let v, _) = $0 { v.label == .chosen || v.label == .rejected } else { false } }.count
print(String(format: "judge client: %d pairs, %d calls in %.2f s: %.0f calls/s with %d in flight; %d labelled; peak RSS %.0f MB",
             pairs, runner.progress.calls, seconds, Double(runner.progress.calls) / seconds, concurrency, labelled, peakRSS()))
server.cancel()
