import Foundation
import SynprefCore

/// Turns a `--model` argument into a local checkpoint folder: an existing folder (with
/// config.json) as is, or a Hugging Face repo id `org/name[@revision]` through the shared
/// Hugging Face cache, downloading what is missing.
public enum ModelReference {
    /// Files fetched besides the weights when the repository has them.
    public static let optionalFiles = [
        "tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json",
    ]

    /// The folder holding the model `reference` names (a snapshot folder for repo ids).
    /// Blocks while downloading; progress goes to `progress` (task "download org/name/file",
    /// unit "B"). With `settings.offline` nothing touches the network and missing files are
    /// an error listing them; when the Hub is unreachable a complete cached snapshot is used.
    public static func resolve(
        _ reference: String, settings: HubSettings = .fromEnvironment(),
        progress: any ProgressObserver = SilentProgress()
    ) throws(HubError) -> URL {
        if let folder = try localFolder(reference) { return folder }
        let repo = try HubRepoID(parsing: reference)
        return try HubSnapshotResolver(settings: settings, repo: repo, progress: progress).resolve()
    }

    /// The folder a path-like or existing reference names, or nil for a repo id.
    static func localFolder(_ reference: String) throws(HubError) -> URL? {
        let expanded = (reference as NSString).expandingTildeInPath
        let url = URL(fileURLWithPath: expanded, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let pathLike = reference.hasPrefix("/") || reference.hasPrefix("./") || reference.hasPrefix("../")
            || reference.hasPrefix("~") || reference == "." || reference == ".."
        guard exists else {
            if pathLike { throw .localFolderNotFound(path: url.path) }
            return nil
        }
        guard isDirectory.boolValue else {
            throw .notAModelFolder(path: url.path, missing: ["config.json (this is a file, not a folder)"])
        }
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
            throw .notAModelFolder(path: url.path, missing: ["config.json"])
        }
        return url
    }
}

/// Resolves one model repository revision to a complete snapshot folder in the cache:
/// config.json, the safetensors weights (one file or an index and its shards) and the
/// tokenizer files the repository has.
struct HubSnapshotResolver {
    let fetcher: HubRepoFetcher
    var settings: HubSettings { fetcher.settings }
    var repo: HubRepoID { fetcher.repo }
    var cache: HubCache { fetcher.cache }

    init(settings: HubSettings, repo: HubRepoID, progress: any ProgressObserver) {
        fetcher = HubRepoFetcher(settings: settings, repo: repo, progress: progress)
    }

    func resolve() throws(HubError) -> URL {
        if settings.offline {
            return try cachedSnapshot(reason: "HF_HUB_OFFLINE is set")
        }
        // A commit never moves: a complete snapshot of it needs no network.
        if repo.revisionIsCommit, case .complete(let folder) = offlineState() { return folder }
        let configMeta: HubHTTPResponse
        do throws(HubError) {
            configMeta = try fetcher.http.head(fetcher.resolveURL(revision: repo.revision, file: "config.json"))
        } catch {
            if case .network(_, let reason) = error {
                // Like huggingface_hub: an unreachable Hub falls back to the cache.
                return try cachedSnapshot(reason: "the Hub is unreachable (\(reason))")
            }
            throw error
        }
        try fetcher.check(configMeta, file: "config.json", revision: repo.revision)
        guard let commit = configMeta["x-repo-commit"].map(HubRepoFetcher.normalizedCommit) ?? (repo.revisionIsCommit ? repo.revision : nil),
            HubRepoID.isCommit(commit)
        else {
            throw .invalidResponse(url: configMeta.url.absoluteString, reason: "no X-Repo-Commit header naming the commit")
        }
        try cache.writeRef(repo.revision, commit: commit)

        try fetcher.fetch("config.json", commit: commit, metadata: configMeta)
        try fetchWeights(commit: commit)
        for file in ModelReference.optionalFiles {
            try fetcher.fetch(file, commit: commit, optional: true)
        }
        return cache.snapshot(commit)
    }

    // MARK: - Offline

    enum OfflineState {
        case complete(URL)
        case incomplete(missing: [String])
    }

    /// What the cache holds for the revision, without any network.
    func offlineState() -> OfflineState {
        guard let commit = cache.commit(for: repo.revision) else {
            return .incomplete(missing: ["refs/\(repo.revision) (the revision was never downloaded)"])
        }
        let snapshot = cache.snapshot(commit)
        var missing: [String] = []
        if cache.cachedFile("config.json", commit: commit) == nil { missing.append("config.json") }
        if cache.cachedFile(Checkpoint.singleFileName, commit: commit) == nil {
            if cache.cachedFile(ShardedCheckpoint.indexFileName, commit: commit) == nil {
                missing.append("\(Checkpoint.singleFileName) (or \(ShardedCheckpoint.indexFileName) and its shards)")
            } else if let shards = try? HubSnapshotResolver.shardNames(
                snapshot.appendingPathComponent(ShardedCheckpoint.indexFileName))
            {
                missing += shards.filter { cache.cachedFile($0, commit: commit) == nil }
            } else {
                missing.append("a readable \(ShardedCheckpoint.indexFileName)")
            }
        }
        return missing.isEmpty ? .complete(snapshot) : .incomplete(missing: missing)
    }

    func cachedSnapshot(reason: String) throws(HubError) -> URL {
        switch offlineState() {
        case .complete(let folder): return folder
        case .incomplete(let missing):
            throw .offlineFilesMissing(
                repository: repo.repository, revision: repo.revision, cache: cache.folder.path, missing: missing,
                reason: reason)
        }
    }

    // MARK: - Online

    /// `model.safetensors`, else the index and every shard it lists.
    func fetchWeights(commit: String) throws(HubError) {
        if try fetcher.fetch(Checkpoint.singleFileName, commit: commit, optional: true) { return }
        guard try fetcher.fetch(ShardedCheckpoint.indexFileName, commit: commit, optional: true) else {
            throw .noSafetensors(repository: repo.repository, revision: repo.revision)
        }
        let index = cache.snapshot(commit).appendingPathComponent(ShardedCheckpoint.indexFileName)
        let shards: [String]
        do { shards = try HubSnapshotResolver.shardNames(index) } catch {
            throw .invalidResponse(url: index.path, reason: error.description)
        }
        for shard in shards {
            try fetcher.fetch(shard, commit: commit)
        }
    }

    /// The shard files an index lists (validated names, sorted).
    static func shardNames(_ index: URL) throws(CheckpointError) -> [String] {
        Array(Set(try ShardedCheckpoint.readWeightMap(index).values)).sorted()
    }
}
