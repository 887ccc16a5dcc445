import Foundation
import SynprefCore
import Testing
@testable import SynprefData

@Suite struct ImporterTests {
    /// TRL explicit-prompt lines: good pairs `i`, or a given raw line.
    static func line(_ i: Int) -> String {
        "{\"prompt\": \"Question \(i)?\", \"chosen\": \"Good answer \(i).\", \"rejected\": \"Bad answer \(i).\"}"
    }

    static let mixed = [
        line(1),
        "{\"prompt\": \"Broken\", \"chosen\": \"x\", ",  // line 2: not JSON
        line(2),
        "{\"prompt\": \"Empty\", \"chosen\": \"\", \"rejected\": \"r\"}",  // line 4: empty chosen
        line(3),
    ].joined(separator: "\n")

    @Test(arguments: StoreKind.available)
    func failModeStoresNothingAndNamesEveryProblem(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let file = try temporaryFile("mixed.jsonl", ImporterTests.mixed)
            defer { try? FileManager.default.removeItem(at: file) }
            let importer = PreferenceImporter(store: t.store, options: ImportOptions(onError: .fail))
            do {
                _ = try await importer.run([file.path])
                Issue.record("fail mode must throw")
            } catch ImportError.invalidRecords(let report) {
                #expect(report.issueCount == 2)
                #expect(report.issues.map(\.line) == [2, 4])
                #expect(report.issues.map(\.field) == ["(json)", "chosen.content"])
                #expect(report.issues[0].description.hasPrefix("\(file.path):2: (json): column"))
                #expect(report.totals.records == 5)
                #expect(report.totals.invalidRecords == 2)
                #expect(!report.stored)
            }
            #expect(try await t.store.count(tier: nil) == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func skipModeStoresTheRestAndWritesRejectsWithReasons(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let file = try temporaryFile("mixed.jsonl", ImporterTests.mixed)
            let rejects = FileManager.default.temporaryDirectory.appendingPathComponent("rejects-\(UUID()).jsonl")
            defer {
                try? FileManager.default.removeItem(at: file)
                try? FileManager.default.removeItem(at: rejects)
            }
            let importer = PreferenceImporter(store: t.store, options: ImportOptions(source: "mixed", onError: .skip, rejectsPath: rejects.path))
            let report = try await importer.run([file.path])
            #expect(report.stored)
            #expect(report.sources["mixed"]?.inserted == 3)
            #expect(report.sources["mixed"]?.invalidRecords == 2)
            #expect(try await t.store.count(tier: nil) == 3)
            let lines = try JSONRecordReader(path: rejects.path)
            var rejected: [JSONValue] = []
            while let r = try lines.next() { rejected.append(try r.parse()) }
            #expect(rejected.map { $0["line"] } == [2, 4])
            #expect(rejected[1]["issues"]?.arrayValue?.first?["field"] == "chosen.content")
            #expect(rejected[1]["record"]?.stringValue?.contains("\"Empty\"") == true)
        }
    }

    @Test(arguments: StoreKind.available)
    func duplicatesAreCountedWithinAndAcrossSources(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            let a = try temporaryFile("a.jsonl", [ImporterTests.line(1), ImporterTests.line(2), ImporterTests.line(1)].joined(separator: "\n"))
            let b = try temporaryFile("b.jsonl", [ImporterTests.line(2), ImporterTests.line(3)].joined(separator: "\n"))
            defer { for f in [a, b] { try? FileManager.default.removeItem(at: f) } }
            var r = try await PreferenceImporter(store: t.store, options: ImportOptions(source: "A")).run([a.path])
            #expect(r.sources["A"]?.inserted == 2)
            #expect(r.sources["A"]?.duplicates == 1)
            r = try await PreferenceImporter(store: t.store, options: ImportOptions(source: "B", chunkSize: 1)).run([b.path])
            #expect(r.sources["B"]?.inserted == 1)
            #expect(r.sources["B"]?.crossSourceDuplicates == ["A": 1])
            // Running A again stores nothing new.
            r = try await PreferenceImporter(store: t.store, options: ImportOptions(source: "A")).run([a.path])
            #expect(r.sources["A"]?.inserted == 0)
            #expect(r.sources["A"]?.alreadyStored == 3)
            #expect(try await t.store.count(tier: nil) == 3)
        }
    }

    @Test func theCommitObserverSeesEveryChunkOnceInFileOrder() async throws {
        try await withTestStore(.sqlite) { t in
            let file = try temporaryFile("seven.jsonl", (1...7).map(ImporterTests.line).joined(separator: "\n"))
            defer { try? FileManager.default.removeItem(at: file) }
            let seen = CommittedChunks()
            let options = ImportOptions(source: "seven", chunkSize: 2, onChunkCommitted: { seen.append($0) })
            _ = try await PreferenceImporter(store: t.store, options: options).run([file.path])
            #expect(seen.values == [1, 2, 3, 4])  // 2 + 2 + 2 + 1 pairs
            #expect(try await t.store.count(tier: nil) == 7)
        }
    }

    /// What the commit observer was called with, in order.
    final class CommittedChunks: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [Int] = []

        func append(_ n: Int) { lock.withLock { list.append(n) } }
        var values: [Int] { lock.withLock { list } }
    }

    @Test func dryRunOnlyChecks() async throws {
        let a = try temporaryFile("a.jsonl", [ImporterTests.line(1), ImporterTests.line(1), ImporterTests.line(2)].joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: a) }
        let r = try await PreferenceImporter(store: nil).run([a.path])
        let c = try #require(r.sources.values.first)
        #expect((c.records, c.validRecords, c.pairs, c.inserted) == (3, 3, 3, 0))  // checking stores and hashes nothing
        #expect(!r.stored)
        #expect(PreferenceImporter.defaultSource(for: "/x/harmless-base/test.jsonl.gz") == "harmless-base/test")
    }

    @Test func badBytesAndLimitsAreRecordProblems() async throws {
        var bytes = Array(ImporterTests.line(1).utf8) + [0x0A]
        bytes += Array("{\"prompt\": \"caf".utf8) + [0xC3, 0x28] + Array("\", \"chosen\": \"a\", \"rejected\": \"b\"}\n".utf8)  // invalid UTF-8
        bytes += Array("{\"prompt\": \"nul\\u0000\", \"chosen\": \"a\", \"rejected\": \"b\"}\n".utf8)
        bytes += Array("{\"prompt\": \"big\", \"chosen\": \"\(String(repeating: "x", count: 300))\", \"rejected\": \"b\"}\n".utf8)
        bytes += Array("{\"prompt\": [{\"role\": \"assistant\", \"content\": \"hi\"}], \"chosen\": \"a\", \"rejected\": \"b\"}\n".utf8)
        bytes += Array("{\"prompt\": \"same\", \"chosen\": \"a\", \"rejected\": \"a\"}\n".utf8)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).jsonl")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let options = ImportOptions(format: .trl, onError: .fail, limits: ValidationLimits(maxMessageBytes: 200))
        do {
            let r = try await PreferenceImporter(store: nil, options: options).run([url.path])
            #expect(r.issueCount == 7)
            let byLine = Dictionary(grouping: r.issues, by: \.line).mapValues { $0.map(\.field) }
            #expect(byLine[2] == ["(json)"])
            #expect(r.issues.first { $0.line == 2 }?.reason.contains("invalid UTF-8") == true)
            #expect(byLine[3] == ["context[0].content"])
            #expect(byLine[4] == ["chosen.content"])
            #expect(byLine[5] == ["context[0].role", "context", "context[0].role"])
            #expect(byLine[6] == ["rejected"])
            #expect(byLine[1] == nil)
            #expect(r.totals.pairs == 1)
        }
    }

    @Test func truncatedGzipIsAnErrorNotSilentLoss() async throws {
        let text = (1...5000).map { ImporterTests.line($0) }.joined(separator: "\n")
        let url = try temporaryFile("t.jsonl", text)
        let gz = try ImporterTests.halfGzip(url, keepOriginal: false)
        defer { try? FileManager.default.removeItem(at: gz) }
        await #expect(throws: ImportError.self) { _ = try await PreferenceImporter(store: nil).run([gz.path]) }
    }

    /// Gzips `url` (keeping it when asked) and cuts the .gz file in half: a file that breaks
    /// off mid-stream.
    static func halfGzip(_ url: URL, keepOriginal: Bool) throws -> URL {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", keepOriginal ? "-kf" : "-f", url.path]
        try p.run()
        p.waitUntilExit()
        let gz = URL(fileURLWithPath: url.path + ".gz")
        let whole = try Data(contentsOf: gz)
        try whole.prefix(whole.count / 2).write(to: gz)
        return gz
    }

    /// The reader decodes one window while it reads the next: outcomes still come back in
    /// file order, and when the file breaks off, every window read before the break is
    /// returned before the error is thrown (the partial window is not).
    @Test func pipelinedWindowsKeepOrderAndStopAtABrokenFile() throws {
        let text = (1...5000).map { ImporterTests.line($0) }.joined(separator: "\n")
        let url = try temporaryFile("w.jsonl", text)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try PreferenceFileReader(path: url.path, source: "w", window: 64)
        var lines: [Int] = []
        while let batch = try reader.nextBatch() { lines += batch.map(\.line) }
        #expect(lines == Array(1...5000))

        let gz = try ImporterTests.halfGzip(url, keepOriginal: true)
        defer { try? FileManager.default.removeItem(at: gz) }
        var readable = 0  // records a plain reader gets before the break
        let plain = try JSONRecordReader(path: gz.path)
        do { while try plain.next() != nil { readable += 1 } } catch {}
        let broken = try PreferenceFileReader(path: gz.path, source: "w", window: 64)
        var got: [Int] = []
        #expect(throws: JSONRecordReaderError.self) {
            while let batch = try broken.nextBatch() { got += batch.map(\.line) }
        }
        #expect(readable > 64 && got == Array(1...(readable / 64 * 64)))
    }

    @Test(arguments: StoreKind.available)
    func jsonlExportImportKeepsEverything(kind: StoreKind) async throws {
        try await withTestStore(kind) { t in
            var p = samplePair(1, turns: 2)
            p.margin = -0.5
            p.chosen.reasoningContent = "r"
            p.attributes = PreferenceAttributes(taskCategory: "coding", objectivity: .objective, controversiality: .high, desiredAttributes: "d", annotationGuideline: "g")
            p.tier = .gold
            p.labels = [LabelEntry(pairID: 0, labeler: .human("a"), label: .chosen, confidence: 0.5, rationale: "why", createdAt: Date(timeIntervalSince1970: 1000))]
            _ = try await t.store.insert(prepared([p]), importID: "x")
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID()).jsonl")
            defer { try? FileManager.default.removeItem(at: out) }
            let er = try await PreferenceExporter(format: .jsonl).run(store: t.store, tier: .gold, to: out.path)
            #expect(er.written == 1)
            try await withTestStore(kind) { t2 in
                let r = try await PreferenceImporter(store: t2.store).run([out.path])
                #expect(r.totals.pairs == 1)
                let back = try #require(try await t2.store.pairs(PairQuery()).first)
                let full = try #require(try await t2.store.pair(id: back.id ?? 0))
                #expect(full.contentHash == p.contentHash)
                #expect(full.source == "test")
                #expect(full.tier == .gold)
                #expect(full.margin == -0.5)
                #expect(full.attributes == p.attributes)
                #expect(full.labels.map(\.rationale) == ["why"])
                #expect(full.labels.first?.createdAt == Date(timeIntervalSince1970: 1000))
            }
        }
    }

    @Test func exportToAMissingFolderIsAClearErrorAndWritesNothing() async throws {
        try await withTestStore(.sqlite) { t in
            _ = try await t.store.insert(prepared([samplePair(1, turns: 1)]), importID: "x")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID())")
            let out = folder.appendingPathComponent("out.jsonl").path
            await #expect {
                _ = try await PreferenceExporter(format: .trl).run(store: t.store, tier: .unverified, to: out)
            } throws: { error in
                guard case ExportError.cannotWrite(let path, let reason) = error else { return false }
                return path == out && reason.contains("does the folder exist")
            }
            #expect(!FileManager.default.fileExists(atPath: folder.path))
        }
    }

    @Test func exportFormatsReadBackAndFlip() async throws {
        try await withTestStore(.sqlite) { t in
            let pairs = [samplePair(1), samplePair(2, turns: 2)]
            let ids = try await t.store.insert(prepared(pairs), importID: "x").compactMap { if case .inserted(let id) = $0 { id } else { nil } }
            _ = try await t.store.markContaminated([(ids[1], "rmb")], actor: "t")
            _ = try await t.store.apply(CurationBatch(moves: [TierChange(pairID: ids[0], to: .discarded, reason: "r")], actor: "t"))
            for format in [PreferenceFormat.trl, .openrlhf, .trlConversational, .rewardbench] {
                let out = FileManager.default.temporaryDirectory.appendingPathComponent("e-\(UUID()).jsonl")
                defer { try? FileManager.default.removeItem(at: out) }
                let report = try await PreferenceExporter(format: format, flip: true).run(store: t.store, tier: .discarded, to: out.path)
                #expect(report.written == 1, "\(format)")  // the contaminated pair is never exported
                let reader = try PreferenceFileReader(path: out.path, source: "back", format: format == .trlConversational ? nil : format)
                let back = try #require(try reader.nextBatch()?.first?.pairs.first)
                #expect(back.hash == pairs[0].flipped().contentHash, "\(format)")
            }
            // RewardBench rows hold single-turn prompts only: others are counted, not lost silently.
            _ = try await t.store.insert(prepared([samplePair(3, turns: 2)]), importID: "y")
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("rb-\(UUID()).jsonl")
            defer { try? FileManager.default.removeItem(at: out) }
            let rb = try await PreferenceExporter(format: .rewardbench).run(store: t.store, tier: .unverified, to: out.path)
            #expect(rb.written == 0 && rb.refused == 1)
            #expect(rb.firstRefusal?.contains("one user prompt") == true)
        }
    }
}
