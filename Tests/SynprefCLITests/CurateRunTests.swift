import Foundation
import Testing
import SynprefCore
import SynprefTestSupport
import SynprefCuration
import SynprefData
@testable import SynprefCLI

/// `synpref curate run`, `curate stage2` and `curate experiment` end to end on the real
/// all-MiniLM-L6-v2 and a small part of the bundled RMB harmlessness sample, with simulated
/// annotators: the rounds and Stage 2 recorded step by step, humans by file, and SIGKILLs at
/// random points of a run that change nothing in the final store.
@Suite(.serialized, .computeThreads) struct CurateRunTests {
    typealias Kind = JudgeStoreCommandTests.Kind
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = root.appendingPathComponent("examples/data/rmb-harmlessness/pairwise-harmlessness-sample.json.gz").path
    static var minilm: String? { SynprefAssets.locate("minilm")?.path }
    static let needsMiniLM = SynprefAssets.required || SynprefAssets.available("minilm/model.safetensors")

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-curate-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `n` distinct pairs spread over the bundled sample (every k-th, so many prompts), as
    /// Synpref JSON lines.
    func smallPool(_ n: Int, in dir: URL) throws -> String {
        var seen = Set<ContentHash>()
        let all = try PreferenceFileReader.readAll(path: Self.sample).filter { seen.insert($0.contentHash).inserted }
        let pairs = Array(stride(from: 0, to: all.count, by: all.count / n).map { all[$0] }.prefix(n))
        try #require(pairs.count == n)
        let path = dir.appendingPathComponent("sample.jsonl").path
        try NoisyPool.write(pairs, to: path)
        return path
    }

