import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefCuration

/// Stage 1's human verification: priority, simulated annotators, and the task files real
/// annotators use, on a SQLite store.
@Suite struct HumanVerificationTests {
    /// A project over `n` pairs; pair i's truth is "rejected" when i is divisible by 3.
    func makeProject(_ n: Int, simulate: CurationConfig.Simulation? = nil) async throws -> (CurationProject, [Int64], [ContentHash: PreferenceLabel], URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-human-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLitePreferenceStore(path: dir.appendingPathComponent("s.db").path)
        let pairs = (0..<n).map { i in
            PreferencePair(context: [ChatMessage(role: .user, content: "question \(i)")], chosen: ChatMessage(role: .assistant, content: "A\(i)"),
                           rejected: ChatMessage(role: .assistant, content: "B\(i)"), source: "t")
        }
        let ids = try await store.insert(pairs.map(PreparedPair.init), importID: "t").map { outcome -> Int64 in
            if case .inserted(let id) = outcome { return id }
            return -1
        }
        var truth: [ContentHash: PreferenceLabel] = [:]
        for (i, p) in pairs.enumerated() { truth[p.contentHash] = i % 3 == 0 ? .rejected : .chosen }
        var config = CurationConfig(name: "p", embedder: "e/e", rewardModel: .init(base: "b/b"))
        config.humans.simulate = simulate
        try await store.createProject(name: "p", config: config.json.serialized())
        return (CurationProject(name: "p", config: config, store: store), ids, truth, dir)
    }

    @Test func pairsAreOfferedObjectiveAndUncontroversialFirstThenByUncertainty() async throws {
        let (project, ids, _, _) = try await makeProject(6)
        func attributes(_ o: PreferenceAttributes.Objectivity, _ c: PreferenceAttributes.Controversiality) -> PreferenceAttributes {
            PreferenceAttributes(taskCategory: "t", objectivity: o, controversiality: c, desiredAttributes: "d", annotationGuideline: "g")
        }
        _ = try await project.store.apply(CurationBatch(attributes: [
            (ids[0], attributes(.subjective, .high)), (ids[1], attributes(.objective, .high)), (ids[2], attributes(.objective, .low)),
            (ids[3], attributes(.subjective, .low)), (ids[4], attributes(.objective, .low)),
        ], actor: "t"))
        let h = HumanVerification(project: project)
        // ids[2] and ids[4] tie on attributes; the reward model is less sure about ids[4].
        let offered = try await h.enqueue(round: 1, budget: 4, confidence: [ids[2]: 0.9, ids[4]: 0.55])
        #expect(offered == [ids[4], ids[2], ids[1], ids[3]])
        #expect(try await h.openTasks() == 4)
        // Again in the same round: the same pairs, nothing new.
        #expect(try await h.enqueue(round: 1, budget: 4, confidence: [ids[2]: 0.9, ids[4]: 0.55]) == offered)
        #expect(try await h.openTasks() == 4)
    }

    @Test func simulatedAnnotatorsAnswerFromTheTruthWithTheirNoise() async throws {
        let sim = CurationConfig.Simulation(truth: "unused", noise: 0, annotators: ["a", "b"])
        let (project, ids, truth, _) = try await makeProject(30, simulate: sim)
        let h = HumanVerification(project: project)
        _ = try await h.enqueue(round: 1, budget: 30)
        let report = try await h.simulate(sim, truth: truth)
        #expect(report == HumanVerification.SimulationReport(answered: 30, correct: 30, unknown: 0))
        #expect(try await project.store.count(tier: .gold) == 30)
        for (i, id) in ids.enumerated() {
            let p = try #require(try await project.store.pair(id: id))
            #expect(p.verifiedFlipped == (i % 3 == 0), "pair \(i)")
            #expect(p.labels.count == 1 && p.labels[0].labeler.kind == .human && p.labels[0].labeler.id.hasPrefix("sim-"))
        }

        // With noise 0.5 about half the answers are wrong, and the same on a rerun (seeded).
        var noisy = sim
        noisy.noise = 0.5
        var counts: [Int] = []
        for _ in 0..<2 {
            let (p2, _, truth2, _) = try await makeProject(200, simulate: noisy)
            let h2 = HumanVerification(project: p2)
            _ = try await h2.enqueue(round: 1, budget: 200)
            let r = try await h2.simulate(noisy, truth: truth2)
            #expect(r.answered == 200 && r.correct > 60 && r.correct < 140)
            counts.append(r.correct)
        }
        #expect(counts[0] == counts[1])

        // A pair the truth file does not know: its task is given up with the reason.
        let (p3, _, _, _) = try await makeProject(2, simulate: sim)
        let h3 = HumanVerification(project: p3)
        _ = try await h3.enqueue(round: 1, budget: 2)
        #expect(try await h3.simulate(sim, truth: [:]).unknown == 2)
        #expect(try await p3.store.queueCounts(queue: h3.queue).tasks == [.failed: 2])
    }

