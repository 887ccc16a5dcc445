import Foundation
import SynprefCore
import Testing
@testable import SynprefData

/// Accounts, sessions, annotation project settings, a worker's held tasks and the answers
/// of a queue, on SQLite and PostgreSQL alike.
@Suite struct AnnotationStoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func accountsAreUniqueAndChangeOnlyWhereAsked(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            try await s.addUser(StoredUser(name: "ann.1", role: .annotator, passwordHash: "h1"))
            try await s.addUser(StoredUser(name: "boss", role: .admin, passwordHash: "h2"))
            await #expect(throws: StoreError.self) { try await s.addUser(StoredUser(name: "ann.1", role: .admin, passwordHash: "x")) }
            await #expect(throws: StoreError.self) { try await s.addUser(StoredUser(name: "bad name", role: .admin, passwordHash: "x")) }
            await #expect(throws: StoreError.self) { try await s.addUser(StoredUser(name: "<script>", role: .admin, passwordHash: "x")) }
            #expect(try await s.users().map(\.name) == ["ann.1", "boss"])
            try await s.updateUser(name: "ann.1", role: .reviewer, passwordHash: nil, disabled: nil)
            var u = try #require(try await s.user(name: "ann.1"))
            #expect(u.role == .reviewer && u.passwordHash == "h1" && !u.disabled)
            try await s.updateUser(name: "ann.1", role: nil, passwordHash: "h3", disabled: true)
            u = try #require(try await s.user(name: "ann.1"))
            #expect(u.role == .reviewer && u.passwordHash == "h3" && u.disabled)
            await #expect(throws: StoreError.self) { try await s.updateUser(name: "nobody", role: .admin, passwordHash: nil, disabled: nil) }
            #expect(try await s.user(name: "nobody") == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func sessionsEndWhenTheyExpireOrAreDeleted(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            try await s.addUser(StoredUser(name: "a", role: .annotator, passwordHash: "h"))
            let now = Date()
            try await s.createSession(StoredSession(tokenHash: "live", user: "a", csrf: "c1", createdAt: now, expiresAt: now.addingTimeInterval(3600)))
            try await s.createSession(StoredSession(tokenHash: "old", user: "a", csrf: "c2", createdAt: now.addingTimeInterval(-7200),
                                                    expiresAt: now.addingTimeInterval(-1)))
            try await s.createSession(StoredSession(tokenHash: "other", user: "a", csrf: "c3", createdAt: now, expiresAt: now.addingTimeInterval(3600)))
            #expect(try await s.session(tokenHash: "live")?.csrf == "c1")
            #expect(try await s.session(tokenHash: "old") == nil)
            #expect(try await s.session(tokenHash: "unknown") == nil)
            try await s.deleteSession(tokenHash: "live")
            #expect(try await s.session(tokenHash: "live") == nil)
            #expect(try await s.session(tokenHash: "other") != nil)
            #expect(try await s.deleteSessions(user: "a") >= 1)
            #expect(try await s.session(tokenHash: "other") == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func projectSettingsAreReplacedWhole(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            #expect(try await s.annotationProject(name: "p") == nil)
            try await s.saveAnnotationProject(name: "p", settings: "{\"overlap\":2}")
            try await s.saveAnnotationProject(name: "a", settings: "{}")
            try await s.saveAnnotationProject(name: "p", settings: "{\"overlap\":3}")
            #expect(try await s.annotationProject(name: "p") == "{\"overlap\":3}")
            #expect(try await s.annotationProjectNames() == ["a", "p"])
        }
    }

    @Test(arguments: StoreKind.available)
    func heldTasksAndAnswersArePerWorkerAndQueue(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            let ids = insertedIDs(try await s.insert(prepared([samplePair(1), samplePair(2), samplePair(3)]), importID: "i"))
            let tasks = try await s.enqueue(ids.map { NewTask(pairID: $0, kind: "verify", requiredWorkers: 2, key: "pair:\($0)") }, queue: "p/human-verify")
            _ = try await s.enqueue([NewTask(pairID: ids[0], kind: "review")], queue: "p/human-review")
            let a1 = try #require(try await s.claimNext(queue: "p/human-verify", worker: "ann", lease: 3600))
            let b1 = try #require(try await s.claimNext(queue: "p/human-verify", worker: "bob", lease: 3600))
            #expect(a1.id == tasks[0] && b1.id == tasks[0])
            #expect(try await s.held(queue: "p/human-verify", worker: "ann").map(\.id) == [tasks[0]])
            #expect(try await s.held(queue: "p/human-review", worker: "ann").isEmpty)
            try await s.complete(a1.id, worker: "ann", result: "{\"label\":\"chosen\"}")
            #expect(try await s.held(queue: "p/human-verify", worker: "ann").isEmpty)
            let a2 = try #require(try await s.claimNext(queue: "p/human-verify", worker: "ann", lease: 3600))
            #expect(a2.id == tasks[1])
            try await s.complete(a2.id, worker: "ann", result: "{\"label\":\"rejected\"}")
            try await s.complete(b1.id, worker: "bob", result: "{\"label\":\"chosen\"}")
            let all = try await s.answers(queue: "p/human-verify", worker: nil)
            #expect(all.map(\.worker) == ["ann", "ann", "bob"])
            #expect(all.map(\.taskID) == [tasks[0], tasks[1], tasks[0]])
            #expect(all.map(\.pairID) == [ids[0], ids[1], ids[0]])
            #expect(all[1].result == "{\"label\":\"rejected\"}")
            #expect(try await s.answers(queue: "p/human-verify", worker: "bob").map(\.taskID) == [tasks[0]])
            #expect(try await s.answers(queue: "p/human-review", worker: nil).isEmpty)
            // A live lease is held; one that ran out is not (only checked after it surely ran out).
            let c = try #require(try await s.claimNext(queue: "p/human-verify", worker: "cy", lease: 3600))
            #expect(try await s.held(queue: "p/human-verify", worker: "cy").map(\.id) == [c.id])
            _ = try #require(try await s.claimNext(queue: "p/human-verify", worker: "dee", lease: 0.3))
            try await Task.sleep(nanoseconds: 1_000_000_000)
            #expect(try await s.held(queue: "p/human-verify", worker: "dee").isEmpty)
        }
    }
}

extension AnnotationStoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func openTasksForAWorkerLeaveOutWhatTheyAnsweredOrSkipped(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let s = t.store
            let ids = insertedIDs(try await s.insert(prepared([samplePair(1), samplePair(2), samplePair(3)]), importID: "i"))
            _ = try await s.enqueue(ids.map { NewTask(pairID: $0, requiredWorkers: 2) }, queue: "q")
            #expect(try await s.openTasks(queue: "q", for: "ann") == 3)
            let a = try #require(try await s.claimNext(queue: "q", worker: "ann", lease: 3600))
            #expect(try await s.openTasks(queue: "q", for: "ann") == 3, "the held task counts")
            try await s.complete(a.id, worker: "ann", result: nil)
            #expect(try await s.openTasks(queue: "q", for: "ann") == 2)
            #expect(try await s.openTasks(queue: "q", for: "bob") == 3, "bob can still answer the first")
            let b = try #require(try await s.claimNext(queue: "q", worker: "ann", lease: 3600))
            try await s.release(b.id, worker: "ann", error: "skipped", retry: true)
            #expect(try await s.openTasks(queue: "q", for: "ann") == 1)
        }
    }
}
