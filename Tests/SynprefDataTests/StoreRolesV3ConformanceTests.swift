import Foundation
import SynprefCore
import Testing
@testable import SynprefData

/// Task keys, labels applied together with task completions, the judges' answer log and
/// stored embeddings, on SQLite and PostgreSQL alike.
@Suite struct StoreRolesV3ConformanceTests {
    @Test(arguments: StoreKind.available)
    func aKeyedTaskIsEnqueuedOnceWhoeverEnqueuesIt(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let first = try await q.enqueue([NewTask(payload: "a", key: "pair:1"), NewTask(payload: "free"), NewTask(payload: "b", key: "pair:2")], queue: "judge")
            #expect(Set(first).count == 3)
            // A second process enqueueing the same work (and one new key, and a repeat within the call).
            let again = try await q.enqueue([NewTask(payload: "b again", key: "pair:2"), NewTask(payload: "c", key: "pair:3"),
                                             NewTask(payload: "free 2"), NewTask(payload: "c again", key: "pair:3")], queue: "judge")
            #expect(again[0] == first[2])
            #expect(again[1] == again[3])
            #expect(!first.contains(again[1]) && !first.contains(again[2]))
            // The same key in another queue is another task.
            let other = try await q.enqueue([NewTask(payload: "a", key: "pair:1")], queue: "other")
            #expect(other[0] != first[0])
            #expect(try await q.queueCounts(queue: "judge").tasks == [.pending: 5])
            // A finished task keeps its key: enqueueing it again adds nothing.
            let task = try #require(try await q.claimNext(queue: "judge", worker: "w", lease: 3600))
            try await q.complete(task.id, worker: "w", result: nil)
            #expect(try await q.enqueue([NewTask(payload: "a", key: "pair:1")], queue: "judge") == [first[0]])
            #expect(try await q.queueCounts(queue: "judge").tasks == [.pending: 4, .done: 1])
        }
    }

    @Test(arguments: StoreKind.available)
    func labelsAndTheirTaskCompletionCommitTogetherOrNotAtAll(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            let ids = insertedIDs(try await s.insert(prepared([samplePair(1), samplePair(2)]), importID: "i"))
            let tasks = try await s.enqueue(ids.map { NewTask(pairID: $0, kind: "preference", key: "pair:\($0)") }, queue: "judge")
            let claimed = try await s.claim(queue: "judge", worker: "A", limit: 2, lease: 3600)
            #expect(claimed.map(\.id) == tasks)
            let label = LabelEntry(pairID: ids[0], labeler: .llmJudge("qwen"), label: .rejected, confidence: 0.75, rationale: "B is right")
            let done = try await s.apply(CurationBatch(labels: [label], completions: [TaskCompletion(taskID: tasks[0], worker: "A", result: "rejected")], actor: "judge A"))
            #expect(done.labelIDs.count == 1)
            #expect(try await s.claims(taskID: tasks[0]).map(\.state) == [.done])
            #expect(try await s.labels(pairID: ids[0]).map(\.rationale) == ["B is right"])

            // B never held task 2: nothing of its batch is applied.
            let stray = LabelEntry(pairID: ids[1], labeler: .llmJudge("qwen"), label: .chosen)
            await #expect(throws: StoreError.leaseLost(taskID: tasks[1], worker: "B")) {
                try await s.apply(CurationBatch(labels: [stray], completions: [TaskCompletion(taskID: tasks[1], worker: "B")], actor: "judge B"))
            }
            #expect(try await s.labels(pairID: ids[1]).isEmpty)
            // A completing task 1 a second time fails the same way, and adds no label.
            await #expect(throws: StoreError.leaseLost(taskID: tasks[0], worker: "A")) {
                try await s.apply(CurationBatch(labels: [label], completions: [TaskCompletion(taskID: tasks[0], worker: "A")], actor: "judge A"))
            }
            #expect(try await s.labels(pairID: ids[0]).count == 1)
            #expect(try await s.queueCounts(queue: "judge").tasks == [.done: 1, .leased: 1])
        }
    }

    @Test(arguments: StoreKind.available)
    func theFirstAnswerSavedForARequestStays(kind: StoreKind) async throws {
        try await withTestStore(kind) { (t: TestStore) async throws in
            let s = t.store
            let a = StoredResponse(key: "k1", judge: "qwen", content: "{\"verdict\": \"tie\"}", promptTokens: 120, completionTokens: 9, attempts: 2)
            let b = StoredResponse(key: "k2", judge: "llama", content: "ünïcode ✓\n", promptTokens: 1, completionTokens: 2, attempts: 1)
            #expect(try await s.saveResponses([a, b]) == 2)
            var late = a
            late.content = "a different answer"
            #expect(try await s.saveResponses([late]) == 0)
            #expect(try await s.responses(keys: ["k1", "k2", "k3", "k1"]) == ["k1": a, "k2": b])
            #expect(try await s.responseCount() == 2)
            #expect(try await s.responses(keys: []).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func embeddingsAreKeptPerEmbedderAndOnlyMissingOnesAreListed(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            let ids = insertedIDs(try await s.insert(prepared((1...5).map { samplePair($0) }), importID: "i"))
            _ = try await s.apply(CurationBatch(moves: [TierChange(pairID: ids[0], to: .gold, reason: "test")], actor: "t"))
            #expect(try await s.pairsWithoutEmbedding(embedder: "m1", tier: nil, afterID: 0, limit: 10).map(\.id) == ids)
            let v: [Float] = [0.25, -0.5, 1.0 / 3.0]
            #expect(try await s.saveEmbeddings([(ids[0], v), (ids[2], [1, 0, 0])], embedder: "m1", format: .f32) == 2)
            // A re-run saving the same pair keeps the first vector.
            #expect(try await s.saveEmbeddings([(ids[0], [9, 9, 9])], embedder: "m1", format: .f32) == 0)
            #expect(try await s.pairsWithoutEmbedding(embedder: "m1", tier: nil, afterID: 0, limit: 10).map(\.id) == [ids[1], ids[3], ids[4]])
            #expect(try await s.pairsWithoutEmbedding(embedder: "m1", tier: .unverified, afterID: ids[1], limit: 1).map(\.id) == [ids[3]])
            // Another embedder sees every pair as missing.
            #expect(try await s.pairsWithoutEmbedding(embedder: "m2", tier: .gold, afterID: 0, limit: 10).map(\.id) == [ids[0]])
            let read = try await s.embeddings(embedder: "m1", tier: nil, afterID: 0, limit: 10)
            #expect(read.map(\.pairID) == [ids[0], ids[2]])
            #expect(read[0].vector == v)  // f32 round-trips bit for bit
            #expect(try await s.embeddings(embedder: "m1", tier: .gold, afterID: 0, limit: 10).map(\.pairID) == [ids[0]])
            #expect(try await s.embeddings(embedder: "m1", pairIDs: [ids[2], ids[3]]).map(\.pairID) == [ids[2]])
            #expect(try await s.embeddings(embedder: "m2", tier: nil, afterID: 0, limit: 10).isEmpty)
            let counts = try await s.embeddingCount(embedder: "m1", tier: .unverified)
            #expect(counts.embedded == 1 && counts.pairs == 4)

            // f16: half the bytes, within f16's rounding (relative 2^-11).
            #expect(try await s.saveEmbeddings([(ids[1], v)], embedder: "m2", format: .f16) == 1)
            let half = try await s.embeddings(embedder: "m2", pairIDs: [ids[1]])[0].vector
            for (x, y) in zip(half, v) { #expect(abs(x - y) <= abs(y) * 0x1p-11) }

            await #expect(throws: StoreError.self) { try await s.saveEmbeddings([(ids[4], [1, 2])], embedder: "m1", format: .f32) }
            await #expect(throws: StoreError.self) { try await s.saveEmbeddings([(ids[4], [1, .nan, 2])], embedder: "m1", format: .f32) }
            await #expect(throws: StoreError.self) { try await s.saveEmbeddings([(ids[4], [1, 2, 3]), (ids[3], [1])], embedder: "m1", format: .f32) }
            await #expect(throws: StoreError.unknownPair(999_999)) { try await s.saveEmbeddings([(999_999, [1, 2, 3])], embedder: "m1", format: .f32) }
            #expect(try await s.embeddingCount(embedder: "m1", tier: nil).embedded == 2)

            // Contaminated pairs are never listed.
            _ = try await s.markContaminated([(ids[2], "rewardbench")], actor: "t")
            #expect(try await s.embeddings(embedder: "m1", tier: nil, afterID: 0, limit: 10).map(\.pairID) == [ids[0]])
        }
    }

    @Test(arguments: StoreKind.available)
    func aProjectsConfigurationIsFixedAndItsStepsAreRecorded(kind: StoreKind) async throws {
        try await withTestStore(kind) { (t: TestStore) async throws in
            let s = t.store
            #expect(try await s.createProject(name: "demo", config: "{\"rounds\": 2}"))
            #expect(try await !s.createProject(name: "demo", config: "{\"rounds\": 2}"))
            await #expect(throws: StoreError.self) { try await s.createProject(name: "demo", config: "{\"rounds\": 3}") }
            #expect(try await s.projectConfig(name: "demo") == "{\"rounds\": 2}")
            #expect(try await s.projectConfig(name: "other") == nil)
            #expect(try await s.projectNames() == ["demo"])

            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            try await s.recordStep(StepRecord(project: "demo", round: 1, step: "train", state: .running, startedAt: t0))
            try await s.recordStep(StepRecord(project: "demo", round: 1, step: "attributes", state: .done, startedAt: t0.addingTimeInterval(-60),
                                              finishedAt: t0.addingTimeInterval(-1), details: "{\"pairs\": 10}"))
            try await s.recordStep(StepRecord(project: "demo", round: 1, step: "train", state: .done, startedAt: t0,
                                              finishedAt: t0.addingTimeInterval(30), details: "{\"accuracy\": 0.75}"))
            let steps = try await s.steps(project: "demo")
            #expect(steps.map(\.step) == ["attributes", "train"])
            #expect(steps[1].state == .done && steps[1].details == "{\"accuracy\": 0.75}" && steps[1].finishedAt == t0.addingTimeInterval(30))
            await #expect(throws: StoreError.self) {
                try await s.recordStep(StepRecord(project: "nope", round: 1, step: "x", state: .running, startedAt: t0))
            }
        }
    }

    /// A human who prefers the stored rejected response makes the pair gold the other way
    /// round: the move records the verified orientation, reads return it, and training
    /// formats are exported in it (Synpref's jsonl keeps the stored orientation and labels).
    @Test(arguments: StoreKind.available)
    func aFlippedDecisionGivesTheVerifiedOrientation(kind: StoreKind) async throws {
        try await withTestStore(kind) { (t: TestStore) async throws in
            let s = t.store
            let ids = insertedIDs(try await s.insert(prepared([samplePair(1), samplePair(2)]), importID: "i"))
            let human = Labeler.human("ann")
            _ = try await s.apply(CurationBatch(
                labels: [LabelEntry(pairID: ids[0], labeler: human, label: .rejected), LabelEntry(pairID: ids[1], labeler: human, label: .chosen)],
                moves: [TierChange(pairID: ids[0], to: .gold, reason: "human: rejected better", flipped: true),
                        TierChange(pairID: ids[1], to: .gold, reason: "human: chosen better", flipped: false)],
                actor: "human ann"))
            let first = try #require(try await s.pair(id: ids[0]))
            #expect(first.verifiedFlipped && first.verified().chosen == first.rejected && first.verified().rejected == first.chosen)
            #expect(try await s.pairs(PairQuery(tier: .gold)).map(\.verifiedFlipped) == [true, false])
            // A later move that states nothing keeps the orientation.
            _ = try await s.apply(CurationBatch(moves: [TierChange(pairID: ids[0], to: .silver, reason: "x")], actor: "t"))
            #expect(try await s.pair(id: ids[0])?.verifiedFlipped == true)
            _ = try await s.apply(CurationBatch(moves: [TierChange(pairID: ids[0], to: .gold, reason: "x")], actor: "t"))

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-verified-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let trl = dir.appendingPathComponent("gold.trl.jsonl").path
            _ = try await PreferenceExporter(format: .trl).run(store: s, tier: .gold, to: trl)
            let lines = try String(contentsOfFile: trl, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
            #expect(lines[0]["chosen"]?.serialized().contains("I don't know (1).") == true)
            #expect(lines[1]["chosen"]?.serialized().contains("The answer is 2.") == true)
            let jsonl = dir.appendingPathComponent("gold.jsonl").path
            _ = try await PreferenceExporter(format: .jsonl).run(store: s, tier: .gold, to: jsonl)
            let raw = try String(contentsOfFile: jsonl, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
            #expect(raw[0]["chosen"]?.serialized().contains("The answer is 1.") == true)
        }
    }
}
