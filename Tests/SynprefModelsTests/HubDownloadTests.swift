import Foundation
import Testing
import SynprefCore
@testable import SynprefModels
import HubTestSupport
import SynprefTestSupport

/// The Hub downloader against a local server that serves the Hub's `resolve` layout
/// (HubTestServer.swift): cache layout, redirects, tokens, errors, resume, offline mode.
@Suite(.computeThreads) struct HubDownloadTests {
    static let commit = "0123456789abcdef0123456789abcdef01234567"

    /// Collects progress events (thread-safe: reported from the download thread).
    final class Recorder: ProgressObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [ProgressEvent] = []
        func report(_ event: ProgressEvent) {
            lock.lock()
            stored.append(event)
            lock.unlock()
        }
        var events: [ProgressEvent] { lock.lock(); defer { lock.unlock() }; return stored }
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// The files of a fixture checkpoint folder.
    static func files(_ fixture: String) throws -> [String: [UInt8]] {
        let folder = try SafetensorsTestSupport.fixtures().appendingPathComponent(fixture)
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try bytes(folder.appendingPathComponent(name))
        }
        return files
    }

    /// A fake Hub with "org/tiny" (single file + tokenizer), "org/sharded", "org/gated",
    /// "org/nosafetensors", and "old/tiny" renamed to "org/tiny".
    static func hub() throws -> FakeHub {
        var tiny = try files("manifest-llama")
        tiny["tokenizer.json"] = Array(#"{"version":"1.0"}"#.utf8)
        return FakeHub(
            repos: [
                "org/tiny": .init(files: tiny, commit: commit, branches: ["dev": commit]),
                "org/sharded": .init(files: try files("sharded-qwen3"), commit: commit),
                "org/gated": .init(files: tiny, commit: commit, gatedToken: "secret"),
                "org/nosafetensors": .init(files: ["config.json": tiny["config.json"] ?? []], commit: commit),
            ],
            renamed: ["old/tiny": "org/tiny"])
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

    func failure(_ reference: String, _ settings: HubSettings) -> HubError? {
        do {
            _ = try ModelReference.resolve(reference, settings: settings)
            return nil
        } catch {
            return error
        }
    }

    @Test func downloadsIntoTheHuggingFaceCacheLayout() throws {
        let setup = try start(try Self.hub(), token: "tok")
        defer { setup.server.stop() }
        let recorder = Recorder()
        let folder = try ModelReference.resolve("org/tiny", settings: setup.settings, progress: recorder)
        let repoFolder = setup.settings.cacheDirectory.appendingPathComponent("models--org--tiny")
        #expect(folder.standardizedFileURL == repoFolder.appendingPathComponent("snapshots/\(Self.commit)").standardizedFileURL)
        // refs/main → commit; snapshot entries are relative symlinks into blobs/.
        let ref = try String(contentsOf: repoFolder.appendingPathComponent("refs/main"), encoding: .utf8)
        #expect(ref == Self.commit)
        let weights = try Self.files("manifest-llama")["model.safetensors"] ?? []
        let sha = FakeHub.sha256(weights)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("model.safetensors").path)
        #expect(link == "../../blobs/\(sha)")
        #expect(try Self.bytes(repoFolder.appendingPathComponent("blobs/\(sha)")) == weights)
        #expect(try Self.bytes(folder.appendingPathComponent("tokenizer.json")) == Array(#"{"version":"1.0"}"#.utf8))
        // Optional files the repository lacks are remembered, not re-requested.
        #expect(FileManager.default.fileExists(
            atPath: repoFolder.appendingPathComponent(".no_exist/\(Self.commit)/tokenizer_config.json").path))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: repoFolder.appendingPathComponent("blobs").path)
        #expect(!blobs.contains { $0.hasSuffix(".incomplete") })
        // The snapshot is a usable checkpoint folder.
        let config = try ModelConfig.load(from: folder)
        let source = try Checkpoint.open(directory: folder)
        try WeightManifest(config: config, source: source).validate(source: source)
        // The token went to the endpoint's host, never to the CDN host it redirected to.
        let log = setup.server.log
        #expect(log.filter { !$0.path.hasPrefix("/cdn/") }.allSatisfy { $0.headers["authorization"] == "Bearer tok" })
        let cdn = log.filter { $0.path.hasPrefix("/cdn/") }
        #expect(!cdn.isEmpty)
        #expect(cdn.allSatisfy { $0.headers["authorization"] == nil && $0.headers["host"]?.hasPrefix("localhost") == true })
        // Progress for the weights ends at their size.
        let events = recorder.events.filter { $0.task == "download org/tiny/model.safetensors" }
        #expect(events.last?.completed == weights.count && events.last?.total == weights.count && events.last?.unit == "B")
    }

    @Test func aSecondResolveDownloadsNothing() throws {
        let setup = try start(try Self.hub())
        defer { setup.server.stop() }
        _ = try ModelReference.resolve("org/tiny", settings: setup.settings)
        let before = setup.server.log.count
        _ = try ModelReference.resolve("org/tiny", settings: setup.settings)
        let again = setup.server.log.dropFirst(before)
        // Only the branch → commit lookup.
        #expect(again.map { "\($0.method) \($0.path)" } == ["HEAD /org/tiny/resolve/main/config.json"])
        // A pinned commit with a complete snapshot needs no request at all.
        _ = try ModelReference.resolve("org/tiny@\(Self.commit)", settings: setup.settings)
        #expect(setup.server.log.count == before + 1)
    }

    @Test func shardedRepository() throws {
        let setup = try start(try Self.hub())
        defer { setup.server.stop() }
        let folder = try ModelReference.resolve("org/sharded", settings: setup.settings)
        let source = try Checkpoint.open(directory: folder)
        #expect(source is ShardedCheckpoint)
        try WeightManifest(config: try ModelConfig.load(from: folder), source: source).validate(source: source)
    }

    @Test func interruptedTransferIsResumedWithRange() throws {
        var hub = try Self.hub()
        hub.interruptFirstTransferAfter = 100
        let setup = try start(hub)
        defer { setup.server.stop() }
        let folder = try ModelReference.resolve("org/tiny", settings: setup.settings)
        let weights = try Self.files("manifest-llama")["model.safetensors"] ?? []
        #expect(try Self.bytes(folder.appendingPathComponent("model.safetensors")) == weights)
        let ranges = setup.server.log.filter { $0.path.hasPrefix("/cdn/") }.map { $0.headers["range"] }
        #expect(ranges == [nil, "bytes=100-"])
    }

    @Test func partialDownloadIsResumedByTheNextRun() throws {
        var hub = try Self.hub()
        hub.interruptFirstTransferAfter = 100
        let setup = try start(hub, retries: 0)
        defer { setup.server.stop() }
        // No retries: the interrupted run fails and leaves the partial blob behind.
        #expect(failure("org/tiny", setup.settings) != nil)
        let weights = try Self.files("manifest-llama")["model.safetensors"] ?? []
        let partial = setup.settings.cacheDirectory
            .appendingPathComponent("models--org--tiny/blobs/\(FakeHub.sha256(weights)).incomplete")
        #expect(HubHTTPClient.fileSize(partial) == 100)
        let folder = try ModelReference.resolve("org/tiny", settings: setup.settings)
        #expect(try Self.bytes(folder.appendingPathComponent("model.safetensors")) == weights)
        #expect(setup.server.log.filter { $0.path.hasPrefix("/cdn/") }.last?.headers["range"] == "bytes=100-")
    }

    @Test func serverIgnoringRangeRestartsTheFile() throws {
        var hub = try Self.hub()
        hub.interruptFirstTransferAfter = 100
        hub.ignoreRange = true
        let setup = try start(hub)
        defer { setup.server.stop() }
        let folder = try ModelReference.resolve("org/tiny", settings: setup.settings)
        let weights = try Self.files("manifest-llama")["model.safetensors"] ?? []
        #expect(try Self.bytes(folder.appendingPathComponent("model.safetensors")) == weights)
    }

    @Test func corruptedDownloadFailsTheChecksum() throws {
        var hub = try Self.hub()
        hub.corruptCDN = true
        let setup = try start(hub)
        defer { setup.server.stop() }
        guard case .checksumMismatch(let file, _, _)? = failure("org/tiny", setup.settings) else {
            Issue.record("corrupt bytes accepted")
            return
        }
        #expect(file == "org/tiny/model.safetensors")
        // Neither a blob nor a partial file of the bad bytes is kept.
        let sha = FakeHub.sha256(try Self.files("manifest-llama")["model.safetensors"] ?? [])
        let blobs = setup.settings.cacheDirectory.appendingPathComponent("models--org--tiny/blobs")
        let kept = try FileManager.default.contentsOfDirectory(atPath: blobs.path).filter { $0.hasPrefix(sha) }
        #expect(kept == ["\(sha).lock"])
    }

    @Test func gatedRepositoryNeedsAToken() throws {
        var setup = try start(try Self.hub())
        defer { setup.server.stop() }
        let endpoint = setup.settings.endpoint.absoluteString
        let anonymous = failure("org/gated", setup.settings)
        #expect(anonymous == .accessDenied(repository: "org/gated", status: 401, gated: true, tokenSent: false, endpoint: endpoint))
        #expect(anonymous?.description.contains("set HF_TOKEN") == true)
        var withWrongToken = setup.settings
        withWrongToken.token = "wrong"
        #expect(failure("org/gated", withWrongToken) == .accessDenied(
            repository: "org/gated", status: 403, gated: true, tokenSent: true, endpoint: endpoint))
        setup = Setup(server: setup.server, settings: { var s = setup.settings; s.token = "secret"; return s }())
        _ = try ModelReference.resolve("org/gated", settings: setup.settings)
    }

    @Test func notFoundErrors() throws {
        let setup = try start(try Self.hub())
        defer { setup.server.stop() }
        let endpoint = setup.settings.endpoint.absoluteString
        #expect(failure("org/nothing", setup.settings) == .repositoryNotFound(repository: "org/nothing", endpoint: endpoint))
        #expect(failure("org/tiny@v9", setup.settings) == .revisionNotFound(repository: "org/tiny", revision: "v9"))
        #expect(failure("org/nosafetensors", setup.settings) == .noSafetensors(repository: "org/nosafetensors", revision: "main"))
    }

    @Test func renamedRepositoryFollowsTheRelativeRedirect() throws {
        let setup = try start(try Self.hub())
        defer { setup.server.stop() }
        let folder = try ModelReference.resolve("old/tiny", settings: setup.settings)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
    }

    @Test func offlineUsesOnlyTheCache() throws {
        let setup = try start(try Self.hub())
        var offline = setup.settings
        offline.offline = true
        // Nothing cached yet: the error lists what is missing.
        guard case .offlineFilesMissing(let repository, "main", _, let missing, let reason)? = failure("org/tiny", offline) else {
            Issue.record("offline resolve of an empty cache succeeded")
            setup.server.stop()
            return
        }
        #expect(repository == "org/tiny" && reason.contains("HF_HUB_OFFLINE"))
        #expect(missing.first?.hasPrefix("refs/main") == true)
        let online = try ModelReference.resolve("org/tiny", settings: setup.settings)
        setup.server.stop()
        let requests = setup.server.log.count
        #expect(try ModelReference.resolve("org/tiny", settings: offline) == online)
        #expect(setup.server.log.count == requests)
        // An unreachable endpoint falls back to the complete cached snapshot.
        #expect(try ModelReference.resolve("org/tiny", settings: setup.settings) == online)
    }

    @Test func offlineNamesMissingShards() throws {
        let setup = try start(try Self.hub())
        defer { setup.server.stop() }
        let folder = try ModelReference.resolve("org/sharded", settings: setup.settings)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model-00002-of-00008.safetensors"))
        var offline = setup.settings
        offline.offline = true
        guard case .offlineFilesMissing(_, _, _, let missing, _)? = failure("org/sharded", offline) else {
            Issue.record("incomplete snapshot accepted offline")
            return
        }
        #expect(missing == ["model-00002-of-00008.safetensors"])
        // Online, the missing shard is fetched again.
        _ = try ModelReference.resolve("org/sharded", settings: setup.settings)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model-00002-of-00008.safetensors").path))
    }
}