    @Test func taskFilesGoOutAndAnswersComeBackCheckedAndOnce() async throws {
        let (project, ids, _, dir) = try await makeProject(4)
        let h = HumanVerification(project: project)
        _ = try await h.enqueue(round: 1, budget: 4)
        let files = HumanTaskFiles(verification: h)
        let out = dir.appendingPathComponent("alice.jsonl").path
        #expect(try await files.export(annotator: "alice", limit: 3, lease: 3600, to: out) == 3)
        #expect(try await files.export(annotator: "bob", limit: 5, lease: 3600, to: dir.appendingPathComponent("bob.jsonl").path) == 1)
        let tasks = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(tasks.count == 3)
        // Alice prefers the response that is the stored rejected one ("B…") in her first two
        // tasks and cannot decide the third.
        var answers = ""
        for (k, t) in tasks.enumerated() {
            let id = try #require(t["task_id"]?.intValue)
            let pick = t["response_1"]?.stringValue?.hasPrefix("B") == true ? "response_1" : "response_2"
            answers += "{\"task_id\": \(id), \"annotator\": \"alice\", \"verdict\": \"\(k < 2 ? pick : "cannot_determine")\", \"note\": \"n\(k)\"}\n"
        }
        let bobTask = try JSONParser.parse(String(try String(contentsOfFile: dir.appendingPathComponent("bob.jsonl").path, encoding: .utf8).split(separator: "\n")[0]))
        let bobID = try #require(bobTask["task_id"]?.intValue)
        let answersPath = dir.appendingPathComponent("answers.jsonl").path
        try (answers + "{\"task_id\": \(bobID), \"annotator\": \"alice\", \"verdict\": \"response_1\"}\n").write(toFile: answersPath, atomically: true, encoding: .utf8)
        let report = try await files.importAnswers(path: answersPath)
        #expect(report.recorded == 3)
        #expect(report.refused.count == 1 && report.refused[0].contains("never given to alice (it is bob's)"))
        #expect(try await project.store.count(tier: .gold) == 2)
        #expect(try await project.store.count(tier: .discarded) == 1)
        for id in ids {
            let p = try #require(try await project.store.pair(id: id))
            if p.tier == .gold { #expect(p.verifiedFlipped && p.verified().chosen.content.hasPrefix("B")) }
        }
        // The same file again: every answer is refused, nothing recorded twice.
        let again = try await files.importAnswers(path: answersPath)
        #expect(again.recorded == 0 && again.refused.filter { $0.contains("alice answered it already") }.count == 3)

        // A bad line anywhere: an error naming file, line and field, and nothing recorded.
        let bad = dir.appendingPathComponent("bad.jsonl").path
        try "{\"task_id\": \(bobID), \"annotator\": \"bob\", \"verdict\": \"response_1\"}\n{\"task_id\": 1, \"annotator\": \"bob\", \"verdict\": \"left\"}\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        await #expect { try await files.importAnswers(path: bad) } throws: { "\($0)".contains("bad.jsonl:2") && "\($0)".contains("verdict: \"left\"") }
        #expect(try await project.store.queueCounts(queue: h.queue).tasks[.leased] == 1)
    }
}
