import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefCuration

/// The annotation app's workflow on a SQLite store: overlap, the order responses are shown
/// in, consensus, review, skips, crash recovery, progress and agreement.
@Suite struct AnnotationDeskTests {
    func makeStore(_ n: Int) async throws -> (SQLitePreferenceStore, [Int64]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLitePreferenceStore(path: dir.appendingPathComponent("s.db").path)
        let pairs = (0..<n).map { i in
            PreferencePair(context: [ChatMessage(role: .user, content: "question \(i)")], chosen: ChatMessage(role: .assistant, content: "chosen \(i)"),
                           rejected: ChatMessage(role: .assistant, content: "rejected \(i)"), source: "t")
        }
        let ids = try await store.insert(pairs.map(PreparedPair.init), importID: "t").map { outcome -> Int64 in
            if case .inserted(let id) = outcome { return id }
            return -1
        }
        return (store, ids)
    }

    /// The verdict (as shown) that says the stored `label` response is better.
    func verdict(_ a: AnnotationDesk.Assignment, prefers label: PreferenceLabel) -> HumanAnswer.Verdict {
        (label == .chosen) == a.chosenShownFirst ? .a : .b
    }

    @Test func twoAgreeingAnswersMakeGoldAndDisagreementGoesToTheReviewer() async throws {
        let (store, ids) = try await makeStore(3)
        try await store.saveAnnotationProject(name: "p", settings: AnnotationSettings(overlap: 2).serialized())
        let desk = AnnotationDesk(store: store, project: "p")
        #expect(try await desk.load(tier: .unverified, limit: 10) == 3)
        #expect(try await desk.load(tier: .unverified, limit: 10) == 0, "pairs already in the queue are not added again")

        // Pair 0: both prefer the stored rejected response → gold, flipped.
        // Pair 1: ann prefers chosen, bob rejected → review. Pair 2: both tie → discarded.
        var answered: [String: [Int64]] = [:]
        for person in ["ann", "bob"] {
            while let a = try await desk.current(annotator: person) {
                let i = ids.firstIndex(of: a.pair.id!)!
                let v: HumanAnswer.Verdict
                switch i {
                case 0: v = verdict(a, prefers: .rejected)
                case 1: v = verdict(a, prefers: person == "ann" ? .chosen : .rejected)
                default: v = .tie
                }
                try await desk.submit(taskID: a.task.id, annotator: person, verdict: v, strength: .clearly, rationale: "because", milliseconds: 1500)
                answered[person, default: []].append(a.pair.id!)
            }
        }
        #expect(answered["ann"]?.sorted() == ids && answered["bob"]?.sorted() == ids, "each pair went to both, once")
        let p0 = try #require(try await store.pair(id: ids[0]))
        #expect(p0.tier == .gold && p0.verifiedFlipped)
        #expect(try await store.pair(id: ids[1])?.tier == .unverified)
        #expect(try await store.pair(id: ids[2])?.tier == .discarded)
        #expect(try await store.labels(pairID: ids[0]).map(\.labeler) == [.human("ann"), .human("bob")])
        #expect(try await store.labels(pairID: ids[0]).map(\.label) == [.rejected, .rejected])

        // The reviewer sees both answers in their own order and decides: the stored chosen is better.
        #expect(try await desk.current(annotator: "rev") == nil)
        let (review, behind) = try #require(try await desk.currentReview(reviewer: "rev"))
        #expect(review.pair.id == ids[1])
        #expect(Set(behind.map(\.worker)) == ["ann", "bob"])
        #expect(Set(behind.map { $0.answer.label }) == [.chosen, .rejected])
        try await desk.submitReview(taskID: review.task.id, reviewer: "rev", verdict: verdict(review, prefers: .chosen))
        let p1 = try #require(try await store.pair(id: ids[1]))
        #expect(p1.tier == .gold && !p1.verifiedFlipped)
        #expect(try await desk.currentReview(reviewer: "rev") == nil)
        #expect(try await store.labels(pairID: ids[1]).last?.labeler == .human("rev"))
        let moves = try await store.tierMoves(pairID: ids[1])
        #expect(moves.count == 1 && moves[0].actor == "human:rev")

        // ann agreed with both final orientations of the pairs she answered that are gold.
        let progress = try await desk.progress(person: "ann")
        #expect(progress.done == 3 && progress.doneToday == 3 && progress.remaining == 0)
        #expect(progress.agreementWithFinal == 1)
        #expect(try await desk.progress(person: "bob").agreementWithFinal == 0.5)
    }