    /// A project over a noisy pool of the sample: head-only MiniLM, 2 rounds of `budget`
    /// simulated human answers, every pair a seed pair, no judges.
    func project(in dir: URL, pairs: Int, budget: Int, simulate: Bool = true, stage2: String? = nil) throws -> (pool: NoisyPool, config: String) {
        let model = try #require(Self.minilm)
        let pool = try NoisyPool.make(input: try smallPool(pairs, in: dir), outputDirectory: dir.appendingPathComponent("data").path,
                                      heldOutFraction: 0.2, noise: 0.3, seed: 1)
        let sim = simulate ? #", "simulate": {"truth": "\#(pool.truthPath)", "noise": 0.1, "annotators": ["a", "b"]}"# : ""
        let config = dir.appendingPathComponent("curate.json").path
        try Data("""
            {"name": "t", "embedder": "\(model)", "rounds": 2, "k_max": 4, "seed": 5, "seed_pool": {"share": 1},
             "reward_model": {"base": "\(model)", "train": "head", "learning_rate": 0.01, "batch_size": 16, "epochs": 3, "max_length": 512},
             "humans": {"budget_per_round": \(budget), "validation": "\(pool.heldOutPath)"\(sim)}\(stage2.map { ", \"stage2\": \($0)" } ?? "")}
            """.utf8).write(to: URL(fileURLWithPath: config))
        return (pool, config)
    }

    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"))
    func roundsAndStageTwoAreRecordedAndARerunDoesNothing() async throws {
        let dir = try folder()
        let (pool, config) = try project(in: dir, pairs: 50, budget: 5)
        let url = "sqlite:\(dir.path)/s.db"
        try await runSynpref(["data", "import", pool.noisyPath, "--store", url])
        try await runSynpref(["curate", "init", "--store", url, "--config", config])
        let work = dir.appendingPathComponent("work").path
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        try await runSynpref(["curate", "stage2", "--store", url, "--work-dir", work])
        let store = try await PreferenceStores.open(url)
        let steps = try await store.steps(project: "t")
        let names = Set(steps.map { "\($0.round)/\($0.step)" })
        for r in 1...2 {
            for s in ["attributes", "humans", "verify", "train", "retrieve", "label", "report"] { #expect(names.contains("\(r)/\(s)"), "\(r)/\(s)") }
        }
        for s in ["stage2-score", "stage2-label", "stage2-gold", "stage2-filter"] { #expect(names.contains("3/\(s)")) }
        #expect(steps.allSatisfy { $0.state == .done })
        let attributes = try #require(steps.first { $0.step == "attributes" })
        #expect(attributes.details.contains("no judges"))
        // Two rounds of 5 human answers: 10 gold pairs; Stage 2 decided every other pair.
        let stats = try await store.stats()
        #expect(stats.byTier["gold"] == 10 && (stats.byTier["unverified"] ?? 0) == 0)
        #expect((stats.byTier["silver"] ?? 0) + (stats.byTier["discarded"] ?? 0) == pool.noisy.count - 10)
        // Round 2's humans saw round 1's retrieved pairs first (no judges to label them).
        let round2 = try #require(steps.first { $0.round == 2 && $0.step == "humans" })
        #expect(round2.details.contains("\"from_retrieval\":5"))
        let report = try #require(steps.first { $0.round == 2 && $0.step == "report" })
        let r = try JSONParser.parse(report.details)
        #expect(r["gold_pairs"]?.intValue == 10 && r["llm_steps"]?.stringValue?.hasPrefix("skipped") == true)
        #expect(r["p_histogram"]?.arrayValue?.compactMap(\.intValue).reduce(0, +) == 10)
        #expect(r["validation_pairs"]?.intValue == pool.heldOut.count && (0...1).contains(r["validation_accuracy"]?.doubleValue ?? -1))
        // Every human answer is on record as a simulated annotator's.
        for p in try await store.allPairs(tier: .gold) {
            #expect(try await store.labels(pairID: p.id!).contains { $0.labeler.kind == .human && $0.labeler.id.hasPrefix("sim-") })
        }
        // Discarded pairs carry the reason.
        let discarded = try await store.allPairs(tier: .discarded)
        for p in discarded.prefix(5) {
            #expect(try await store.tierMoves(pairID: p.id!).last?.reason.hasPrefix("stage 2:") == true)
        }
        let before = try await store.steps(project: "t").map(\.finishedAt)
        try await store.close()
        // Nothing is left to do: a rerun changes no record.
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        try await runSynpref(["curate", "stage2", "--store", url, "--work-dir", work])
        let again = try await PreferenceStores.open(url)
        #expect(try await again.steps(project: "t").map(\.finishedAt) == before)
        try await again.close()
        // The report: the page and the same numbers as JSON.
        let out = dir.appendingPathComponent("report").path
        try await runSynpref(["curate", "report", "--store", url, "--output", out])
        let json = try JSONParser.parse(try String(contentsOfFile: out + "/report.json", encoding: .utf8))
        #expect(json["rounds"]?.arrayValue?.count == 2)
        #expect(json["stage2"]?["stage2-filter"]?["kept"]?.intValue == stats.byTier["silver"])
        let page = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
        #expect(page.contains("Stage 1 rounds") && page.contains("Stage 2") && page.contains("<svg"))
        #expect(page.contains("the LLM steps were skipped"))
    }

    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"))
    func withRealAnnotatorsTheRunWaitsForTheirAnswersByFile() async throws {
        let dir = try folder()
        let (pool, config) = try project(in: dir, pairs: 30, budget: 4, simulate: false)
        let url = "sqlite:\(dir.path)/s.db"
        try await runSynpref(["data", "import", pool.noisyPath, "--store", url])
        try await runSynpref(["curate", "init", "--store", url, "--config", config])
        let work = dir.appendingPathComponent("work").path
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        var store = try await PreferenceStores.open(url)
        let waiting = try #require(try await store.steps(project: "t").first { $0.step == "humans" })
        #expect(waiting.state == .running && waiting.details.contains("human task(s) open"))
        #expect(try await store.count(tier: .gold) == 0)
        try await store.close()
        // Alice answers her four tasks: the first response each time.
        let tasks = dir.appendingPathComponent("alice.jsonl").path
        try await runSynpref(["curate", "tasks", "export", "--store", url, "--annotator", "alice", "--output", tasks])
        let lines = try String(contentsOfFile: tasks, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        var answers = ""
        for line in lines {
            let id = try #require(try JSONParser.parse(String(line))["task_id"]?.intValue)
            answers += "{\"task_id\": \(id), \"annotator\": \"alice\", \"verdict\": \"response_1\"}\n"
        }
        let answerFile = dir.appendingPathComponent("answers.jsonl").path
        try answers.write(toFile: answerFile, atomically: true, encoding: .utf8)
        try await runSynpref(["curate", "tasks", "import", "--store", url, answerFile])
        // The run continues: round 1 finishes and round 2 waits for its own four.
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        store = try await PreferenceStores.open(url)
        let steps = try await store.steps(project: "t")
        #expect(steps.first { $0.round == 1 && $0.step == "report" }?.state == .done)
        #expect(steps.first { $0.round == 2 && $0.step == "humans" }?.state == .running)
        #expect(try await store.count(tier: .gold) == 4)
        try await store.close()
    }

    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"))
    func theExperimentComparesRawCuratedAndCleanOnTheHeldOutPairs() async throws {
        let dir = try folder()
        let model = try #require(Self.minilm)
        let out = dir.appendingPathComponent("exp").path
        try await runSynpref(["curate", "experiment", "--input", try smallPool(70, in: dir), "--output", out, "--model", model,
                              "--rounds", "2", "--budget", "4", "--seed", "2"])
        let result = try JSONParser.parse(try String(contentsOfFile: out + "/experiment.json", encoding: .utf8))
        let poolPairs = try #require(result["pool_pairs"]?.intValue), heldOut = try #require(result["held_out_pairs"]?.intValue)
        #expect(poolPairs + heldOut == 70 && heldOut > 0)
        // The flips injected are the truth file's "rejected" lines.
        let truth = try String(contentsOfFile: out + "/data/truth.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(truth.count == poolPairs)
        #expect(result["flipped"]?.intValue == truth.filter { $0.contains("\"rejected\"") }.count)
        // The arms and the paired test agree: acc(b) − acc(a) = (only b − only a) / n.
        let a = try #require(result["a_raw"]?["correct"]?.intValue), b = try #require(result["b_curated"]?["correct"]?.intValue)
        let onlyB = try #require(result["b_vs_a"]?["only_b_right"]?.intValue), onlyA = try #require(result["b_vs_a"]?["only_a_right"]?.intValue)
        #expect(b - a == onlyB - onlyA)
        #expect(result["b_curated"]?["train_pairs"]?.intValue == (result["tiers"]?["gold"]?.intValue ?? -1) + (result["tiers"]?["silver"]?.intValue ?? -1))
        #expect(result["tiers"]?["gold"]?.intValue == 8)
        // Flip detection recomputed from the store.
        let store = try await PreferenceStores.open("sqlite:\(out)/curation.db")
        var flagged = 0
        for tier in PreferenceTier.allCases {
            for p in try await store.allPairs(tier: tier) where tier == .discarded || ((tier == .gold || tier == .silver) && p.verifiedFlipped) { flagged += 1 }
        }
        #expect(result["flip_detection"]?["flagged"]?.intValue == flagged)
        try await store.close()
        // The output folder is never reused.
        await #expect(throws: (any Error).self) {
            try await runSynpref(["curate", "experiment", "--input", Self.sample, "--output", out, "--model", model])
        }
    }

    /// The annotation app's side: with overlap 2 set for the project, the run's human tasks
    /// wait for two annotators each; a disagreement waits for the reviewer; then the run goes
    /// on with the gold pairs the app made.
    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"))
    func withAnnotatorsInTheAppTheRunWaitsForOverlapAndReview() async throws {
        let dir = try folder()
        let (pool, config) = try project(in: dir, pairs: 30, budget: 4, simulate: false)
        let url = "sqlite:\(dir.path)/s.db"
        try await runSynpref(["data", "import", pool.noisyPath, "--store", url])
        try await runSynpref(["curate", "init", "--store", url, "--config", config])
        var store = try await PreferenceStores.open(url)
        try await store.saveAnnotationProject(name: "t", settings: AnnotationSettings(overlap: 2).serialized())
        try await store.close()
        let work = dir.appendingPathComponent("work").path
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        store = try await PreferenceStores.open(url)
        let desk = AnnotationDesk(store: store, project: "t")
        // Alice and Bob answer every pair; they disagree on the first one Bob gets.
        var disputed: Int64?
        for person in ["alice", "bob"] {
            while let a = try await desk.current(annotator: person) {
                var verdict: HumanAnswer.Verdict = a.chosenShownFirst ? .a : .b
                if person == "bob" && disputed == nil {
                    disputed = a.pair.id
                    verdict = verdict == .a ? .b : .a
                }
                try await desk.submit(taskID: a.task.id, annotator: person, verdict: verdict)
            }
        }
        #expect(try await store.answers(queue: desk.queue, worker: nil).count == 8)
        #expect(try await store.count(tier: .gold) == 3)
        try await store.close()
        // The run still waits: the review is open.
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        store = try await PreferenceStores.open(url)
        let waiting = try #require(try await store.steps(project: "t").first { $0.step == "humans" })
        #expect(waiting.state == .running && waiting.details.contains("1 human task(s) open"))
        let review = try #require(try await AnnotationDesk(store: store, project: "t").currentReview(reviewer: "rita"))
        #expect(review.0.pair.id == disputed)
        try await AnnotationDesk(store: store, project: "t").submitReview(taskID: review.0.task.id, reviewer: "rita",
                                                                           verdict: review.0.chosenShownFirst ? .a : .b)
        #expect(try await store.count(tier: .gold) == 4)
        try await store.close()
        // Now round 1 finishes with the four gold pairs the app made.
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])
        store = try await PreferenceStores.open(url)
        let steps = try await store.steps(project: "t")
        #expect(steps.first { $0.round == 1 && $0.step == "report" }?.state == .done)
        let train = try #require(steps.first { $0.round == 1 && $0.step == "train" })
        #expect(try JSONParser.parse(train.details)["gold_p"]?.objectValue?.count == 4, "p for every gold pair: \(train.details)")
        #expect(try await store.labels(pairID: try #require(disputed)).filter { $0.labeler.kind == .human }.map(\.labeler)
                == [.human("alice"), .human("bob"), .human("rita")])
        try await store.close()
    }

    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"))
    func withJudgesEveryLLMStepRunsThroughTheProjectsQueues() async throws {
        let model = try #require(Self.minilm)
        let server = try FaultServer()
        let dir = try folder()
        let url = "sqlite:\(dir.path)/s.db"
        // Pairs whose better response says GOOD (the fault server's judge prefers it); the
        // truth file says the same.
        var lines = "", truth = ""
        for i in 0..<24 {
            let (c, r) = i % 4 == 0 ? ("\(2 * i + 1)", "GOOD: \(2 * i)") : ("GOOD: \(2 * i)", "\(2 * i + 1)")
            let pair = PreferencePair(context: [ChatMessage(role: .user, content: "Question \(i): what is \(i) + \(i)?")],
                                      chosen: ChatMessage(role: .assistant, content: c), rejected: ChatMessage(role: .assistant, content: r), source: "t")
            lines += "{\"prompt\": \"Question \(i): what is \(i) + \(i)?\", \"chosen\": \"\(c)\", \"rejected\": \"\(r)\"}\n"
            truth += "{\"content_hash\": \"\(pair.contentHash.hex)\", \"label\": \"\(i % 4 == 0 ? "rejected" : "chosen")\"}\n"
        }
        try lines.write(toFile: dir.path + "/pool.jsonl", atomically: true, encoding: .utf8)
        try truth.write(toFile: dir.path + "/truth.jsonl", atomically: true, encoding: .utf8)
        try """
            [{"name": "fa", "endpoint": "\(server.base)/v1", "model": "m", "samples": 1, "structured_output": "json_object"}]
            """.write(toFile: dir.path + "/judges.json", atomically: true, encoding: .utf8)
        try """
            {"name": "j", "judges": "judges.json", "embedder": "\(model)", "rounds": 1, "k_max": 4, "seed_pool": {"share": 0.5},
             "reward_model": {"base": "\(model)", "train": "head", "learning_rate": 0.01, "batch_size": 8, "epochs": 2},
             "humans": {"budget_per_round": 3, "simulate": {"truth": "truth.jsonl"}}}
            """.write(toFile: dir.path + "/curate.json", atomically: true, encoding: .utf8)
        try await runSynpref(["data", "import", dir.path + "/pool.jsonl", "--store", url])
        try await runSynpref(["curate", "init", "--store", url, "--config", dir.path + "/curate.json"])
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", dir.path + "/work"])
        let store = try await PreferenceStores.open(url)
        let steps = Dictionary(uniqueKeysWithValues: try await store.steps(project: "j").map { ($0.step, try JSONParser.parse($0.details)) })
        // Attributes for every pair; the seed remainder judged (→ silver the way the judge
        // found); the round model trained on that silver; the retrieved pairs labelled.
        #expect(steps["attributes"]?["attributes"]?.intValue == 24)
        let seedRemainder = try #require(steps["verify"]?["seed_remainder"]?.intValue)
        #expect(seedRemainder > 0 && steps["verify"]?["tasks"]?.intValue == seedRemainder)
        #expect(steps["train"]?["trained_on"]?.stringValue == "silver")
        let retrieved = try #require(steps["retrieve"]?["retrieved_pairs"]?.intValue)
        #expect(steps["label"]?["tasks"]?.intValue == retrieved)
        #expect(steps["report"]?["llm_steps"]?.stringValue == "ran")
        #expect(steps["report"]?["agreement"]?["pairs"]?.intValue == 0, "the humans' pairs were not judged")
        #expect(steps["report"]?["position_bias"]?["verify"]?["fa"] != nil)
        for p in try await store.allPairs(tier: .silver) {
            #expect(p.verified().chosen.content.hasPrefix("GOOD"), "silver in the judge's orientation")
            #expect(try await store.labels(pairID: p.id!).contains { $0.labeler == .llmJudge("fa") })
        }
        #expect(try await store.count(tier: .gold) == 3)
        try await store.close()
    }

