import Foundation
import Testing
import SynprefCore
import SynprefTestSupport
import SynprefData
@testable import SynprefJudge

/// The judge client against a server that misbehaves in every documented way. The server
/// picks the candidate whose text contains GOOD; each test pair's chosen response does.
@Suite(.serialized) struct JudgeFaultTests {
    static func pairs(_ n: Int) -> [JudgeItem] {
        (0..<n).map { i in
            let pair = PreferencePair(
                context: [ChatMessage(role: .user, content: "Question \(i): what is \(i) + \(i)?")],
                chosen: ChatMessage(role: .assistant, content: "GOOD: \(2 * i)."),
                rejected: ChatMessage(role: .assistant, content: "It is \(2 * i + 1)."), source: "test")
            return JudgeItem(id: "p\(i)", pair: pair)
        }
    }

    static func judge(_ server: FaultServer, name: String = "fault", samples: Int = 3, timeout: Double = 5) -> JudgeConfig {
        var j = JudgeConfig(name: name, endpoint: server.base + "/v1", model: "fault-model")
        j.samples = samples
        j.maxConcurrency = 8
        j.timeoutSeconds = timeout
        j.maxRetries = 10
        j.structuredOutput = .jsonObject
        return j
    }

    static func runner(_ judges: [JudgeConfig], task: JudgeTask, cache: ResponseCache = ResponseCache(),
                       policy: RetryPolicy = JudgeFaultTests.fastPolicy) throws -> JudgeRunner {
        var options = JudgeRunner.Options(task: task)
        options.seed = 11
        return JudgeRunner(clients: try judges.map { try ChatClient(judge: $0, policy: policy) },
                           templates: try PromptTemplates.defaults(), cache: cache, options: options)
    }

    /// Backoff scaled down so the test takes seconds (the server's retry-after still rules).
    static var fastPolicy: RetryPolicy {
        var p = RetryPolicy()
        p.initialDelay = 0.01
        p.maxDelay = 0.05
        return p
    }

    @Test func everyPairEndsLabelledOrInvalidWithReasons() async throws {
        let server = try FaultServer(faults: "429=0.12,500=0.1,503=0.05,reset=0.05,truncated=0.05,prose=0.1,fence=0.1,invalid=0.05,badverdict=0.05,400=0.02")
        let runner = try Self.runner([Self.judge(server)], task: .preference)
        let outcomes = try await runner.run(Self.pairs(30))
        #expect(outcomes.count == 30)
        var invalidSeen = 0
        for (i, o) in outcomes.enumerated() {
            guard case .verdict(let v, let reasons) = o else { Issue.record("pair \(i): \(o)"); continue }
            // Valid votes can only say chosen: the server always picks the GOOD response.
            #expect(v.votes.rejected == 0 && v.votes.tie == 0, "pair \(i): \(v.votes)")
            #expect(v.label == .chosen || v.label == .undetermined, "pair \(i): \(v.label)")
            #expect(v.votes.chosen + v.votes.invalid == 3)
            #expect(reasons.count == v.votes.invalid, "pair \(i): every invalid vote has a reason: \(reasons)")
            invalidSeen += v.votes.invalid
        }
        let p = runner.progress
        #expect(p.retries > 0 && invalidSeen > 0 && p.invalid == invalidSeen)
        #expect(outcomes.filter { if case .verdict(let v, _) = $0 { v.label == .chosen } else { false } }.count >= 20)
        // Prose and code fences are read; invalid JSON, a wrong verdict and a 400 are invalid.
        let reasons = runner.invalidReasons.keys.joined(separator: "\n")
        #expect(reasons.contains("Candidate 3") || reasons.contains("no JSON object") || reasons.contains("400"), "\(reasons)")
        // Both positions were used, so the order was drawn per pair and sample.
        let bias = try #require(runner.positionBias["fault"])
        #expect(bias.first > 10 && bias.second > 10, "\(bias)")
        let stats = try server.stats()
        #expect((stats["faults"]?["429"]?.intValue ?? 0) > 0 && (stats["faults"]?["reset"]?.intValue ?? 0) > 0, "\(stats)")
    }

