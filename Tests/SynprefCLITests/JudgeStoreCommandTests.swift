import Foundation
import Testing
import SynprefCore
import SynprefTestSupport
import SynprefData
@testable import SynprefCLI

/// `synpref judge --store`: pairs judged through the store's work queue, results in the
/// curation log, answers in the store; on SQLite and on PostgreSQL (when the test command
/// provides one), against Tests/JudgeServer/fault_server.py.
@Suite(.serialized) struct JudgeStoreCommandTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgres
        var testDescription: String { rawValue }

        static var available: [Kind] {
            let pg = !(ProcessInfo.processInfo.environment["SYNPREF_TEST_POSTGRES_URL"] ?? "").isEmpty || SynprefAssets.required
            return pg ? [.sqlite, .postgres] : [.sqlite]
        }

        /// A fresh store URL: a new SQLite file, or a new schema in the test server.
        func freshURL(_ dir: String) throws -> String {
            switch self {
            case .sqlite: return "sqlite:\(dir)/store.db"
            case .postgres:
                let base = ProcessInfo.processInfo.environment["SYNPREF_TEST_POSTGRES_URL"] ?? ""
                try #require(!base.isEmpty, "SYNPREF_TEST_POSTGRES_URL is not set: run the tests through scripts/test.sh")
                let schema = "j_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
                return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
            }
        }
    }

    let commands = JudgeCommandTests()

    /// `n` pairs; even ones have a chosen response marked GOOD (the fault server's judge
    /// prefers it), odd ones a GOOD rejected response; pairs divisible by 3 have GOOD in the
    /// prompt too (the server calls those objective).
    func importPairs(_ n: Int, into url: String) async throws {
        var lines = ""
        for i in 0..<n {
            let prompt = i % 3 == 0 ? "GOOD question \(i): what is \(i) + \(i)?" : "Question \(i): what is \(i) + \(i)?"
            let (c, r) = i % 2 == 0 ? ("GOOD: \(2 * i)", "\(2 * i + 1)") : ("\(2 * i + 1)", "GOOD: \(2 * i)")
            lines += "{\"prompt\": \"\(prompt)\", \"chosen\": \"\(c)\", \"rejected\": \"\(r)\"}\n"
        }
        let input = try commands.temp("pairs.jsonl", lines)
        try await runSynpref(["data", "import", input, "--store", url, "--source", "test"])
    }

    func allPairs(_ store: any PreferenceStore) async throws -> [PreferencePair] {
        var out: [PreferencePair] = []
        for p in try await store.pairs(PairQuery(limit: 10_000)) { out.append(try #require(try await store.pair(id: p.id!))) }
        return out
    }

    @Test(arguments: Kind.available)
    func attributesLabelsAndVerificationGoThroughTheCurationLog(kind: Kind) async throws {
        let server = try FaultServer()
        let dir = (try commands.temp("x") as NSString).deletingLastPathComponent
        let url = try kind.freshURL(dir)
        try await importPairs(12, into: url)
        let one = try commands.temp("one.json", "[{\"name\": \"fa\", \"endpoint\": \"\(server.base)/v1\", \"model\": \"m\", \"structured_output\": \"json_object\"}]")
        let two = try commands.temp("two.json", """
            [{"name": "a", "endpoint": "\(server.base)/v1", "model": "m1", "samples": 3, "structured_output": "json_object"},
             {"name": "b", "endpoint": "\(server.base)/v1", "model": "m2", "samples": 2, "structured_output": "json_object"}]
            """)

        try await runSynpref(["judge", "attributes", "--judges", one, "--store", url])
        let store = try await PreferenceStores.open(url)
        var pairs = try await allPairs(store)
        #expect(pairs.count == 12)
        for p in pairs {
            let a = try #require(p.attributes, "pair \(p.id!) has no attributes")
            #expect(a.desiredAttributes == "accuracy; clarity" && a.annotationGuideline.contains("marked GOOD"))
        }
        #expect(try await store.responseCount() == 12)
        #expect(try await store.queueCounts(queue: "judge-attributes").tasks == [.done: 12])

        try await runSynpref(["judge", "preference", "--judges", two, "--store", url, "--seed", "3"])
        pairs = try await allPairs(store)
        for p in pairs {
            let good: PreferenceLabel = p.chosen.content.contains("GOOD") ? .chosen : .rejected
            #expect(p.labels.map(\.labeler.description) == ["llm_judge:a", "llm_judge:b", "llm_judge:majority(a,b)"])
            #expect(p.labels.allSatisfy { $0.label == good && $0.confidence == 1 })
            #expect(p.labels[0].rationale?.contains("marked GOOD") == true && p.labels[2].rationale == nil)
        }
        let paid = try server.stats()["requests"]?.intValue ?? 0
        #expect(paid == 12 + 12 * 5)

        // Again: every pair has its task; nothing is asked or recorded twice.
        try await runSynpref(["judge", "preference", "--judges", two, "--store", url, "--seed", "3"])
        try await runSynpref(["judge", "attributes", "--judges", one, "--store", url])
        #expect(try server.stats()["requests"]?.intValue == paid)
        #expect(try await allPairs(store).allSatisfy { $0.labels.count == 3 })

        // Verify goes to objective pairs only: make 8 of the 12 subjective first. One sample,
        // one request per response.
        var subjective: [(pairID: Int64, attributes: PreferenceAttributes)] = []
        for p in pairs where !p.context[0].content.contains("GOOD") {
            var a = try #require(p.attributes)
            a.objectivity = .subjective
            subjective.append((p.id!, a))
        }
        #expect(subjective.count == 8)
        _ = try await store.apply(CurationBatch(attributes: subjective, actor: "test"))
        try await runSynpref(["judge", "verify", "--judges", one, "--store", url, "--samples", "1"])
        #expect(try server.stats()["requests"]?.intValue == paid + 8)
        pairs = try await allPairs(store)
        for p in pairs {
            let verified = p.labels.filter { $0.rationale?.hasPrefix("chosen: ") == true }
            if p.attributes?.objectivity == .objective {
                let good: PreferenceLabel = p.chosen.content.contains("GOOD") ? .chosen : .rejected
                #expect(verified.map(\.label) == [good], "pair \(p.id!)")
            } else {
                #expect(verified.isEmpty)
            }
        }
        try await store.close()
    }

    @Test func storeModeFlagsAreCheckedBeforeAnyWork() async throws {
        let judges = try commands.temp("j.json", "[{\"name\": \"a\", \"endpoint\": \"http://127.0.0.1:9/v1\", \"model\": \"m\"}]")
        for (args, says) in [
            (["--store", "sqlite:/tmp/x.db", "--input", "p.jsonl"], "--store replaces --input"),
            (["--store", "sqlite:/tmp/x.db", "--cache", "c.jsonl"], "kept in the store"),
            (["--input", "p.jsonl"], "give --input FILE and --output FILE, or --store"),
            (["--input", "p.jsonl", "--output", "o.jsonl", "--tier", "gold"], "need --store"),
            (["--store", "sqlite:/tmp/x.db", "--lease", "1"], "--lease must be at least 5"),
        ] {
            await #expect {
                try await runSynpref(["judge", "preference", "--judges", judges] + args)
            } throws: { "\($0)".contains(says) }
        }
    }

    /// Two workers share one queue; one is SIGKILLed in the middle. The other finishes every
    /// task (taking the killed worker's once their leases run out), every pair ends with
    /// exactly one label per judge, and no answer is paid for twice beyond those in flight at
    /// the kill (the server counts 200 answers per distinct request).
    @Test(arguments: Kind.available)
    func twoWorkersShareTheQueueAndAKilledOnesTasksAreFinishedOnce(kind: Kind) async throws {
        let server = try FaultServer(delayMilliseconds: 100)
        let dir = (try commands.temp("x") as NSString).deletingLastPathComponent
        let url = try kind.freshURL(dir)
        try await importPairs(40, into: url)
        let judges = try commands.temp("j.json", """
            [{"name": "w", "endpoint": "\(server.base)/v1", "model": "m", "samples": 2, "max_concurrency": 4, "structured_output": "json_object"}]
            """)
        let exe = try ServeCommandTests.executable()
        func start(_ name: String) throws -> Process {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["judge", "preference", "--judges", judges, "--store", url, "--worker", name, "--batch-size", "4", "--lease", "5"]
            p.standardError = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        let a = try start("A"), b = try start("B")
        // Kill A once a quarter of the 80 calls were answered, from a thread of its own.
        let pid = a.processIdentifier, stats = URL(string: server.base + "/stats")!
        let watcher = Thread {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if let d = try? Data(contentsOf: stats), let v = try? JSONParser.parse([UInt8](d)), (v["ok_200"]?.intValue ?? 0) >= 20 {
                    kill(pid, SIGKILL)
                    return
                }
                usleep(5_000)
            }
        }
        watcher.start()
        await a.waitForExit()
        await b.waitForExit()
        #expect(a.terminationReason == .uncaughtSignal)
        #expect(b.terminationStatus == 0)

        let store = try await PreferenceStores.open(url)
        #expect(try await store.queueCounts(queue: "judge-preference").tasks == [.done: 40])
        for p in try await allPairs(store) {
            #expect(p.labels.map(\.labeler.description) == ["llm_judge:w"], "pair \(p.id!)")
            #expect(p.labels.first?.label == (p.chosen.content.contains("GOOD") ? .chosen : .rejected))
        }
        try await store.close()
        let byKey = try #require(try server.stats()["by_key"]?.objectValue)
        #expect(byKey.count == 80)
        let repeated = byKey.values.filter { ($0["ok_200"]?.intValue ?? 0) > 1 }.count
        let sent = byKey.values.reduce(0) { $0 + ($1["requests"]?.intValue ?? 0) }
        print("judge --store, two workers, one killed (\(kind.rawValue)): \(sent) requests for 80 distinct calls, \(repeated) answered twice")
        #expect(repeated <= 4, "\(repeated) answers paid for twice")
    }
}