    @Test func theShownOrderIsStablePerPersonAndRecordedWithTheAnswer() async throws {
        let (store, ids) = try await makeStore(40)
        let desk = AnnotationDesk(store: store, project: "p")
        _ = try await desk.load(tier: .unverified, limit: 40)
        var firsts = 0
        for id in ids {
            let p = try #require(try await store.pair(id: id))
            let first = AnnotationDesk.chosenShownFirst(p, annotator: "ann")
            #expect(AnnotationDesk.chosenShownFirst(p, annotator: "ann") == first)
            if first { firsts += 1 }
        }
        #expect(firsts > 8 && firsts < 32, "about half the pairs show the chosen response first (\(firsts) of 40)")
        // A reload gives the pair already held, not a new one.
        let a = try #require(try await desk.current(annotator: "ann"))
        #expect(try await desk.current(annotator: "ann")?.task.id == a.task.id)
        #expect(a.responseA == (a.chosenShownFirst ? a.pair.chosen : a.pair.rejected))
        try await desk.submit(taskID: a.task.id, annotator: "ann", verdict: .a, strength: .slightly, rationale: "r", milliseconds: 900)
        let result = try #require(try await store.claims(taskID: a.task.id).first?.result)
        let answer = try #require(HumanAnswer.parse(result))
        #expect(answer.verdict == .a && answer.chosenShownFirst == a.chosenShownFirst && answer.strength == .slightly)
        #expect(answer.rationale == "r" && answer.milliseconds == 900)
        #expect(answer.label == (a.chosenShownFirst ? .chosen : .rejected))
        #expect(try await store.pair(id: a.pair.id!)?.tier == .gold)
    }

    @Test func aSkippedPairGoesToSomeoneElseAndALateAnswerIsRefused() async throws {
        let (store, _) = try await makeStore(2)
        let desk = AnnotationDesk(store: store, project: "p")
        _ = try await desk.load(tier: .unverified, limit: 2)
        let first = try #require(try await desk.current(annotator: "ann"))
        try await desk.skip(taskID: first.task.id, annotator: "ann")
        #expect(try await desk.current(annotator: "bob")?.task.id == first.task.id)
        // ann's next pair is leased for 0.3 s only; once it surely ran out her answer is
        // refused and nothing is recorded.
        let short = AnnotationDesk(store: store, project: "p", lease: 0.3)
        let second = try #require(try await short.current(annotator: "ann"))
        #expect(second.task.id != first.task.id, "a skipped pair never comes back to the same person")
        try await Task.sleep(nanoseconds: 1_000_000_000)
        await #expect(throws: StoreError.self) { try await desk.submit(taskID: second.task.id, annotator: "ann", verdict: .a) }
        #expect(try await store.labels(pairID: second.pair.id!).isEmpty)
        await #expect(throws: StoreError.self) { try await desk.renew(taskID: second.task.id, annotator: "ann") }
    }

    @Test func cannotDetermineGoesToReviewAndTheReviewerCanDiscard() async throws {
        let (store, ids) = try await makeStore(1)
        let desk = AnnotationDesk(store: store, project: "p")
        _ = try await desk.load(tier: .unverified, limit: 1)
        let a = try #require(try await desk.current(annotator: "ann"))
        try await desk.submit(taskID: a.task.id, annotator: "ann", verdict: .undetermined)
        #expect(try await store.pair(id: ids[0])?.tier == .unverified)
        let (review, behind) = try #require(try await desk.currentReview(reviewer: "rev"))
        #expect(behind.map { $0.answer.label } == [.undetermined])
        await #expect(throws: CurationError.self) { try await desk.submitReview(taskID: review.task.id, reviewer: "rev", verdict: .tie) }
        try await desk.submitReview(taskID: review.task.id, reviewer: "rev", verdict: .undetermined, rationale: "both wrong")
        #expect(try await store.pair(id: ids[0])?.tier == .discarded)
    }

    @Test func reconcileAppliesADecisionACrashLeftUndone() async throws {
        let (store, ids) = try await makeStore(1)
        let desk = AnnotationDesk(store: store, project: "p")
        _ = try await desk.load(tier: .unverified, limit: 1)
        let a = try #require(try await desk.current(annotator: "ann"))
        // The answer committed, then the process died before deciding.
        let answer = HumanAnswer(verdict: verdict(a, prefers: .rejected), chosenShownFirst: a.chosenShownFirst)
        _ = try await store.apply(CurationBatch(labels: [LabelEntry(pairID: ids[0], labeler: .human("ann"), label: answer.label)],
                                                completions: [TaskCompletion(taskID: a.task.id, worker: "ann", result: answer.serialized())], actor: "t"))
        #expect(try await store.pair(id: ids[0])?.tier == .unverified)
        #expect(try await desk.reconcile() == 1)
        let p = try #require(try await store.pair(id: ids[0]))
        #expect(p.tier == .gold && p.verifiedFlipped)
        // Deciding again moves nothing twice.
        try await desk.reconcile()
        #expect(try await store.tierMoves(pairID: ids[0]).count == 1)
    }

