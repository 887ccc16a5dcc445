import Foundation
import Testing
@testable import SynprefData

/// The guarantees of `WorkQueue`, checked on SQLite and PostgreSQL alike: LLM-judge
/// workers (batches, short leases, many at once) and human annotators (one task at a time,
/// renewed leases, k distinct people per task).
///
/// No check depends on how fast the machine runs: a lease that must stay held is an hour
/// long, and a test that needs a lease to run out sleeps past it before it looks.
@Suite struct WorkQueueConformanceTests {
    static let longLease: TimeInterval = 3600
    static let shortLease: TimeInterval = 0.5
    static func outliveShortLease() async throws { try await Task.sleep(nanoseconds: 1_000_000_000) }

    @Test(arguments: StoreKind.available)
    func aTaskGoesToOneWorkerAtATimeOldestFirst(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let ids = try await q.enqueue((0..<5).map { NewTask(payload: "job \($0)") }, queue: "label")
            #expect(ids.count == 5 && ids == ids.sorted())
            let a = try await q.claim(queue: "label", worker: "A", limit: 2, lease: Self.longLease)
            let b = try await q.claim(queue: "label", worker: "B", limit: 10, lease: Self.longLease)
            try #require(a.map(\.id) == Array(ids[0..<2]))
            try #require(b.map(\.id) == Array(ids[2..<5]))
            #expect(try await q.claim(queue: "label", worker: "C", limit: 10, lease: Self.longLease).isEmpty)

            let first = a[0]
            #expect(first.queue == "label" && first.payload == "job 0" && first.kind == "" && first.pairID == nil)
            #expect(first.worker == "A" && first.attempts == 1 && first.requiredWorkers == 1 && first.maxAttempts == 5)
            #expect(first.leaseExpiresAt > Date().addingTimeInterval(Self.longLease / 2))
            try await q.complete(first.id, worker: "A", result: "ok")
            #expect(try await q.queueCounts(queue: "label") == QueueCounts(tasks: [.done: 1, .leased: 4], claims: [.done: 1, .leased: 4]))
            #expect(try await q.queueCounts(queue: "other").isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func aTaskNeedingThreeWorkersGoesToThreeDistinctWorkersEachWithTheirOwnResult(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let ids = try await q.enqueue([NewTask(payload: "which is better?", requiredWorkers: 3), NewTask(payload: "single")], queue: "annotate")
            for w in ["A", "B", "C"] {
                let task = try await q.claimNext(queue: "annotate", worker: w, lease: Self.longLease)
                #expect(task?.id == ids[0], "\(w) should get the 3-worker task")
                #expect(task?.requiredWorkers == 3)
            }
            // Three live leases fill the task: the fourth annotator gets the next one.
            #expect(try await q.claimNext(queue: "annotate", worker: "D", lease: Self.longLease)?.id == ids[1])
            #expect(try await q.claimNext(queue: "annotate", worker: "E", lease: Self.longLease) == nil)
            #expect(try await q.queueCounts(queue: "annotate").tasks == [.leased: 2])

            try await q.complete(ids[0], worker: "A", result: "chosen")
            try await q.complete(ids[0], worker: "B", result: "rejected")
            #expect(try await q.queueCounts(queue: "annotate").tasks == [.leased: 2])
            try await q.complete(ids[0], worker: "C", result: "chosen")
            #expect(try await q.queueCounts(queue: "annotate") == QueueCounts(tasks: [.done: 1, .leased: 1], claims: [.done: 3, .leased: 1]))

            let claims = try await q.claims(taskID: ids[0])
            #expect(claims.map(\.worker) == ["A", "B", "C"])
            #expect(claims.map(\.result) == ["chosen", "rejected", "chosen"])
            #expect(claims.map(\.state) == [.done, .done, .done])
            #expect(claims.map(\.attempt) == [1, 2, 3])
            #expect(claims.allSatisfy { $0.finishedAt != nil && $0.error == nil })
        }
    }

    @Test(arguments: StoreKind.available)
    func aWorkerIsNeverOfferedTheSameTaskTwiceEvenAfterReleasingIt(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let id = try #require(try await q.enqueue([NewTask(payload: "p", requiredWorkers: 2)], queue: "q").first)
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease)?.id == id)
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease) == nil, "A already holds it")
            try await q.release(id, worker: "A", error: "skipped", retry: true)
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease) == nil, "A released it: not offered to A again")

            #expect(try await q.claimNext(queue: "q", worker: "B", lease: Self.longLease)?.id == id)
            try await q.complete(id, worker: "B", result: "b")
            #expect(try await q.claimNext(queue: "q", worker: "B", lease: Self.longLease) == nil, "B completed it: not offered to B again")
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease) == nil)

            let c = try #require(try await q.claimNext(queue: "q", worker: "C", lease: Self.longLease))
            #expect(c.id == id && c.attempts == 3)
            try await q.complete(id, worker: "C", result: "c")
            let claims = try await q.claims(taskID: id)
            #expect(claims.map(\.worker) == ["A", "B", "C"])
            #expect(claims.map(\.state) == [.released, .done, .done])
            #expect(claims[0].error == "skipped" && claims[0].result == nil)
            #expect(try await q.queueCounts(queue: "q") == QueueCounts(tasks: [.done: 1], claims: [.released: 1, .done: 2]))
        }
    }

    @Test(arguments: StoreKind.available)
    func anExpiredLeaseFreesTheSlotForAnotherWorkerButNotForItsOwner(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let id = try #require(try await q.enqueue([NewTask(payload: "p")], queue: "q").first)
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.shortLease)?.id == id)

            // A "crashes": its lease runs out and the slot returns to the queue.
            try await Self.outliveShortLease()
            #expect(try await q.queueCounts(queue: "q") == QueueCounts(tasks: [.pending: 1], claims: [.expired: 1]))
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease) == nil, "never twice to the same worker")
            let b = try #require(try await q.claimNext(queue: "q", worker: "B", lease: Self.longLease))
            #expect(b.id == id && b.attempts == 2)

            // A's late result is refused; B's is kept.
            await #expect(throws: StoreError.leaseLost(taskID: id, worker: "A")) { try await q.complete(id, worker: "A", result: "late") }
            await #expect(throws: StoreError.leaseLost(taskID: id, worker: "A")) { try await q.renew(id, worker: "A", lease: Self.longLease) }
            try await q.complete(id, worker: "B", result: "on time")
            let claims = try await q.claims(taskID: id)
            #expect(claims.map(\.state) == [.expired, .done])
            #expect(claims.map(\.result) == [nil, "on time"])
            #expect(try await q.queueCounts(queue: "q") == QueueCounts(tasks: [.done: 1], claims: [.expired: 1, .done: 1]))
        }
    }

    /// A renewal moves the lease's end to `lease` seconds from the renewal, later or
    /// earlier: an annotator's open page keeps its task, and a shortened lease runs out.
    @Test(arguments: StoreKind.available)
    func renewingALeaseKeepsTheTaskUntilTheNewExpiry(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let ids = try await q.enqueue([NewTask(payload: "open page"), NewTask(payload: "other")], queue: "q")
            let a = try #require(try await q.claimNext(queue: "q", worker: "A", lease: 600))
            #expect(a.id == ids[0])
            try await q.renew(ids[0], worker: "A", lease: Self.longLease)
            let renewed = try #require(try await q.claims(taskID: ids[0]).first)
            #expect(renewed.leaseExpiresAt.timeIntervalSince(a.leaseExpiresAt) >= Self.longLease - 600 - 1)
            // A batch renew answers with the tasks the worker still holds.
            #expect(try await q.renew([ids[1], ids[0]], worker: "A", lease: Self.longLease) == [ids[0]])
            #expect(try await q.claimNext(queue: "q", worker: "B", lease: Self.longLease)?.id == ids[1], "A's task is held")

            // Renewed to half a second, A's lease runs out and C takes the task.
            try await q.renew(ids[0], worker: "A", lease: Self.shortLease)
            try await Self.outliveShortLease()
            #expect(try await q.claimNext(queue: "q", worker: "C", lease: Self.longLease)?.id == ids[0])
            await #expect(throws: StoreError.leaseLost(taskID: ids[0], worker: "A")) { try await q.complete(ids[0], worker: "A", result: "late") }
            try await q.complete(ids[0], worker: "C", result: "kept")
            #expect(try await q.claims(taskID: ids[0]).map(\.state) == [.expired, .done])
        }
    }

    @Test(arguments: StoreKind.available)
    func onlyTheWorkerHoldingALeaseCanRenewCompleteOrReleaseIt(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let ids = try await q.enqueue([NewTask(payload: "1"), NewTask(payload: "2")], queue: "q")
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease)?.id == ids[0])
            #expect(try await q.claimNext(queue: "q", worker: "B", lease: Self.longLease)?.id == ids[1])

            let lostByB = StoreError.leaseLost(taskID: ids[0], worker: "B")
            await #expect(throws: lostByB) { try await q.complete(ids[0], worker: "B", result: nil) }
            await #expect(throws: lostByB) { try await q.release(ids[0], worker: "B", error: "x", retry: true) }
            await #expect(throws: lostByB) { try await q.renew(ids[0], worker: "B", lease: Self.longLease) }
            await #expect(throws: StoreError.leaseLost(taskID: 999_999, worker: "A")) { try await q.complete(999_999, worker: "A", result: nil) }

            // A claim ends once: completed or released, it is no longer held.
            try await q.complete(ids[0], worker: "A", result: "ok")
            await #expect(throws: StoreError.leaseLost(taskID: ids[0], worker: "A")) { try await q.complete(ids[0], worker: "A", result: "again") }
            await #expect(throws: StoreError.leaseLost(taskID: ids[0], worker: "A")) { try await q.release(ids[0], worker: "A", error: "x", retry: true) }
            try await q.release(ids[1], worker: "B", error: "gave up", retry: true)
            await #expect(throws: StoreError.leaseLost(taskID: ids[1], worker: "B")) { try await q.complete(ids[1], worker: "B", result: "late") }
            #expect(try await q.claims(taskID: ids[0]).map(\.result) == ["ok"])

            // Claims need a worker's name and a positive lease.
            await #expect(throws: StoreError.self) { _ = try await q.claim(queue: "q", worker: "", limit: 1, lease: Self.longLease) }
            await #expect(throws: StoreError.self) { _ = try await q.claim(queue: "q", worker: "C", limit: 1, lease: 0) }
        }
    }

    @Test(arguments: StoreKind.available)
    func claimsThatEndWithoutAResultAreBoundedByMaxAttempts(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let ids = try await q.enqueue([NewTask(payload: "flaky", maxAttempts: 2), NewTask(payload: "broken")], queue: "q")
            #expect(try await q.claimNext(queue: "q", worker: "A", lease: Self.longLease)?.id == ids[0])
            try await q.release(ids[0], worker: "A", error: "timeout", retry: true)
            #expect(try await q.queueCounts(queue: "q").tasks == [.pending: 2])
            #expect(try await q.claimNext(queue: "q", worker: "B", lease: Self.longLease)?.attempts == 2)
            try await q.release(ids[0], worker: "B", error: "timeout again", retry: true)  // the second failure of 2 allowed

            // Without retry, a task fails at once, whatever attempts it has left.
            #expect(try await q.claimNext(queue: "q", worker: "C", lease: Self.longLease)?.id == ids[1])
            try await q.release(ids[1], worker: "C", error: "payload is not JSON", retry: false)

            #expect(try await q.claimNext(queue: "q", worker: "D", lease: Self.longLease) == nil)
            #expect(try await q.queueCounts(queue: "q") == QueueCounts(tasks: [.failed: 2], claims: [.released: 3]))
            #expect(try await q.claims(taskID: ids[0]).map(\.error) == ["timeout", "timeout again"])
        }
    }

    @Test(arguments: StoreKind.available)
    func claimsCanBeLimitedToSomePairsOrKinds(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let p = insertedIDs(try await t.store.insert(prepared([samplePair(1), samplePair(2), samplePair(3)]), importID: "i"))
            let ids = try await q.enqueue([
                NewTask(pairID: p[0], kind: "label"), NewTask(pairID: p[1], kind: "attributes"),
                NewTask(pairID: p[2], kind: "label"), NewTask(kind: "label"),
            ], queue: "judge")
            let byPair = try await q.claim(queue: "judge", worker: "A", limit: 10, lease: Self.longLease, filter: ClaimFilter(pairIDs: [p[2], p[1]]))
            #expect(byPair.map(\.id) == [ids[1], ids[2]])
            #expect(byPair.compactMap(\.pairID) == [p[1], p[2]])
            let byKind = try await q.claim(queue: "judge", worker: "B", limit: 10, lease: Self.longLease, filter: ClaimFilter(kinds: ["label"]))
            #expect(byKind.map(\.id) == [ids[0], ids[3]])
            #expect(byKind.map(\.kind) == ["label", "label"])
            #expect(try await q.claim(queue: "judge", worker: "C", limit: 10, lease: Self.longLease, filter: ClaimFilter(pairIDs: [])).isEmpty)
            try await q.release(ids[1], worker: "A", error: "", retry: true)
            #expect(try await q.claim(queue: "judge", worker: "C", limit: 10, lease: Self.longLease, filter: ClaimFilter(pairIDs: [p[1]], kinds: ["label"])).isEmpty)
            #expect(try await q.claim(queue: "judge", worker: "C", limit: 10, lease: Self.longLease, filter: ClaimFilter(pairIDs: [p[1]], kinds: ["attributes"])).map(\.id) == [ids[1]])
        }
    }

    /// Eight workers, each with its own connections, claim in batches until the queue is
    /// drained: every task ends with exactly k claims, by k distinct workers, all completed.
    @Test(arguments: StoreKind.available, [1, 3])
    func concurrentWorkersFillEverySlotExactlyOnceWithDistinctWorkers(kind: StoreKind, requiredWorkers k: Int) async throws {
        try await withTestStore(kind) { t in
            let ids = try await t.store.enqueue((0..<200).map { NewTask(payload: "\($0)", requiredWorkers: k) }, queue: "q")
            let url = t.url
            let claimed = try await withThrowingTaskGroup(of: [(task: Int64, worker: String)].self) { group in
                for w in 0..<8 {
                    group.addTask {
                        let worker = "w\(w)"
                        let store = try await PreferenceStores.open(url)
                        var mine: [(task: Int64, worker: String)] = []
                        while true {
                            let got = try await store.claim(queue: "q", worker: worker, limit: 4, lease: Self.longLease)
                            for task in got {
                                mine.append((task.id, worker))
                                try await store.complete(task.id, worker: worker, result: worker)
                            }
                            if got.isEmpty {
                                // Nothing for this worker now; stop once no task needs anyone.
                                if try await store.queueCounts(queue: "q").tasks[.pending] == nil { break }
                                try await Task.sleep(nanoseconds: 5_000_000)
                            }
                        }
                        try await store.close()
                        return mine
                    }
                }
                var all: [(task: Int64, worker: String)] = []
                for try await part in group { all += part }
                return all
            }
            #expect(claimed.count == 200 * k)
            let workersByTask = Dictionary(grouping: claimed, by: { $0.task }).mapValues { $0.map { $0.worker } }
            #expect(Set(workersByTask.keys) == Set(ids))
            #expect(workersByTask.values.allSatisfy { $0.count == k && Set($0).count == k })
            #expect(try await t.store.queueCounts(queue: "q") == QueueCounts(tasks: [.done: 200], claims: [.done: 200 * k]))
            let sample = try await t.store.claims(taskID: ids[17])
            #expect(sample.count == k && sample.map { $0.result ?? "" } == sample.map(\.worker))
        }
    }

    /// A done claim is an answer of record: the database itself refuses to change or delete
    /// it, whoever asks; claims still leased change state as usual.
    @Test(arguments: StoreKind.available)
    func aDoneClaimIsFinalInTheDatabase(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let q = t.store
            let ids = try await q.enqueue([NewTask(payload: "pair 1", requiredWorkers: 2)], queue: "annotate")
            _ = try await q.claimNext(queue: "annotate", worker: "A", lease: Self.longLease)
            _ = try await q.claimNext(queue: "annotate", worker: "B", lease: Self.longLease)
            try await q.complete(ids[0], worker: "A", result: #"{"verdict":"a","shown":"ab"}"#)
            for sql in [
                "UPDATE task_claims SET result = '{\"verdict\":\"b\"}' WHERE worker = 'A'",
                "UPDATE task_claims SET state = 'released' WHERE worker = 'A'",
                "UPDATE task_claims SET worker = 'Z' WHERE worker = 'A'",
                "DELETE FROM task_claims WHERE worker = 'A'",
                "DELETE FROM task_claims",
            ] {
                await #expect(throws: (any Error).self, "\(sql) must be refused") { try await t.execute(rawSQL: sql) }
            }
            // B's claim is still leased: renewing and releasing it are ordinary updates.
            try await q.renew(ids[0], worker: "B", lease: Self.longLease)
            try await q.release(ids[0], worker: "B", error: "skipped", retry: true)
            let claims = try await q.claims(taskID: ids[0])
            #expect(claims.map(\.worker) == ["A", "B"])
            #expect(claims.map(\.state) == [.done, .released])
            #expect(claims.first?.result == #"{"verdict":"a","shown":"ab"}"#)
        }
    }

    /// A store written by the version-1 schema (one lease and one result per task) opens
    /// in place: its leases and results become claims, and its tasks stay claimable.
    @Test(arguments: StoreKind.available)
    func aVersion1StoreMigratesInPlaceAndItsTasksStayClaimable(kind: StoreKind) async throws {
        try await withTestStore(kind, schemaVersion: 1) { t in
            let now = Date().timeIntervalSince1970
            try await t.execute(rawSQL: """
                INSERT INTO tasks (queue, payload, state, attempts, max_attempts, lease_owner, lease_expires_at, result, last_error, created_at, updated_at)
                VALUES ('q', 'waiting', 'pending', 0, 5, NULL, NULL, NULL, NULL, \(now), \(now)),
                       ('q', 'held by A', 'leased', 1, 5, 'A', \(now + 600), NULL, NULL, \(now), \(now)),
                       ('q', 'done by B', 'done', 2, 5, 'B', NULL, 'ok', NULL, \(now), \(now)),
                       ('q', 'given up', 'failed', 5, 5, NULL, NULL, NULL, 'timeout', \(now), \(now)),
                       ('q', 'retried once', 'pending', 1, 5, NULL, NULL, NULL, 'flaky', \(now), \(now))
                """)
            let store = try await PreferenceStores.open(t.url)
            #expect(try await store.queueCounts(queue: "q") == QueueCounts(tasks: [.pending: 2, .leased: 1, .done: 1, .failed: 1],
                                                                            claims: [.leased: 1, .done: 1]))
            let done = try await store.claims(taskID: 3)
            #expect(done.map(\.worker) == ["B"] && done.map(\.state) == [.done] && done.map(\.result) == ["ok"])

            // A still holds its lease; nobody else gets A's or B's task.
            try await store.complete(2, worker: "A", result: "finished after the upgrade")
            let c = try await store.claim(queue: "q", worker: "C", limit: 10, lease: Self.longLease)
            #expect(c.map(\.id) == [1, 5])
            #expect(c.map(\.attempts) == [1, 2])
            #expect(c.map(\.payload) == ["waiting", "retried once"])

            // New tasks behave as in any new store.
            let k = try #require(try await store.enqueue([NewTask(payload: "new", requiredWorkers: 2)], queue: "q").first)
            #expect(k > 5)
            #expect(try await store.claimNext(queue: "q", worker: "A", lease: Self.longLease)?.id == k)
            #expect(try await store.claimNext(queue: "q", worker: "B", lease: Self.longLease)?.id == k)
            #expect(try await store.queueCounts(queue: "q").tasks == [.leased: 3, .done: 2, .failed: 1])
            try await store.close()
        }
    }
}
