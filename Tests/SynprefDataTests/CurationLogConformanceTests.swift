import Foundation
import Testing
@testable import SynprefData

/// The guarantees of `CurationLog`, checked on SQLite and PostgreSQL alike.
@Suite struct CurationLogConformanceTests {
    @Test(arguments: StoreKind.available)
    func curationBatchesAreAtomicAndLogged(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let out = try await t.store.insert(prepared([samplePair(1), samplePair(2)]), importID: "i")
            let ids = insertedIDs(out)
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
    func contaminatedPairsAreDiscardedLoggedAndHidden(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let out = try await t.store.insert(prepared([samplePair(1), samplePair(2)]), importID: "i")
            let ids = insertedIDs(out)
            #expect(try await t.store.markContaminated([(ids[0], "rmb"), (ids[0], "judgebench")], actor: "d") == 1)
            #expect(try await t.store.markContaminated([(ids[0], "rmb")], actor: "d") == 0)
            #expect(try await t.store.pairs(PairQuery()).compactMap(\.id) == [ids[1]])
            #expect(try await t.store.pairs(PairQuery(includeContaminated: true)).count == 2)
            #expect(try await t.store.pair(id: ids[0])?.tier == .discarded)
            #expect(try await t.store.tierMoves(pairID: ids[0]).map(\.reason) == ["contaminated: rmb"])
            #expect(try await t.store.stats().contaminated == 1)
        }
    }
}
