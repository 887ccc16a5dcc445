import Foundation
import Testing
import SynprefCore
import SynprefData
@testable import SynprefCuration

/// The step record a resumed run continues from, on a SQLite store.
@Suite struct StepLedgerTests {
    func project() async throws -> CurationProject {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try SQLitePreferenceStore(path: dir.appendingPathComponent("s.db").path)
        let config = CurationConfig(name: "p", embedder: "e/e", rewardModel: .init(base: "b/b"))
        try await store.createProject(name: "p", config: config.json.serialized())
        return CurationProject(name: "p", config: config, store: store)
    }

    struct Boom: Error {}

    @Test func aFinishedStepIsReadBackAndAFailedOneResumesWithItsPlan() async throws {
        let p = try await project()
        let ledger = try await StepLedger(project: p)
        var plans = 0, bodies = 0
        // First attempt: the plan is recorded, then the body fails.
        await #expect(throws: Boom.self) {
            _ = try await ledger.run(round: 1, step: "s", plan: { plans += 1; return ["offered": [1, 2]] }) { _ in
                bodies += 1
                throw Boom()
            }
        }
        let failed = try #require(try await p.store.steps(project: "p").first)
        #expect(failed.state == .failed && failed.details.contains("error"))
        // A new ledger (a new process): the same plan, not a new one.
        let again = try await StepLedger(project: p)
        let details = try await again.run(round: 1, step: "s", plan: { plans += 1; return ["offered": [9]] }) { plan in
            bodies += 1
            #expect(plan["offered"] == [1, 2] && plan["error"] == nil)
            return ["done": true]
        }
        #expect(details["done"] == true && plans == 1 && bodies == 2)
        // Finished: read back, the body does not run.
        let third = try await StepLedger(project: p)
        let read = try await third.run(round: 1, step: "s") { _ in
            bodies += 1
            return [:]
        }
        #expect(read["done"] == true && bodies == 2)
        #expect(third.finished(round: 1, step: "s")?["done"] == true && third.seconds(round: 1, step: "s") != nil)
    }

    @Test func aPendingStepStaysOpenWithItsPlan() async throws {
        let p = try await project()
        let ledger = try await StepLedger(project: p)
        await #expect(throws: StepPending.self) {
            _ = try await ledger.run(round: 2, step: "humans", plan: { ["offered": [5]] }) { _ in throw StepPending("3 tasks open") }
        }
        let r = try #require(try await p.store.steps(project: "p").first)
        #expect(r.state == .running && r.details.contains("3 tasks open") && r.details.contains("offered"))
        let resumed = try await StepLedger(project: p)
        _ = try await resumed.run(round: 2, step: "humans", plan: { ["offered": [6]] }) { plan in
            #expect(plan["offered"] == [5] && plan["waiting"] == nil)
            return ["offered": 1]
        }
        #expect(try await p.store.steps(project: "p").first?.state == .done)
    }
}
