import Foundation
import Testing
@testable import SynprefData

/// The guarantees of `PreferenceStore`, checked on SQLite and PostgreSQL alike.
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func insertStoresEachContentOnceAndSaysWhoHasIt(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let a = prepared([samplePair(1), samplePair(2), samplePair(3)])
            let first = try await t.store.insert(a, importID: "run1")
            let ids = first.compactMap { if case .inserted(let id) = $0 { id } else { nil } }
            #expect(ids.count == 3)
            // Again: pair 2 (stored by run1), pair 4 (new), pair 4 again in the same call,
            // and pair 1's content under another source.
            var other = samplePair(1)
            other.source = "other"
            let second = try await t.store.insert(prepared([samplePair(2), samplePair(4), samplePair(4), other]), importID: "run2")
            #expect(second[0] == .existing(id: ids[1], source: "test", importID: "run1"))
            guard case .inserted(let id4) = second[1] else { Issue.record("pair 4 should be new: \(second[1])"); return }
            #expect(second[2] == .existing(id: id4, source: "test", importID: "run2"))
            #expect(second[3] == .existing(id: ids[0], source: "test", importID: "run1"))
            #expect(try await t.store.count(tier: nil) == 4)
            #expect(try await t.store.pairIDs(for: [samplePair(3).contentHash, samplePair(9).contentHash]) == [samplePair(3).contentHash: ids[2]])
        }
    }

    @Test(arguments: StoreKind.available)
    func pairsRoundTripWithEverythingTheyCarry(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            var p = samplePair(7, turns: 3)
            p.context.insert(Message(role: .system, content: "Be brief. \"Quotes\", \\backslashes\\, tabs\t, é, 中文, 😀"), at: 0)
            p.chosen.reasoningContent = "Think: 7 + 2 = 9."
            p.margin = 0.75
            p.tier = .gold
            p.attributes = PreferenceAttributes(taskCategory: "math", objectivity: .objective, controversiality: .low,
                                                desiredAttributes: "correct", annotationGuideline: "check the sum")
            p.labels = [LabelEntry(pairID: 0, labeler: .human("ann-1"), label: .chosen, confidence: 0.9, rationale: "right sum",
                                   createdAt: Date(timeIntervalSince1970: 1_700_000_000))]
            let out = try await t.store.insert(prepared([p]), importID: "imp")
            guard case .inserted(let id) = out[0] else { Issue.record("not inserted"); return }
            let back = try #require(try await t.store.pair(id: id))
            #expect(back.context == p.context)
            #expect(back.chosen == p.chosen)
            #expect(back.rejected == p.rejected)
            #expect(back.margin == 0.75)
            #expect(back.tier == .gold)
            #expect(back.attributes == p.attributes)
            #expect(back.labels.count == 1)
            #expect(back.labels.first?.labeler == .human("ann-1"))
            #expect(back.labels.first?.confidence == 0.9)
            #expect(back.labels.first?.createdAt == Date(timeIntervalSince1970: 1_700_000_000))
            #expect(back.contentHash == p.contentHash)
            // The import of a gold pair is itself a logged tier move.
            let moves = try await t.store.tierMoves(pairID: id)
            #expect(moves.map { "\($0.from.rawValue)>\($0.to.rawValue)" } == ["unverified>gold"])
            #expect(try await t.store.pair(id: id + 1000) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func pagesByTierAndSourceInIDOrder(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let pairs = (0..<25).map { samplePair($0, source: $0 % 2 == 0 ? "even" : "odd") }
            _ = try await t.store.insert(prepared(pairs), importID: "i")
            var seen: [Int64] = []
            var after: Int64 = 0
            while true {
                let page = try await t.store.pairs(PairQuery(tier: .unverified, source: "even", afterID: after, limit: 4))
                guard let last = page.last?.id else { break }
                #expect(page.allSatisfy { $0.source == "even" })
                seen += page.compactMap(\.id)
                after = last
            }
            #expect(seen.count == 13)  // 0, 2, ..., 24
            #expect(seen == seen.sorted())
            #expect(try await t.store.pairs(PairQuery(tier: .gold)).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func curationBatchesAreAtomicAndLogged(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let out = try await t.store.insert(prepared([samplePair(1), samplePair(2)]), importID: "i")
            let ids = out.compactMap { if case .inserted(let id) = $0 { id } else { nil } }
            let attrs = PreferenceAttributes(taskCategory: "advice", objectivity: .subjective, controversiality: .medium,
                                             desiredAttributes: "kind", annotationGuideline: "prefer empathy")
            let ok = try await t.store.apply(CurationBatch(
                labels: [LabelEntry(pairID: ids[0], labeler: .llmJudge("judge-a"), label: .chosen, confidence: 0.8, rationale: "better"),
                         LabelEntry(pairID: ids[0], labeler: .rewardModel("rm@abc"), label: .rejected, confidence: 0.3)],
                attributes: [(ids[0], attrs)],
                moves: [TierChange(pairID: ids[0], to: .silver, expectedFrom: .unverified, reason: "llm verified"),
                        TierChange(pairID: ids[0], to: .gold, reason: "human verified"),
                        TierChange(pairID: ids[1], to: .unverified, reason: "no-op")],
                actor: "pipeline"))
            #expect(ok.labelIDs.count == 2)
            #expect(ok.moved == 2)  // the no-op move is not logged
            #expect(try await t.store.pair(id: ids[0])?.tier == .gold)
            #expect(try await t.store.pair(id: ids[0])?.attributes == attrs)
            let moves = try await t.store.tierMoves(pairID: ids[0])
            #expect(moves.map(\.to) == [.silver, .gold])
            #expect(moves.map(\.actor) == ["pipeline", "pipeline"])
            #expect(try await t.store.tierMoves(pairID: ids[1]).isEmpty)

            // A failed expectation rolls back the whole batch, labels included.
            await #expect(throws: StoreError.tierConflict(pairID: ids[1], expected: .silver, actual: .unverified)) {
                _ = try await t.store.apply(CurationBatch(
                    labels: [LabelEntry(pairID: ids[1], labeler: .human("h"), label: .tie)],
                    moves: [TierChange(pairID: ids[1], to: .gold, expectedFrom: .silver, reason: "x")], actor: "a"))
            }
            #expect(try await t.store.labels(pairID: ids[1]).isEmpty)
            await #expect(throws: StoreError.unknownPair(999_999)) {
                _ = try await t.store.apply(CurationBatch(labels: [LabelEntry(pairID: 999_999, labeler: .human("h"), label: .tie)], actor: "a"))
            }
            await #expect(throws: StoreError.self) {
                _ = try await t.store.apply(CurationBatch(labels: [LabelEntry(pairID: ids[1], labeler: .human("h"), label: .tie, confidence: 1.5)], actor: "a"))
            }
            let labels = try await t.store.labels(pairID: ids[0])
            #expect(labels.map(\.labeler) == [.llmJudge("judge-a"), .rewardModel("rm@abc")])
            #expect(labels.map(\.label) == [.chosen, .rejected])
            #expect(labels[1].rationale == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func labelAndTierLogsRefuseUpdatesAndDeletes(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let out = try await t.store.insert(prepared([samplePair(1)]), importID: "i")
            guard case .inserted(let id) = out[0] else {
                Issue.record("expected a new pair, got \(out[0])")
                return
            }
            _ = try await t.store.apply(CurationBatch(labels: [LabelEntry(pairID: id, labeler: .human("a"), label: .chosen)],
                                                      moves: [TierChange(pairID: id, to: .gold, reason: "r")], actor: "x"))
            for sql in ["UPDATE labels SET label = 'rejected'", "DELETE FROM labels", "UPDATE tier_moves SET reason = 'y'", "DELETE FROM tier_moves"] {
                await #expect(throws: (any Error).self, "\(sql) must be refused") { try await t.execute(rawSQL: sql) }
            }
            #expect(try await t.store.labels(pairID: id).map(\.label) == [.chosen])
            #expect(try await t.store.tierMoves(pairID: id).count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func leasesAreExclusiveAndExpiredOnesReturn(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let ids = try await t.store.enqueue((0..<5).map { NewTask(payload: "job \($0)", maxAttempts: 2) }, queue: "label")
            #expect(ids.count == 5)
            let a = try await t.store.claim(queue: "label", worker: "A", limit: 2, lease: 60)
            let b = try await t.store.claim(queue: "label", worker: "B", limit: 10, lease: 3)
            try #require(a.map(\.id) == Array(ids[0..<2]))
            try #require(b.map(\.id) == Array(ids[2..<5]))
            #expect(try await t.store.claim(queue: "label", worker: "C", limit: 10, lease: 60).isEmpty)
            #expect(a[0].payload == "job 0" && a[0].attempts == 1 && a[0].leaseOwner == "A")

            try await t.store.complete(a[0].id, worker: "A", result: "ok")
            await #expect(throws: StoreError.leaseLost(taskID: a[1].id, worker: "B")) {
                try await t.store.complete(a[1].id, worker: "B", result: nil)
            }
            #expect(try await t.store.renew([a[1].id, b[0].id], worker: "A", lease: 60) == [a[1].id])

            // B "crashes": its 3 s leases expire and its tasks return to the queue. (The
            // lease is long enough that a loaded machine cannot expire it before the
            // exclusivity checks above run.)
            try await Task.sleep(nanoseconds: 3_500_000_000)
            let c = try await t.store.claim(queue: "label", worker: "C", limit: 10, lease: 60)
            try #require(c.map(\.id) == Array(ids[2..<5]))
            #expect(c.allSatisfy { $0.attempts == 2 })
            await #expect(throws: StoreError.leaseLost(taskID: b[0].id, worker: "B")) {
                try await t.store.complete(b[0].id, worker: "B", result: "late")
            }
            // A release with retry on the last allowed attempt fails the task for good.
            try await t.store.release(c[0].id, worker: "C", error: "timeout", retry: true)
            try await t.store.release(a[1].id, worker: "A", error: "flaky", retry: true)
            let counts = try await t.store.queueCounts(queue: "label")
            #expect(counts[.done] == 1)
            #expect(counts[.failed] == 1)
            #expect(counts[.pending] == 1)
            #expect(counts[.leased] == 2)
            #expect(try await t.store.queueCounts(queue: "other").isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentWorkersNeverShareATask(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let ids = try await t.store.enqueue((0..<120).map { NewTask(payload: "\($0)") }, queue: "q")
            // Four workers, each with its own connection(s) to the same store.
            let url = t.url
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for w in 0..<4 {
                    group.addTask {
                        let store = try await PreferenceStores.open(url)
                        var mine: [Int64] = []
                        while true {
                            let got = try await store.claim(queue: "q", worker: "w\(w)", limit: 3, lease: 60)
                            if got.isEmpty { break }
                            for task in got {
                                mine.append(task.id)
                                try await store.complete(task.id, worker: "w\(w)", result: nil)
                            }
                        }
                        try await store.close()
                        return mine
                    }
                }
                var all: [Int64] = []
                for try await part in group { all += part }
                return all
            }
            #expect(claimed.count == 120)
            #expect(Set(claimed) == Set(ids))
            #expect(try await t.store.queueCounts(queue: "q") == [.done: 120])
        }
    }

    @Test(arguments: StoreKind.available)
    func contaminatedPairsAreDiscardedLoggedAndHidden(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let out = try await t.store.insert(prepared([samplePair(1), samplePair(2)]), importID: "i")
            let ids = out.compactMap { if case .inserted(let id) = $0 { id } else { nil } }
            #expect(try await t.store.markContaminated([(ids[0], "rmb"), (ids[0], "judgebench")], actor: "d") == 1)
            #expect(try await t.store.markContaminated([(ids[0], "rmb")], actor: "d") == 0)
            #expect(try await t.store.pairs(PairQuery()).compactMap(\.id) == [ids[1]])
            #expect(try await t.store.pairs(PairQuery(includeContaminated: true)).count == 2)
            #expect(try await t.store.pair(id: ids[0])?.tier == .discarded)
            #expect(try await t.store.tierMoves(pairID: ids[0]).map(\.reason) == ["contaminated: rmb"])
            #expect(try await t.store.stats().contaminated == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func statsCountAndTakeNearestRankPercentiles(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            // Chosen contents of 1...10 characters: nearest-rank p50 is the 5th smallest
            // (ceil(0.5*10) = 5), p90 the 9th, p99 the 10th (ceil(9.9) = 10), max 10.
            let pairs = (1...10).map { i in
                PreferencePair(context: [Message(role: .user, content: "q\(i)")], chosen: Message(role: .assistant, content: String(repeating: "é", count: i)),
                               rejected: Message(role: .assistant, content: "no"), source: i <= 3 ? "a" : "b")
            }
            let out = try await t.store.insert(prepared(pairs), importID: "i")
            let ids = out.compactMap { if case .inserted(let id) = $0 { id } else { nil } }
            _ = try await t.store.apply(CurationBatch(
                attributes: [(ids[0], PreferenceAttributes(taskCategory: "math", objectivity: .objective, controversiality: .low, desiredAttributes: "", annotationGuideline: ""))],
                moves: [TierChange(pairID: ids[1], to: .silver, reason: "r")], actor: "x"))
            let s = try await t.store.stats()
            #expect(s.total == 10)
            #expect(s.bySource == ["a": 3, "b": 7])
            #expect(s.byTier == ["unverified": 9, "silver": 1])
            #expect(s.byTaskCategory == ["math": 1, "(none)": 9])
            #expect(s.byObjectivity == ["objective": 1, "(none)": 9])
            #expect(s.byControversiality == ["low": 1, "(none)": 9])
            #expect(s.lengthPercentiles["chosen"]?.map(\.value) == [5, 9, 10, 10])
            #expect(s.lengthPercentiles["rejected"]?.map(\.value) == [2, 2, 2, 2])
        }
    }

    @Test func storeURLsAreCheckedWithAHelpfulMessage() async {
        await #expect(throws: StoreError.self) { _ = try await PreferenceStores.open("mysql://x") }
        await #expect(throws: StoreError.self) { _ = try await PreferenceStores.open("sqlite:") }
        await #expect(throws: StoreError.self) { _ = try await PreferenceStores.open("postgres://h/db?schema=Bad-Name") }
        let e = StoreError.badURL("mysql://x", reason: "unknown scheme")
        #expect(e.description.contains("sqlite:PATH"))
    }
}