    /// Stage 2's scoring in chunks through the work queue: chunks scored by another worker,
    /// by `curate work` (another process in a real deployment) and by the main process add
    /// up to the scores of scoring in one process; a worker without the model folder leaves
    /// its chunk to the others; `curate stage2` with score_chunk completes.
    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"), arguments: Kind.available)
    func scoringChunksAreSharedByTheWorkersOfTheQueue(kind: Kind) async throws {
        let dir = try folder()
        let (pool, config) = try project(in: dir, pairs: 30, budget: 4, stage2: #"{"score_chunk": 4}"#)
        let url = try kind.freshURL(dir.appendingPathComponent("q").path)
        if kind == .sqlite { try FileManager.default.createDirectory(at: dir.appendingPathComponent("q"), withIntermediateDirectories: true) }
        try await runSynpref(["data", "import", pool.noisyPath, "--store", url])
        try await runSynpref(["curate", "init", "--store", url, "--config", config])
        let work = dir.appendingPathComponent("work").path
        try await runSynpref(["curate", "run", "--store", url, "--work-dir", work])

        let store = try await PreferenceStores.open(url)
        let project = try await CurationProject.open(store: store, name: "t", url: url)
        let model = try #require(try await store.steps(project: "t").first { $0.round == 2 && $0.step == "train" }
            .flatMap { try JSONParser.parse($0.details)["model"]?.stringValue })
        let unverified = try await store.allPairs(tier: .unverified)
        try #require(unverified.count > 12)
        let scoring = QueueScoring(project: project)
        let key = QueueScoring.modelKey(model)
        let tasks = try await scoring.enqueue(unverified, model: model, modelKey: key, step: "test")
        #expect(tasks.count == (unverified.count + 3) / 4)
        #expect(try await scoring.enqueue(unverified, model: model, modelKey: key, step: "test") == tasks, "enqueueing again adds nothing")
        #expect(try await scoring.work(worker: "B", limit: 2) == 2)
        try await runSynpref(["curate", "work", "--store", url, "--project", "t", "--worker", "helper"])
        let shared = try await scoring.rewards(unverified, model: model, modelKey: key, step: "test", worker: "main")
        let byWorker = Dictionary(grouping: try await store.answers(queue: scoring.queue, worker: nil).filter { tasks.contains($0.taskID) }, by: \.worker)
        #expect(byWorker["B"]?.count == 2 && byWorker["helper"]?.count == tasks.count - 2 && byWorker["main"] == nil)
        // The same numbers as scoring in one process (features batched differently: 1e-4).
        let local = try project.scoring.rewards(unverified, model: model)
        #expect(shared.count == unverified.count && local.count == unverified.count)
        for (id, r) in local {
            let q = try #require(shared[id])
            #expect(abs(q.chosen - r.chosen) < 1e-4 && abs(q.rejected - r.rejected) < 1e-4, "pair \(id)")
        }
        // A chunk of a model this machine lacks goes back to the queue for the others.
        let foreign = try await scoring.enqueue(Array(unverified.prefix(2)), model: "/no/such/model", modelKey: "x", step: "foreign")
        #expect(try await scoring.work(worker: "C") == 0)
        #expect(try await store.claims(taskID: foreign[0]).map(\.error) == ["model /no/such/model is not on C's machine"])
        #expect(try await store.task(id: foreign[0])?.state == .pending)
        try await store.close()

        // The whole of Stage 2 with chunked scoring decides every pair.
        try await runSynpref(["curate", "stage2", "--store", url, "--work-dir", work])
        let after = try await PreferenceStores.open(url)
        #expect(try await after.count(tier: .unverified) == 0)
        let best = try #require(try await after.steps(project: "t").first { $0.step == "stage2-score" })
        #expect(best.details.contains("\"scored\":\(unverified.count)"))
        try await after.close()
    }

