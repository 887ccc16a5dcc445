import Foundation
import Logging
import Testing
import SynprefCore
import SynprefCuration
@testable import SynprefData
@testable import SynprefServer

/// The annotation app over real HTTP (in-process server, no model): many annotators at once
/// on SQLite and PostgreSQL, sessions, CSRF, roles, the login limit and the JSON API.
@Suite(.serialized) struct AnnotationAppTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }
        static var postgresURL: String? { ProcessInfo.processInfo.environment["SYNPREF_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 } }
        static var available: [Kind] { postgresURL != nil || SynprefAssets.required ? [.sqlite, .postgres] : [.sqlite] }
    }

    /// A fresh store with `pairs` pairs, the app on it, and a way to stop both.
    struct Running {
        let store: any PreferenceStore
        let base: String
        let stop: @Sendable () async throws -> Void
    }

    static func start(_ kind: Kind, pairs: Int) async throws -> Running {
        let url: String
        var schemaToDrop: String?
        switch kind {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synpref-app-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            url = "sqlite:\(dir.path)/app.db"
        case .postgres:
            let base = try #require(Kind.postgresURL, "SYNPREF_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh")
            let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            url = base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
            schemaToDrop = String(schema)
        }
        let store = try await PreferenceStores.open(url)
        let items = (0..<pairs).map { i in
            PreparedPair(PreferencePair(context: [ChatMessage(role: .user, content: "question \(i)")], chosen: ChatMessage(role: .assistant, content: "good \(i)"),
                                        rejected: ChatMessage(role: .assistant, content: "bad \(i)"), source: "t"))
        }
        _ = try await store.insert(items, importID: "t")
        var config = ServerConfiguration(host: "127.0.0.1", port: 0, servedModelName: "none", modelReference: "none")
        config.drainTimeout = 10
        var options = AnnotationApp.Options()
        options.bcryptCost = 4
        var logger = Logger(label: "synpref.annotation.test")
        logger.logLevel = .warning
        let server = ScoringServer(configuration: config, logger: logger, annotation: AnnotationApp(store: store, options: options, logger: logger))
        let ports = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { ports.continuation.yield($0) } }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let drop = schemaToDrop
        return Running(store: store, base: "http://127.0.0.1:\(port)") {
            server.drain()
            try await task.value
            if let drop { try? await (store as? PostgresPreferenceStore)?.execute(rawSQL: "DROP SCHEMA \(drop) CASCADE") }
            try await store.close()
        }
    }

    static func addUser(_ store: any PreferenceStore, _ name: String, _ role: StoredUser.Role, _ password: String = "password-\u{1F511}-1") async throws {
        try await store.addUser(StoredUser(name: name, role: role, passwordHash: Passwords.hash(password, cost: 4)))
    }

    /// 50 annotators claim and answer at once through the JSON API, overlap 3: every pair gets
    /// exactly 3 answers from 3 different people, nobody answers a pair twice, nothing is lost,
    /// and every pair ends gold, discarded or waiting for review.
    @Test(arguments: Kind.available)
    func fiftyAnnotatorsAtOnceRespectOverlapAndLoseNothing(kind: Kind) async throws {
        let pairs = 40, overlap = 3, people = 50
        let app = try await Self.start(kind, pairs: pairs)
        do {
            try await app.store.saveAnnotationProject(name: "p", settings: AnnotationSettings(overlap: overlap).serialized())
            #expect(try await AnnotationDesk(store: app.store, project: "p").load(tier: .unverified, limit: pairs) == pairs)
            for i in 0..<people { try await Self.addUser(app.store, "ann\(i)", .annotator) }
            let answered = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for i in 0..<people {
                    group.addTask {
                        let c = AppClient(base: app.base)
                        let login = try await c.signIn("ann\(i)", "password-\u{1F511}-1")
                        #expect(login.status == 303, "ann\(i) could not sign in: \(login.status)")
                        try await c.loadCSRF(project: "p")
                        var mine: [Int64] = []
                        var rng = KeyedRandom(seed: 7, key: "ann\(i)")
                        while true {
                            let claim = try await c.send("POST", "/app/api/claim", form: ["project": "p"], headers: ["X-CSRF-Token": c.csrf])
                            #expect(claim.status == 200, "\(claim.body)")
                            guard let task = (try JSONParser.parse(claim.body))["task"]?.intValue else { break }
                            let verdict = ["a", "b", "a", "b", "tie", "undetermined"][Int(rng.next() % 6)]
                            let answer = try await c.send("POST", "/app/api/answer", form: ["project": "p", "task": String(task), "verdict": verdict, "ms": "1200"],
                                                          headers: ["X-CSRF-Token": c.csrf])
                            #expect(answer.status == 200, "\(answer.body)")
                            mine.append(Int64(task))
                        }
                        return mine
                    }
                }
                var all: [[Int64]] = []
                for try await m in group { all.append(m) }
                return all
            }
            for mine in answered { #expect(Set(mine).count == mine.count, "someone answered a pair twice") }
            #expect(answered.map { $0.count }.reduce(0, +) == pairs * overlap)
            let desk = AnnotationDesk(store: app.store, project: "p")
            let answers = try await app.store.answers(queue: desk.queue, worker: nil)
            #expect(answers.count == pairs * overlap)
            let byTask = Dictionary(grouping: answers, by: \.taskID)
            #expect(byTask.count == pairs)
            for (_, a) in byTask { #expect(a.count == overlap && Set(a.map(\.worker)).count == overlap) }
            #expect(try await app.store.queueCounts(queue: desk.queue).tasks == [.done: pairs])
            let reviews = try await app.store.queueCounts(queue: desk.reviewQueue).tasks[.pending] ?? 0
            let decided = try await app.store.count(tier: .gold) + app.store.count(tier: .discarded)
            #expect(decided + reviews == pairs, "every pair is decided or waits for review")
            // Every answer is in the label log too, as human:<name>.
            var labels = 0
            for id in Set(answers.compactMap(\.pairID)) {
                labels += try await app.store.labels(pairID: id).filter { $0.labeler.kind == .human }.count
            }
            #expect(labels == pairs * overlap)
        } catch {
            try? await app.stop()
            throw error
        }
        try await app.stop()
    }

    @Test func sessionsCSRFRolesAndTheLoginLimitAreEnforcedServerSide() async throws {
        let app = try await Self.start(.sqlite, pairs: 2)
        do {
            try await Self.addUser(app.store, "boss", .admin)
            try await Self.addUser(app.store, "ann", .annotator)
            try await app.store.saveAnnotationProject(name: "p", settings: AnnotationSettings().serialized())
            let anonymous = AppClient(base: app.base)
            #expect(try await anonymous.send("GET", "/app/admin").status == 303)
            #expect(try await anonymous.send("POST", "/app/api/claim", form: ["project": "p"]).status == 401)

            let ann = AppClient(base: app.base)
            let login = try await ann.signIn("ann", "password-\u{1F511}-1")
            #expect(login.status == 303 && login.headers["location"] == "/app/annotate")
            let setCookie = login.headers["set-cookie"] ?? ""
            #expect(setCookie.contains("synpref_session=") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            #expect(try await ann.send("GET", "/app/admin").status == 403)
            #expect(try await ann.send("GET", "/app/review?project=p").status == 403)
            #expect(try await ann.send("GET", "/app/admin/projects/p/answers.jsonl").status == 403)
            try await ann.loadCSRF(project: "p")
            #expect(!ann.csrf.isEmpty)
            // A POST without the token, or with another, is refused and changes nothing.
            #expect(try await ann.send("POST", "/app/api/claim", form: ["project": "p"]).status == 403)
            #expect(try await ann.send("POST", "/app/api/claim", form: ["project": "p", "csrf": String(repeating: "0", count: 64)]).status == 403)
            #expect(try await app.store.held(queue: "p/human-verify", worker: "ann").isEmpty)
            let page = try await ann.send("GET", "/app/annotate?project=p")
            #expect(page.status == 200 && page.body.contains("id=\"queue-empty\""))
            #expect(page.headers["content-security-policy"]?.contains("script-src 'self'") == true)
            // An admin loads the pairs; the annotator's page then shows one.
            let boss = AppClient(base: app.base)
            try await boss.signIn("boss", "password-\u{1F511}-1")
            try await boss.loadCSRF(project: "p")
            let load = try await boss.send("POST", "/app/admin/projects/p/load", form: ["csrf": boss.csrf, "tier": "unverified", "limit": "2"])
            #expect(load.status == 303 && load.headers["location"] == "/app/admin/projects/p?loaded=2")
            #expect(try await ann.send("GET", "/app/annotate?project=p").body.contains("data-task-id="))
            // Logout ends the session on the server, not only in the browser.
            let session = try #require(ann.cookie("synpref_session"))
            #expect(try await ann.send("POST", "/app/logout", form: ["csrf": ann.csrf]).status == 303)
            let stale = AppClient(base: app.base)
            _ = stale
            #expect(try await app.store.session(tokenHash: Passwords.tokenHash(session)) == nil)
            #expect(try await app.store.held(queue: "p/human-verify", worker: "ann").isEmpty, "logout gives the held pair back")

            // Ten wrong passwords, then even the right one waits.
            let guesser = AppClient(base: app.base)
            for _ in 0..<10 { #expect(try await guesser.signIn("boss", "wrong-password").status == 401) }
            let locked = try await guesser.signIn("boss", "password-\u{1F511}-1")
            #expect(locked.status == 429 && locked.headers["retry-after"] != nil)
        } catch {
            try? await app.stop()
            throw error
        }
        try await app.stop()
    }
}