    @Test func settingsAreCheckedWithTheFieldNamed() throws {
        #expect(try AnnotationSettings.parse("{\"overlap\":3,\"priority\":\"uncertainty\",\"tiers\":[\"silver\"]}")
            == AnnotationSettings(overlap: 3, priority: .uncertainty, tiers: [.silver]))
        #expect(try AnnotationSettings.parse(AnnotationSettings(guideline: "g\n**x**", overlap: 2).serialized()).guideline == "g\n**x**")
        for (bad, field) in [("{\"overlap\":0}", "overlap"), ("{\"priority\":\"soon\"}", "priority"), ("{\"tiers\":[\"gold\",\"bronze\"]}", "tiers"),
                             ("{\"colour\":1}", "colour"), ("not json", "JSON")] {
            #expect {
                _ = try AnnotationSettings.parse(bad)
            } throws: { error in
                "\(error)".contains(field)
            }
        }
    }

    @Test func consensusRules() {
        #expect(HumanConsensus.decide([.chosen, .chosen]) == .gold(flipped: false))
        #expect(HumanConsensus.decide([.rejected]) == .gold(flipped: true))
        #expect(HumanConsensus.decide([.tie, .tie, .tie]) == .discard(reason: "the annotators judged a tie"))
        if case .review = HumanConsensus.decide([.chosen, .rejected]) {} else { Issue.record("disagreement must go to review") }
        if case .review = HumanConsensus.decide([.chosen, .undetermined]) {} else { Issue.record("cannot determine must go to review") }
        if case .review = HumanConsensus.decide([.chosen, .tie]) {} else { Issue.record("chosen vs tie must go to review") }
    }

    /// The report's κ values on PandaLM's three human labels per pair equal scikit-learn's
    /// and statsmodels' (fixture from scripts/reference/agreement_reference.py).
    @Test func agreementReportMatchesTheReferenceOnPandaLM() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SynprefEvalTests/Fixtures/agreement-pandalm.json")
        let fixture = try JSONParser.parse([UInt8](try Data(contentsOf: url)))
        guard case .array(let rows)? = fixture["labels"], case .array(let cases)? = fixture["cases"],
              let all = cases.first(where: { $0["name"]?.stringValue == "all" }) else {
            Issue.record("fixture shape")
            return
        }
        let map: [String: PreferenceLabel] = ["a": .chosen, "b": .rejected, "tie": .tie]
        var answers: [QueueAnswer] = []
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        for (i, row) in rows.enumerated() {
            guard case .array(let labels) = row else { continue }
            for (r, l) in labels.enumerated() {
                var h = HumanAnswer(verdict: .a, chosenShownFirst: true)
                h.label = map[l.stringValue ?? ""]!
                answers.append(QueueAnswer(taskID: Int64(i + 1), pairID: Int64(i + 1), worker: "r\(r)", claimedAt: t0, finishedAt: t0, result: h.serialized()))
            }
        }
        let report = AgreementReport.compute(answers: answers, final: [:])
        #expect(report.items.count == rows.count)
        #expect(report.fleissRaters == 3 && report.fleissItems == rows.count)
        let fleiss = try #require(all["fleiss_kappa"]?.doubleValue)
        #expect(abs(try #require(report.fleissKappa) - fleiss) < 1e-9)
        #expect(abs(try #require(report.percentAgreement) - all["mean_pairwise_agreement"]!.doubleValue!) < 1e-9)
        guard case .array(let pairs)? = all["pairs"] else { return }
        for p in pairs {
            guard case .array(let raters)? = p["raters"] else { continue }
            let (u, v) = ("r\(raters[0].intValue!)", "r\(raters[1].intValue!)")
            let row = try #require(report.pairwise.first { $0.first == u && $0.second == v })
            #expect(abs(row.kappa - p["cohen_kappa"]!.doubleValue!) < 1e-9, "\(u)-\(v)")
            #expect(abs(row.percent - p["percent_agreement"]!.doubleValue!) < 1e-9)
        }
    }
}

extension AnnotationDeskTests {
    @Test func loadingTakesOnlyPairsMatchingTheFilter() async throws {
        let (store, ids) = try await makeStore(6)
        func attributes(_ category: String, _ o: PreferenceAttributes.Objectivity) -> PreferenceAttributes {
            PreferenceAttributes(taskCategory: category, objectivity: o, controversiality: .low, desiredAttributes: "d", annotationGuideline: "g")
        }
        _ = try await store.apply(CurationBatch(attributes: [(ids[0], attributes("math", .objective)), (ids[1], attributes("math", .subjective)),
                                                             (ids[2], attributes("chat", .objective))], actor: "t"))
        let desk = AnnotationDesk(store: store, project: "p")
        #expect(try await desk.load(tier: .unverified, limit: 10, filter: .init(taskCategory: "math", objectivity: .objective)) == 1)
        #expect(try await desk.load(tier: .unverified, limit: 10, filter: .init(taskCategory: "math")) == 1)
        #expect(try await desk.load(tier: .unverified, limit: 10, filter: .init(source: "elsewhere")) == 0)
        #expect(try await desk.load(tier: .unverified, limit: 2, filter: .init(source: "t")) == 2)
        #expect(try await store.queueCounts(queue: desk.queue).tasks[.pending] == 4)
    }
}