    @Test func curateWorkFinishesTheProjectsJudgeQueuesAndNeedsJudges() async throws {
        let server = try FaultServer()
        let dir = try folder()
        let url = "sqlite:\(dir.path)/s.db"
        var lines = ""
        for i in 0..<6 { lines += "{\"prompt\": \"Question \(i)?\", \"chosen\": \"GOOD \(i)\", \"rejected\": \"bad \(i)\"}\n" }
        try lines.write(toFile: dir.path + "/pool.jsonl", atomically: true, encoding: .utf8)
        try await runSynpref(["data", "import", dir.path + "/pool.jsonl", "--store", url])
        try FileManager.default.createDirectory(atPath: dir.path + "/m", withIntermediateDirectories: true)
        try "{}".write(toFile: dir.path + "/m/config.json", atomically: true, encoding: .utf8)
        try "[]".write(toFile: dir.path + "/m/modules.json", atomically: true, encoding: .utf8)
        try """
            [{"name": "fa", "endpoint": "\(server.base)/v1", "model": "m", "samples": 1, "structured_output": "json_object"}]
            """.write(toFile: dir.path + "/judges.json", atomically: true, encoding: .utf8)
        try #"{"name": "w", "judges": "judges.json", "embedder": "m", "reward_model": {"base": "m"}}"#.write(toFile: dir.path + "/c.json", atomically: true, encoding: .utf8)
        try #"{"name": "n", "embedder": "m", "reward_model": {"base": "m"}}"#.write(toFile: dir.path + "/n.json", atomically: true, encoding: .utf8)
        try await runSynpref(["curate", "init", "--store", url, "--config", dir.path + "/c.json"])
        try await runSynpref(["curate", "init", "--store", url, "--config", dir.path + "/n.json"])
        // Tasks a main run put in the project's attributes queue.
        let store = try await PreferenceStores.open(url)
        let ids = try await store.allPairs(tier: nil).compactMap(\.id)
        _ = try await store.enqueue(ids.map { NewTask(pairID: $0, kind: "attributes", payload: "{}", maxAttempts: 10, key: "pair:\($0)") }, queue: "w/judge-attributes")
        try await runSynpref(["curate", "work", "--store", url, "--project", "w", "--worker", "helper"])
        for id in ids { #expect(try await store.pair(id: id)?.attributes != nil) }
        #expect(try await store.queueCounts(queue: "w/judge-attributes").tasks[.done] == 6)
        try await store.close()
        await #expect {
            try await runSynpref(["curate", "work", "--store", url, "--project", "n"])
        } throws: { "\($0)".contains("no judges file") }
    }