    @Test func timeoutsAreRetried() async throws {
        let server = try FaultServer(faults: "timeout=0.3")
        let runner = try Self.runner([Self.judge(server, samples: 1, timeout: 0.5)], task: .verify)
        let outcomes = try await runner.run(Self.pairs(6))
        for o in outcomes {
            guard case .verdict(let v, _) = o else { Issue.record("\(o)"); continue }
            #expect(v.label == .chosen, "\(v)")
        }
        #expect(runner.progress.retries > 0)
    }

    @Test func attributesComeBackWithTheFiveKeys() async throws {
        let server = try FaultServer(faults: "badverdict=0.3")
        let runner = try Self.runner([Self.judge(server, samples: 1)], task: .attributes)
        let outcomes = try await runner.run(Self.pairs(8))
        var valid = 0
        for o in outcomes {
            guard case .attributes(let a, _, let reasons) = o else { Issue.record("\(o)"); continue }
            if let a {
                valid += 1
                #expect(a.objectivity == .objective && a.controversiality == .low && !a.annotationGuideline.isEmpty)
            } else {
                #expect(reasons.first?.contains("lacks") == true, "\(reasons)")
            }
        }
        #expect(valid >= 3)
    }

    @Test func twoJudgesAggregateAndUnanimityNeedsBoth() async throws {
        let good = try FaultServer()
        let broken = try FaultServer(faults: "invalid=1.0")
        for (rule, want) in [(Aggregation.majority, PairLabel.undetermined), (.unanimous, .undetermined)] {
            var options = JudgeRunner.Options(task: .preference)
            options.aggregate = rule
            let runner = JudgeRunner(clients: [try ChatClient(judge: Self.judge(good, name: "a")), try ChatClient(judge: Self.judge(broken, name: "b"))],
                                     templates: try PromptTemplates.defaults(), cache: ResponseCache(), options: options)
            let outcomes = try await runner.run(Self.pairs(2))
            for o in outcomes {
                guard case .verdict(let v, _) = o else { Issue.record("\(o)"); continue }
                // One of two judges is not more than half, and not all of them.
                #expect(v.label == want && v.judgeLabels["a"] == .chosen && v.judgeLabels["b"] == .undetermined)
            }
        }
        let three = JudgeRunner(clients: [try ChatClient(judge: Self.judge(good, name: "a")), try ChatClient(judge: Self.judge(good, name: "c")),
                                          try ChatClient(judge: Self.judge(broken, name: "b"))],
                                templates: try PromptTemplates.defaults(), cache: ResponseCache(), options: JudgeRunner.Options(task: .preference))
        for o in try await three.run(Self.pairs(2)) {
            guard case .verdict(let v, _) = o else { continue }
            #expect(v.label == .chosen && abs(v.confidence - 1) < 1e-12, "\(v)")
        }
    }

    @Test func aBudgetStopsNewCallsAndTheCacheKeepsWhatWasPaid() async throws {
        let server = try FaultServer()
        var judge = Self.judge(server, samples: 1)
        judge.pricePerMillionInput = 1_000_000  // $1 per prompt token: the first call spends the budget
        let cachePath = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        var options = JudgeRunner.Options(task: .preference)
        options.budgetUSD = 1
        judge.maxConcurrency = 1
        let runner = JudgeRunner(clients: [try ChatClient(judge: judge)], templates: try PromptTemplates.defaults(),
                                 cache: try ResponseCache(path: cachePath), options: options)
        let outcomes = try await runner.run(Self.pairs(5))
        #expect(runner.stopReason?.contains("budget") == true)
        #expect(outcomes.contains { if case .notDone = $0 { true } else { false } })
        let cached = try ResponseCache(path: cachePath).count
        #expect(cached >= 1 && cached < 5)
        // Again without a budget: the paid answers come from the cache.
        let again = JudgeRunner(clients: [try ChatClient(judge: Self.judge(server, samples: 1))], templates: try PromptTemplates.defaults(),
                                cache: try ResponseCache(path: cachePath), options: JudgeRunner.Options(task: .preference))
        _ = try await again.run(Self.pairs(5))
        #expect(again.progress.cached == cached && again.progress.calls == 5 - cached)
    }
}
