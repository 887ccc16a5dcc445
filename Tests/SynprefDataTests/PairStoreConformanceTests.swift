import Foundation
import Testing
@testable import SynprefData

/// The guarantees of `PairStore`, checked on SQLite and PostgreSQL alike.
@Suite struct PairStoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func insertStoresEachContentOnceAndSaysWhoHasIt(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let a = prepared([samplePair(1), samplePair(2), samplePair(3)])
            let first = try await t.store.insert(a, importID: "run1")
            let ids = insertedIDs(first)
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
    func statsCountAndTakeNearestRankPercentiles(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            // Chosen contents of 1...10 characters: nearest-rank p50 is the 5th smallest
            // (ceil(0.5*10) = 5), p90 the 9th, p99 the 10th (ceil(9.9) = 10), max 10.
            let pairs = (1...10).map { i in
                PreferencePair(context: [Message(role: .user, content: "q\(i)")], chosen: Message(role: .assistant, content: String(repeating: "é", count: i)),
                               rejected: Message(role: .assistant, content: "no"), source: i <= 3 ? "a" : "b")
            }
            let out = try await t.store.insert(prepared(pairs), importID: "i")
            let ids = insertedIDs(out)
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

    @Test(arguments: StoreKind.available)
    func tiersOfManyPairsComeFromOneCall(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let ids = insertedIDs(try await t.store.insert(prepared((0..<5).map { samplePair($0) }), importID: "i"))
            _ = try await t.store.apply(CurationBatch(moves: [
                TierChange(pairID: ids[1], to: .gold, reason: "human", flipped: true),
                TierChange(pairID: ids[2], to: .gold, reason: "human", flipped: false),
                TierChange(pairID: ids[3], to: .discarded, reason: "stage 2"),
            ], actor: "x"))
            let states = try await t.store.tiers(of: ids + [ids[1], 999_999])
            #expect(states.count == 5, "unknown ids are left out, repeated ones answered once")
            #expect(states[ids[0]] == PairTier(tier: .unverified, flipped: false))
            #expect(states[ids[1]] == PairTier(tier: .gold, flipped: true))
            #expect(states[ids[2]] == PairTier(tier: .gold, flipped: false))
            #expect(states[ids[3]] == PairTier(tier: .discarded, flipped: false))
            #expect(try await t.store.tiers(of: []).isEmpty)
            // The same answer as reading each pair.
            for id in ids {
                let pair = try #require(try await t.store.pair(id: id))
                #expect(states[id] == PairTier(tier: pair.tier, flipped: pair.verifiedFlipped))
            }
        }
    }
}