    /// What a run leaves in the store, per pair (by content hash): tier, orientation, tier
    /// moves, and labels (reward-model labels by kind: a resumed process computes the same
    /// model, named by its fingerprint, from features batched differently).
    func snapshot(_ url: String) async throws -> [String: String] {
        let store = try await PreferenceStores.open(url)
        var out: [String: String] = [:]
        for tier in PreferenceTier.allCases {
            for p in try await store.allPairs(tier: tier) {
                let labels = try await store.labels(pairID: p.id!).map { l in
                    let who = l.labeler.kind == .rewardModel ? "reward_model" : l.labeler.description
                    return "\(who)=\(l.label.rawValue)@\(String(format: "%.3f", l.confidence ?? -1))"
                }.sorted()
                let moves = try await store.tierMoves(pairID: p.id!).map { "\($0.to.rawValue)" }
                out[p.contentHash.hex] = "\(tier.rawValue) flipped=\(p.verifiedFlipped) moves=\(moves) labels=\(labels)"
            }
        }
        try await store.close()
        return out
    }

    /// Runs `synpref ARGS` in a child process, SIGKILLed after `killAfter` seconds if still
    /// running; returns whether it finished by itself (exit status 0).
    func child(_ args: [String], killAfter: Double?) async throws -> Bool {
        let p = Process()
        p.executableURL = try ServeCommandTests.executable()
        p.arguments = args
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return try await onOwnThread {
            if let killAfter {
                let deadline = Date().addingTimeInterval(killAfter)
                while p.isRunning && Date() < deadline { usleep(20_000) }
                if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            }
            p.waitUntilExit()
            return p.terminationReason == .exit && p.terminationStatus == 0
        }
    }

