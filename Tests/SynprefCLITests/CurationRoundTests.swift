import Foundation
import Testing
import SynprefCore
import SynprefTestSupport
import SynprefCuration
import SynprefData
import SynprefJudge
@testable import SynprefCLI

/// Stage 1, steps 5 and 6 on the real all-MiniLM-L6-v2 and Tests/JudgeServer/fault_server.py
/// as the judge: adaptive retrieval of unverified pairs for each gold pair, then
/// preference-aware labelling that moves each retrieved pair with its labels.
@Suite(.serialized, .computeThreads) struct CurationRoundTests {
    @Test func verdictsBecomeMoves() throws {
        func verdict(_ label: PairLabel, _ confidence: Double, valid: Int = 2) -> Verdict {
            var votes = Votes()
            votes.tie = valid
            votes.invalid = 2 - valid
            return Verdict(label: label, confidence: confidence, votes: votes, judgeLabels: [:])
        }
        let sure = try #require(RoundLabelling.decision(pairID: 1, verdict: verdict(.rejected, 0.8), minConfidence: 0.6))
        #expect(sure.to == .silver && sure.flipped == true && sure.expectedFrom == .unverified)
        #expect(RoundLabelling.decision(pairID: 1, verdict: verdict(.chosen, 0.6), minConfidence: 0.6)?.flipped == false)
        #expect(RoundLabelling.decision(pairID: 1, verdict: verdict(.chosen, 0.55), minConfidence: 0.6)?.to == .discarded)
        #expect(RoundLabelling.decision(pairID: 1, verdict: verdict(.tie, 1), minConfidence: 0.6)?.reason == "llm judges: tie")
        #expect(RoundLabelling.decision(pairID: 1, verdict: verdict(.undetermined, 0.5), minConfidence: 0.6)?.reason == "llm judges: no majority")
        // No valid answer (the endpoint failed, the prompt was too long): no move at all.
        #expect(RoundLabelling.decision(pairID: 1, verdict: verdict(.undetermined, 0, valid: 0), minConfidence: 0.6) == nil)
    }

    @Test(.enabled(if: SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors"), "needs MiniLM (scripts/fetch-assets.sh)"))
    func goldPairsRetrieveTheirNeighboursAndTheJudgesMoveThem() async throws {
        let model = try #require(SynprefAssets.locate("minilm")).path
        let server = try FaultServer()
        let helper = JudgeCommandTests()
        let dir = (try helper.temp("x") as NSString).deletingLastPathComponent
        let url = "sqlite:\(dir)/store.db"
        let topics = ["cats sleeping on sofas", "heavy rain tomorrow", "boiling pasta", "reversing a linked list in C"]
        var goldLines = "", poolLines = ""
        for (t, topic) in topics.enumerated() {
            goldLines += "{\"prompt\": \"Gold question about \(topic)?\", \"chosen\": \"GOOD gold answer \(t)\", \"rejected\": \"bad \(t)\"}\n"
            for v in 0..<3 {
                let (c, r) = v % 2 == 0 ? ("GOOD answer \(t).\(v)", "meh \(t).\(v)") : ("meh \(t).\(v)", "GOOD answer \(t).\(v)")
                poolLines += "{\"prompt\": \"Question \(v) about \(topic), please?\", \"chosen\": \"\(c)\", \"rejected\": \"\(r)\"}\n"
            }
        }
        try await runSynpref(["data", "import", try helper.temp("gold.jsonl", goldLines), "--store", url, "--source", "gold"])
        try await runSynpref(["data", "import", try helper.temp("pool.jsonl", poolLines), "--store", url, "--source", "pool"])
        let store = try await PreferenceStores.open(url)
        let gold = try await store.pairs(PairQuery(source: "gold")).map { $0.id! }
        try #require(gold.count == 4)
        _ = try await store.apply(CurationBatch(moves: gold.map { TierChange(pairID: $0, to: .gold, reason: "t", flipped: false) }, actor: "t"))
        var config = CurationConfig(name: "p", embedder: model, rewardModel: .init(base: model))
        config.kMax = 4
        config.minConfidence = 0.5
        try await store.createProject(name: "p", config: config.json.serialized())
        let project = CurationProject(name: "p", config: config, store: store, storeURL: url)

        // The model gets golds 0 and 2 wrong (k = 4), is sure of gold 1 (k = ⌈4 × 0.1⌉ = 1), fairly of gold 3 (⌈4 × 0.4⌉ = 2).
        let p: [Int64: Double] = [gold[0]: 0.3, gold[1]: 0.9, gold[2]: 0.5, gold[3]: 0.6]
        let retrieval = try await RoundRetrieval.run(project, goldP: p)
        #expect(retrieval.embedded == 16)
        let counts = retrieval.retrieved.map(\.pairs.count)
        #expect(counts == [4, 1, 4, 2])
        let all = retrieval.retrieved.flatMap(\.pairs)
        #expect(Set(all).count == all.count, "each unverified pair goes to one gold pair")
        // Gold 1 (rain) retrieves a rain question first.
        let rain = try #require(try await store.pair(id: retrieval.retrieved[1].pairs[0]))
        #expect(rain.context[0].content.contains("rain"))
        #expect(retrieval.goldNeighbours[gold[0]]?.count == 3 && retrieval.goldNeighbours[gold[0]]?.contains(gold[0]) == false)

        let judge = JudgeConfig(name: "fa", endpoint: "\(server.base)/v1", model: "m")
        var judgeConfig = judge
        judgeConfig.samples = 1
        judgeConfig.structuredOutput = .jsonObject
        let runner = JudgeRunner(clients: [try ChatClient(judge: judgeConfig)], templates: try PromptTemplates.defaults(),
                                 cache: StoreAnswerCache(log: store), options: JudgeRunner.Options(task: .preference))
        let report = try await RoundLabelling.run(project, retrieval: retrieval, runner: runner, worker: "w")
        #expect(report.tasks == all.count && report.labels == all.count)
        for id in all {
            let pair = try #require(try await store.pair(id: id))
            #expect(pair.tier == .silver)
            #expect(pair.verifiedFlipped == pair.rejected.content.hasPrefix("GOOD"), "pair \(id)")
            #expect(pair.verified().chosen.content.hasPrefix("GOOD"))
            #expect(pair.labels.map(\.labeler) == [.llmJudge("fa")])
        }
        // Every judge prompt carried examples: the fault server saw one request per pair.
        #expect(try server.stats()["requests"]?.intValue == all.count)
        try await store.close()
    }
}
