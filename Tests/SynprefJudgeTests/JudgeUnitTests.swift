import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefJudge

/// The pieces of the judge client that do not need a server: retry decisions, answer
/// parsing, the judges file, aggregation, the cache.
@Suite struct JudgeUnitTests {
    @Test func retryDecisionsFollowOpenAIsClient() {
        let p = RetryPolicy()
        for status in [408, 409, 429, 500, 502, 503, 504] { #expect(p.shouldRetry(status: status, headers: [])) }
        for status in [400, 401, 403, 404, 422] { #expect(!p.shouldRetry(status: status, headers: [])) }
        #expect(!p.shouldRetry(status: 500, headers: [("X-Should-Retry", "false")]))
        #expect(p.shouldRetry(status: 400, headers: [("x-should-retry", "true")]))
    }

    @Test func retryDelaysHonourTheServer() {
        let p = RetryPolicy()
        #expect(p.delay(attempt: 1, headers: [("retry-after-ms", "250")], jitter: 0.5) == 0.25)
        #expect(p.delay(attempt: 1, headers: [("Retry-After", "3")], jitter: 0.5) == 3)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: now.addingTimeInterval(5))
        #expect(abs(p.delay(attempt: 1, headers: [("retry-after", date)], jitter: 0, now: now) - 5) < 1e-6)
        // Without a server hint: 0.5 s doubling, capped at 8 s, minus up to 25% jitter.
        #expect(p.delay(attempt: 1, headers: [], jitter: 0) == 0.5)
        #expect(p.delay(attempt: 3, headers: [], jitter: 0) == 2)
        #expect(p.delay(attempt: 10, headers: [], jitter: 0) == 8)
        #expect(p.delay(attempt: 2, headers: [], jitter: 1) == 0.75)
        // A hint beyond 60 s is not trusted.
        #expect(p.delay(attempt: 1, headers: [("retry-after", "3600")], jitter: 0) == 0.5)
    }

    @Test func answersAreFoundInFencesAndProse() {
        #expect(AnswerParser.object(in: "{\"verdict\": \"tie\"}")?["verdict"]?.stringValue == "tie")
        #expect(AnswerParser.object(in: "```json\n{\"verdict\": \"Candidate 2\"}\n```")?["verdict"]?.stringValue == "Candidate 2")
        #expect(AnswerParser.object(in: "Sure! Here it is: {\"rationale\": \"a } in text\", \"verdict\": \"Candidate 1\"} Hope this helps.")?["verdict"]?.stringValue == "Candidate 1")
        #expect(AnswerParser.object(in: "I think candidate 1 is better.") == nil)
        // A raw newline inside a string (constrained decoders allow it) is read.
        #expect(AnswerParser.object(in: "{\"rationale\": \"line one\nline two\", \"verdict\": \"tie\"}")?["rationale"]?.stringValue == "line one\nline two")
        #expect(JudgeTask.parseVerdict("{\"verdict\": \"Candidate 3\"}").0 == nil)
        #expect(JudgeTask.parseVerdict("{\"verdict\": \"Candidate 3\"}").1?.contains("Candidate 3") == true)
        #expect(JudgeTask.parseCorrect("{\"correct\": \"maybe\"}").0 == nil)
        #expect(JudgeTask.parseCorrect("{\"rationale\": \"x\", \"correct\": false}").0 == false)
        let attributes = """
            {"task_category": "math", "objectivity": "objective", "controversiality": "low",
             "desired_attributes": ["correct", "brief"], "annotation_guideline": "Check the sum."}
            """
        #expect(JudgeTask.parseAttributes(attributes).0?.desiredAttributes == "correct; brief")
        #expect(JudgeTask.parseAttributes("{\"task_category\": \"math\"}").1?.contains("lacks") == true)
    }

    @Test func errorBodiesOfBothShapesAreRead() {
        #expect(ChatClient.errorMessage("{\"error\": {\"message\": \"Rate limit\", \"type\": \"x\", \"code\": \"rate_limit_exceeded\"}}") == "Rate limit (rate_limit_exceeded)")
        #expect(ChatClient.errorMessage("{\"object\": \"error\", \"message\": \"bad model\", \"type\": \"NotFoundError\", \"code\": 404}") == "bad model (404)")
        #expect(ChatClient.errorMessage("{\"error\": {\"message\": \"m\", \"code\": 400}}") == "m (400)")
        #expect(ChatClient.errorMessage("not json") == nil)
    }

    @Test func judgesFilesAreCheckedField_by_field() throws {
        func load(_ text: String) throws -> [JudgeConfig] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("judges-\(UUID().uuidString).json").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return try JudgeConfig.load(path: path)
        }
        let ok = try load("[{\"name\": \"a\", \"endpoint\": \"http://127.0.0.1:1/v1\", \"model\": \"m\", \"samples\": 5, \"structured_output\": \"json_object\", \"price_per_million_input\": 2}]")
        #expect(ok[0].samples == 5 && ok[0].structuredOutput == .jsonObject && ok[0].maxConcurrency == 8)
        #expect(ok[0].completionsURL == "http://127.0.0.1:1/v1/chat/completions")
        #expect(abs(ok[0].cost(promptTokens: 1_000_000, completionTokens: 10) - 2) < 1e-12)
        let cases: [(String, String)] = [
            ("{}", "expected a non-empty JSON list"),
            ("[{\"endpoint\": \"http://x/v1\", \"model\": \"m\"}]", "[0].name: missing"),
            ("[{\"name\": \"a\", \"endpoint\": \"x/v1\", \"model\": \"m\"}]", "must start with http"),
            ("[{\"name\": \"a\", \"endpoint\": \"http://x/v1\", \"model\": \"m\", \"temprature\": 1}]", "[0].temprature: unknown field"),
            ("[{\"name\": \"a\", \"endpoint\": \"http://x/v1\", \"model\": \"m\", \"samples\": 0}]", "[0].samples: expected an integer ≥ 1"),
            ("[{\"name\": \"a\", \"endpoint\": \"http://x/v1\", \"model\": \"m\"}, {\"name\": \"a\", \"endpoint\": \"http://x/v1\", \"model\": \"m\"}]", "used twice"),
        ]
        for (text, message) in cases {
            #expect { try load(text) } throws: { "\($0)".contains(message) }
        }
        var withKey = JudgeConfig(name: "k", endpoint: "http://x/v1", model: "m")
        withKey.apiKeyEnv = "SYNPREF_TEST_JUDGE_KEY"
        #expect(throws: JudgeError.missingAPIKey(judge: "k", variable: "SYNPREF_TEST_JUDGE_KEY")) { try withKey.apiKey(environment: [:]) }
        #expect(try withKey.apiKey(environment: ["SYNPREF_TEST_JUDGE_KEY": "s"]) == "s")
    }

    @Test func votesAggregateWithinThenAcrossJudges() {
        func votes(_ c: Int, _ r: Int, _ t: Int, _ i: Int = 0) -> Votes {
            var v = Votes(); v.chosen = c; v.rejected = r; v.tie = t; v.invalid = i; return v
        }
        let a = Verdict.aggregate([("j1", votes(2, 1, 0)), ("j2", votes(3, 0, 0)), ("j3", votes(0, 2, 1))], rule: .majority, tieIsUndetermined: false)
        #expect(a.label == .chosen && a.judgeLabels["j3"] == .rejected)
        #expect(abs(a.confidence - 5.0 / 9.0) < 1e-12)
        #expect(a.votes == votes(5, 3, 1))
        let u = Verdict.aggregate([("j1", votes(2, 1, 0)), ("j2", votes(3, 0, 0)), ("j3", votes(0, 2, 1))], rule: .unanimous, tieIsUndetermined: false)
        #expect(u.label == .undetermined && u.confidence == 0)
        // A judge split evenly is undetermined; all-invalid is undetermined.
        #expect(Verdict.aggregate([("j", votes(1, 1, 0))], rule: .majority, tieIsUndetermined: false).label == .undetermined)
        #expect(Verdict.aggregate([("j", votes(0, 0, 0, 3))], rule: .majority, tieIsUndetermined: false).label == .undetermined)
        // Verify: responses judged alike is not a label.
        #expect(Verdict.aggregate([("j", votes(0, 0, 3))], rule: .majority, tieIsUndetermined: true).label == .undetermined)
        #expect(Verdict.aggregate([("j", votes(0, 0, 3))], rule: .majority, tieIsUndetermined: false).label == .tie)
    }

    @Test func theCacheSurvivesATornLastLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).jsonl").path
        do {
            let cache = try ResponseCache(path: path)
            try cache.store(ChatAnswer(content: "{\"verdict\": \"tie\"}", promptTokens: 10, completionTokens: 3, attempts: 1), key: "k1", judge: "j")
        }
        // A kill in the middle of a write leaves half a line.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"key\": \"k2\", \"jud".utf8))
        try handle.close()
        let reopened = try ResponseCache(path: path)
        #expect(reopened.unreadableLines == 1 && reopened.count == 1)
        #expect(reopened.answer(for: "k1")?.content == "{\"verdict\": \"tie\"}")
        try reopened.store(ChatAnswer(content: "x", promptTokens: 1, completionTokens: 1, attempts: 1), key: "k3", judge: "j")
        let again = try ResponseCache(path: path)
        #expect(again.count == 2 && again.answer(for: "k3")?.content == "x")
    }

    @Test func theShippedPromptsRenderWithTheMarkersTheirParsersExpect() throws {
        let t = try PromptTemplates.defaults()
        let pair = PreferencePair(context: [ChatMessage(role: .user, content: "2+2?")], chosen: ChatMessage(role: .assistant, content: "4"),
                                  rejected: ChatMessage(role: .assistant, content: "5"), source: "t")
        let text = try t.render(t.preference, [
            "guideline": .string(t.guideline), "examples": .array([]), "conversation": PromptTemplates.conversation(pair.context),
            "attributes": PromptTemplates.attributes(nil), "candidate_1": "4", "candidate_2": "5",
        ], task: "preference")
        #expect(text.contains("\n### Candidate 1\n4\n") && text.contains("\n### Candidate 2\n5\n") && text.contains("Preference annotation guideline"))
    }
}
