import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefJudge

/// End to end through a real LLM server: llama.cpp's OpenAI-compatible server with
/// SmolLM2-135M-Instruct (scripts/llm-server.sh; the test command starts it and sets
/// SYNPREF_TEST_LLM_URL). A 135M model judges near chance: this checks the plumbing, the
/// prompts' size in its context window and the parse rate, not the labels.
@Suite(.serialized, .enabled(if: SynprefAssets.required || ProcessInfo.processInfo.environment["SYNPREF_TEST_LLM_URL"] != nil,
                             "needs a local LLM server (scripts/llm-server.sh start PORT; export SYNPREF_TEST_LLM_URL)"))
struct JudgeLLMTests {
    static func items() throws -> [JudgeItem] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/data/hh-rlhf/harmless-base-test.jsonl.gz").path
        let reader = try PreferenceFileReader(path: path, source: "hh-rlhf")
        var out: [JudgeItem] = []
        while out.count < 20, let batch = try reader.nextBatch() {
            for o in batch {
                for p in o.pairs where out.count < 20 {
                    // Short dialogues keep each call within the small model's context.
                    let chars = p.pair.context.reduce(0) { $0 + $1.content.count } + p.pair.chosen.content.count + p.pair.rejected.content.count
                    if chars < 1200 { out.append(JudgeItem(id: "hh-\(o.line)", pair: p.pair)) }
                }
            }
        }
        try #require(out.count == 20)
        return out
    }

    @Test func attributesAndPreferenceThroughLlamaCpp() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["SYNPREF_TEST_LLM_URL"], "SYNPREF_TEST_LLM_URL is not set")
        var judge = JudgeConfig(name: "smollm2", endpoint: url, model: "smollm2")
        judge.samples = 1
        judge.maxConcurrency = 2
        judge.temperature = 0.7
        judge.maxTokens = 256
        judge.timeoutSeconds = 120
        judge.structuredOutput = .jsonObject
        let items = try Self.items()
        for task in [JudgeTask.attributes, .preference] {
            var options = JudgeRunner.Options(task: task)
            options.seed = 3
            let runner = JudgeRunner(clients: [try ChatClient(judge: judge)], templates: try PromptTemplates.defaults(),
                                     cache: ResponseCache(), options: options)
            let started = Date()
            let outcomes = try await runner.run(items)
            let p = runner.progress
            let valid = outcomes.filter {
                switch $0 {
                case .attributes(let a, _, _): return a != nil
                case .verdict(let v, _): return v.votes.valid > 0
                case .notDone: return false
                }
            }.count
            // Reported in the test log: the parse rate and the prompt sizes the model saw.
            print("judge \(task.rawValue) via llama.cpp: \(valid)/\(items.count) valid answers, \(p.calls) calls, "
                  + "\(p.promptTokens / max(p.calls, 1)) prompt tokens per call, \(p.failed) failed calls, "
                  + String(format: "%.1f s", Date().timeIntervalSince(started)))
            #expect(outcomes.count == items.count && p.calls == items.count && p.failed == 0)
            #expect(p.promptTokens > 0 && p.completionTokens > 0)
            // Constrained decoding makes the answers parse; a few may still carry a wrong value.
            #expect(valid >= items.count / 2, "\(task.rawValue): only \(valid) valid answers; reasons \(runner.invalidReasons)")
            if task == .preference {
                let bias = runner.positionBias["smollm2"]
                #expect(bias != nil)
            }
        }
    }
}
