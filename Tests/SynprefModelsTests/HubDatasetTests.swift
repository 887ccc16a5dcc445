import Foundation
import Testing
import SynprefCore
import HubTestSupport
@testable import SynprefModels
import SynprefTestSupport

/// Dataset downloads against a local server that serves the Hub's API (`/api/datasets/...`)
/// and `resolve` layouts (Tests/HubTestSupport): the cache layout, split files, offline
/// runs, pinned commits, resume, and every error a user can meet.
@Suite(.computeThreads) struct HubDatasetTests {
    static let commit = "89abcdef0123456789abcdef0123456789abcdef"
    static let card = """
        ---
        license: odc-by
        configs:
        - config_name: default
          data_files:
          - split: raw
            path: data/raw-*
          - split: filtered
            path: data/filtered-*
        ---
        # prefs
        """

    static func bytes(_ seed: Int, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) } }

    static func hub() -> FakeHub {
        FakeHub(datasets: [
            "org/prefs": .init(files: [
                ".gitattributes": Array("*.parquet filter=lfs\n".utf8),
                "README.md": Array(card.utf8),
                "data/raw-00000-of-00001.parquet": bytes(1, 3000),
                "data/filtered-00000-of-00002.parquet": bytes(2, 5000),
                "data/filtered-00001-of-00002.parquet": bytes(3, 700),
            ], commit: commit, branches: ["v1": commit]),
            "org/one-split": .init(files: ["data/test-00000-of-00001.parquet": bytes(4, 100)], commit: commit),
            "org/trainable": .init(files: ["train.jsonl": Array("{}\n".utf8), "test.jsonl": Array("{}\n".utf8)], commit: commit),
            "org/tables": .init(files: ["data/train.csv": Array("a,b\n".utf8)], commit: commit),
            "org/gated": .init(files: ["data/test-00000-of-00001.parquet": bytes(5, 10)], commit: commit, gatedToken: "secret"),
        ])
    }

    struct Setup {
        let server: HubTestServer
        let settings: HubSettings
    }

    func start(_ hub: FakeHub, token: String? = nil, retries: Int = 3) throws -> Setup {
        let server = try HubTestServer { request, server in hub.respond(request, server: server) }
        let settings = HubSettings(
            cacheDirectory: try SafetensorsTestSupport.scratchFolder().appendingPathComponent("hub"),
            endpoint: server.base, token: token, offline: false, requestTimeout: 10, retries: retries)
        return Setup(server: server, settings: settings)
    }

    func failure(_ reference: String, split: String? = nil, _ settings: HubSettings) -> HubError? {
        do {
            _ = try DatasetReference(parsing: reference).resolve(split: split, settings: settings)
            return nil
        } catch {
            return error
        }
    }

    @Test func referencesParse() throws {
        let plain = try DatasetReference(parsing: "hf://datasets/allenai/reward-bench-2")
        #expect(plain.repo.repository == "allenai/reward-bench-2" && plain.repo.revision == "main" && plain.repo.kind == .dataset)
        #expect(plain.repo.cacheFolderName == "datasets--allenai--reward-bench-2")
        #expect(plain.description == "hf://datasets/allenai/reward-bench-2")
        let pinned = try DatasetReference(parsing: "hf://datasets/org/name@\(Self.commit)")
        #expect(pinned.repo.revisionIsCommit && pinned.description.hasSuffix("@\(Self.commit)"))
        #expect(try DatasetReference(parsing: "org/name@v1.0").repo.revision == "v1.0")
        #expect(DatasetReference.isDatasetReference("hf://datasets/a/b") && !DatasetReference.isDatasetReference("data/a.parquet"))
        for bad in ["hf://datasets/", "hf://datasets/a/b/c", "hf://models/a/b", "hf://datasets/org/na me", "hf://datasets/org/x@"] {
            #expect(throws: HubError.self, "\(bad)") { try DatasetReference(parsing: bad) }
            if case .invalidDatasetReference? = failure(bad, HubSettings(cacheDirectory: URL(fileURLWithPath: "/nonexistent"))) {} else {
                Issue.record("\(bad) should be an invalid dataset reference")
            }
        }
    }

    @Test func aSplitIsDownloadedIntoTheHuggingFaceCacheLayout() throws {
        let setup = try start(Self.hub(), token: "tok")
        defer { setup.server.stop() }
        let recorder = HubDownloadTests.Recorder()
        let resolved = try DatasetReference(parsing: "hf://datasets/org/prefs").resolve(
            split: "filtered", settings: setup.settings, progress: recorder)
        #expect(resolved.repository == "org/prefs" && resolved.revision == "main" && resolved.commit == Self.commit)
        #expect(resolved.config == "default" && resolved.split == "filtered" && resolved.availableSplits == ["raw", "filtered"])
        #expect(resolved.files.map(\.path) == ["data/filtered-00000-of-00002.parquet", "data/filtered-00001-of-00002.parquet"])
        let repoFolder = setup.settings.cacheDirectory.appendingPathComponent("datasets--org--prefs")
        #expect(try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8) == Self.commit)
        for (file, seed, count) in [(resolved.files[0], 2, 5000), (resolved.files[1], 3, 700)] {
            let expected = Self.bytes(seed, count)
            #expect(file.url.standardizedFileURL.path == repoFolder.appendingPathComponent("snapshots/\(Self.commit)/\(file.path)").path)
            #expect([UInt8](try Data(contentsOf: file.url)) == expected)
            #expect(file.sha256 == FakeHub.sha256(expected) && file.bytes == count)
            let link = try FileManager.default.destinationOfSymbolicLink(atPath: file.url.path)
            #expect(link == "../../../blobs/\(FakeHub.sha256(expected))")
        }
        // Only what the split needs: the card, not the other split.
        let paths = setup.server.log.map(\.path)
        #expect(paths.first == "/api/datasets/org/prefs/revision/main")
        #expect(!paths.contains { $0.contains("raw-00000") })
        #expect(paths.contains("/datasets/org/prefs/resolve/\(Self.commit)/README.md"))
        // The token went to the endpoint only, never to the CDN.
        #expect(setup.server.log.filter { !$0.path.hasPrefix("/cdn/") }.allSatisfy { $0.headers["authorization"] == "Bearer tok" })
        #expect(setup.server.log.filter { $0.path.hasPrefix("/cdn/") }.allSatisfy { $0.headers["authorization"] == nil })
        let events = recorder.events.filter { $0.task == "download org/prefs/data/filtered-00000-of-00002.parquet" }
        #expect(events.last?.completed == 5000 && events.last?.total == 5000 && events.last?.unit == "B")
        #expect(resolved.json["files"]?.arrayValue?.first?["sha256"]?.stringValue == FakeHub.sha256(Self.bytes(2, 5000)))
    }

    @Test func theDefaultSplitIsTheOnlyOneOrTrain() throws {
        let setup = try start(Self.hub())
        defer { setup.server.stop() }
        #expect(try DatasetReference(parsing: "hf://datasets/org/one-split").resolve(settings: setup.settings).split == "test")
        let trainable = try DatasetReference(parsing: "hf://datasets/org/trainable").resolve(settings: setup.settings)
        #expect(trainable.split == "train" && trainable.files.map(\.path) == ["train.jsonl"] && trainable.config == nil)
        // Non-LFS files are hashed locally.
        #expect(trainable.files[0].sha256 == FakeHub.sha256(Array("{}\n".utf8)))
        let none = failure("hf://datasets/org/prefs", setup.settings)
        #expect(none == .splitNotFound(repository: "org/prefs", revision: "main", split: "", available: ["raw", "filtered"]))
        #expect(none?.description.contains("--split") == true)
        let unknown = failure("hf://datasets/org/prefs", split: "test", setup.settings)
        #expect(unknown == .splitNotFound(repository: "org/prefs", revision: "main", split: "test", available: ["raw", "filtered"]))
        #expect(failure("hf://datasets/org/tables", setup.settings)
                == .unreadableDataFiles(repository: "org/tables", split: "train", files: ["data/train.csv"]))
    }

    @Test func offlineRunsUseTheCacheOnly() throws {
        let setup = try start(Self.hub())
        defer { setup.server.stop() }
        var offline = setup.settings
        offline.offline = true
        // Nothing cached yet.
        guard case .offlineFilesMissing(_, _, _, let missing, let reason)? = failure("hf://datasets/org/prefs", split: "raw", offline) else {
            Issue.record("offline without a cache should fail")
            return
        }
        #expect(missing == ["refs/main (the revision was never downloaded)"] && reason == "HF_HUB_OFFLINE is set")
        let online = try DatasetReference(parsing: "hf://datasets/org/prefs").resolve(split: "filtered", settings: setup.settings)
        let requests = setup.server.log.count
        #expect(try DatasetReference(parsing: "hf://datasets/org/prefs").resolve(split: "filtered", settings: offline) == online)
        #expect(setup.server.log.count == requests)
        // The other split was never downloaded: offline names its file.
        guard case .offlineFilesMissing(_, _, _, let absent, _)? = failure("hf://datasets/org/prefs", split: "raw", offline) else {
            Issue.record("a split never downloaded cannot be used offline")
            return
        }
        #expect(absent == ["data/raw-00000-of-00001.parquet"])
        // A pinned commit whose split is cached needs no request, online either.
        _ = try DatasetReference(parsing: "hf://datasets/org/prefs@\(Self.commit)").resolve(split: "filtered", settings: setup.settings)
        #expect(setup.server.log.count == requests)
        // An unreachable Hub falls back to the cache.
        var unreachable = setup.settings
        unreachable.endpoint = URL(string: "http://127.0.0.1:9")!
        unreachable.retries = 0
        #expect(try DatasetReference(parsing: "hf://datasets/org/prefs").resolve(split: "filtered", settings: unreachable).files == online.files)
    }

    @Test func interruptedTransfersResume() throws {
        var hub = Self.hub()
        hub.interruptFirstTransferAfter = 1000
        let setup = try start(hub)
        defer { setup.server.stop() }
        let resolved = try DatasetReference(parsing: "hf://datasets/org/prefs@v1").resolve(split: "filtered", settings: setup.settings)
        #expect([UInt8](try Data(contentsOf: resolved.files[0].url)) == Self.bytes(2, 5000))
        #expect(resolved.revision == "v1" && resolved.commit == Self.commit)
        let cdn = setup.server.log.filter { $0.path.hasPrefix("/cdn/\(FakeHub.sha256(Self.bytes(2, 5000)))") }
        #expect(cdn.map { $0.headers["range"] } == [nil, "bytes=1000-"])
    }

    @Test func hubErrorsSayWhatToDo() throws {
        let setup = try start(Self.hub())
        defer { setup.server.stop() }
        let endpoint = setup.settings.endpoint.absoluteString
        #expect(failure("hf://datasets/org/missing", setup.settings) == .repositoryNotFound(repository: "org/missing", endpoint: endpoint))
        #expect(failure("hf://datasets/org/prefs@nope", setup.settings) == .revisionNotFound(repository: "org/prefs", revision: "nope"))
        let gated = failure("hf://datasets/org/gated", setup.settings)
        #expect(gated == .accessDenied(repository: "org/gated", status: 401, gated: true, tokenSent: false, endpoint: endpoint))
        var withToken = setup.settings
        withToken.token = "secret"
        #expect(try DatasetReference(parsing: "hf://datasets/org/gated").resolve(settings: withToken).files.count == 1)
    }
}