    @Test(.enabled(if: needsMiniLM, "needs MiniLM (scripts/fetch-assets.sh)"), arguments: Kind.available)
    func sigkillsAtRandomPointsLeaveTheStoreAnUninterruptedRunLeaves(kind: Kind) async throws {
        let dir = try folder()
        let (pool, config) = try project(in: dir, pairs: 30, budget: 4)
        func prepared(_ name: String) async throws -> (url: String, work: String) {
            let url = try kind.freshURL(dir.appendingPathComponent(name).path + "-x")
            if kind == .sqlite { try FileManager.default.createDirectory(at: dir.appendingPathComponent(name + "-x"), withIntermediateDirectories: true) }
            try await runSynpref(["data", "import", pool.noisyPath, "--store", url])
            try await runSynpref(["curate", "init", "--store", url, "--config", config])
            return (url, dir.appendingPathComponent(name + "-work").path)
        }
        // The uninterrupted run, timed.
        let reference = try await prepared("reference")
        let started = Date()
        #expect(try await child(["curate", "run", "--store", reference.url, "--work-dir", reference.work], killAfter: nil))
        let runSeconds = Date().timeIntervalSince(started)
        #expect(try await child(["curate", "stage2", "--store", reference.url, "--work-dir", reference.work], killAfter: nil))
        let expected = try await snapshot(reference.url)
        #expect(expected.count == pool.noisy.count)

        // The same, killed at random points (seeded, so a failure can be replayed).
        var rng = KeyedRandom(seed: 11, key: kind.rawValue)
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * rng.unit() }
        let killed = try await prepared("killed")
        var kills = 0, finished = false
        while !finished {
            let delay = kills < 3 ? uniform(0.2, max(0.5, runSeconds * 0.8)) : nil
            finished = try await child(["curate", "run", "--store", killed.url, "--work-dir", killed.work], killAfter: delay)
            if !finished { kills += 1 }
            try #require(kills <= 3)
        }
        #expect(kills >= 1, "the first run is killed before it can finish")
        finished = try await child(["curate", "stage2", "--store", killed.url, "--work-dir", killed.work], killAfter: uniform(0.2, 2))
        if !finished { #expect(try await child(["curate", "stage2", "--store", killed.url, "--work-dir", killed.work], killAfter: nil)) }
        let got = try await snapshot(killed.url)
        #expect(got.count == expected.count)
        for (hash, want) in expected where got[hash] != want {
            Issue.record("pair \(hash.prefix(12)): \(got[hash] ?? "missing") vs uninterrupted \(want)")
        }
    }
}
