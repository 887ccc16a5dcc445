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

/// Resolves one repository revision to a complete snapshot folder in the cache.
struct HubSnapshotResolver {
    let settings: HubSettings
    let repo: HubRepoID
    let progress: any ProgressObserver
    let cache: HubCache
    let http: HubHTTPClient

    init(settings: HubSettings, repo: HubRepoID, progress: any ProgressObserver) {
        self.settings = settings
        self.repo = repo
        self.progress = progress
        cache = HubCache(settings: settings, repo: repo)
        http = HubHTTPClient(settings: settings)
    }

    func resolve() throws(HubError) -> URL {
        if settings.offline {
            return try cachedSnapshot(reason: "HF_HUB_OFFLINE is set")
        }
        // A commit never moves: a complete snapshot of it needs no network.
        if repo.revisionIsCommit, case .complete(let folder) = offlineState() { return folder }
        let configMeta: HubHTTPResponse
        do throws(HubError) {
            configMeta = try http.head(resolveURL(revision: repo.revision, file: "config.json"))
        } catch {
            if case .network(_, let reason) = error {
                // Like huggingface_hub: an unreachable Hub falls back to the cache.
                return try cachedSnapshot(reason: "the Hub is unreachable (\(reason))")
            }
            throw error
        }
        try check(configMeta, file: "config.json", revision: repo.revision)
        guard let commit = configMeta["x-repo-commit"].map(normalizedCommit) ?? (repo.revisionIsCommit ? repo.revision : nil),
            HubRepoID.isCommit(commit)
        else {
            throw .invalidResponse(url: configMeta.url.absoluteString, reason: "no X-Repo-Commit header naming the commit")
        }
        try cache.writeRef(repo.revision, commit: commit)

        try fetch("config.json", commit: commit, metadata: configMeta)
        try fetchWeights(commit: commit)
        for file in ModelReference.optionalFiles {
            try fetch(file, commit: commit, optional: true)
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

    func resolveURL(revision: String, file: String) -> URL {
        // Path segments are validated names; encode the revision (branches may hold "/").
        let encodedRevision = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~")))
            ?? revision
        let path = file.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
        }.joined(separator: "/")
        return settings.endpoint.appendingPathComponent(repo.repository)
            .appendingPathComponent("resolve").appendingPathComponent(encodedRevision)
            .appendingPathComponent(path)
    }

    private func normalizedCommit(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// Throws the error an HTTP status means for `file`.
    func check(_ response: HubHTTPResponse, file: String, revision: String) throws(HubError) {
        let status = response.status
        if (200..<400).contains(status) { return }
        let code = response["x-error-code"]
        let endpoint = settings.endpoint.absoluteString
        switch status {
        case 401, 403:
            // The Hub answers 401 RepoNotFound for repositories the caller cannot see.
            if code == "RepoNotFound" { throw .repositoryNotFound(repository: repo.repository, endpoint: endpoint) }
            throw .accessDenied(
                repository: repo.repository, status: status, gated: code == "GatedRepo",
                tokenSent: settings.token != nil, endpoint: endpoint)
        case 404:
            switch code {
            case "RepoNotFound": throw .repositoryNotFound(repository: repo.repository, endpoint: endpoint)
            case "RevisionNotFound": throw .revisionNotFound(repository: repo.repository, revision: revision)
            default: throw .fileNotFound(repository: repo.repository, revision: revision, file: file)
            }
        default:
            throw .httpStatus(url: response.url.absoluteString, status: status)
        }
    }

    /// `model.safetensors`, else the index and every shard it lists.
    func fetchWeights(commit: String) throws(HubError) {
        if try fetch(Checkpoint.singleFileName, commit: commit, optional: true) { return }
        guard try fetch(ShardedCheckpoint.indexFileName, commit: commit, optional: true) else {
            throw .noSafetensors(repository: repo.repository, revision: repo.revision)
        }
        let index = cache.snapshot(commit).appendingPathComponent(ShardedCheckpoint.indexFileName)
        let shards: [String]
        do { shards = try HubSnapshotResolver.shardNames(index) } catch {
            throw .invalidResponse(url: index.path, reason: error.description)
        }
        for shard in shards {
            try fetch(shard, commit: commit)
        }
    }

    /// The shard files an index lists (validated names, sorted).
    static func shardNames(_ index: URL) throws(CheckpointError) -> [String] {
        Array(Set(try ShardedCheckpoint.readWeightMap(index).values)).sorted()
    }

    /// Makes `snapshots/<commit>/<file>` present. Returns false when an optional file does
    /// not exist in the repository.
    @discardableResult
    func fetch(_ file: String, commit: String, metadata: HubHTTPResponse? = nil, optional: Bool = false) throws(HubError) -> Bool {
        if cache.cachedFile(file, commit: commit) != nil { return true }
        if optional && cache.isMarkedMissing(file, commit: commit) { return false }
        let url = resolveURL(revision: commit, file: file)
        let head: HubHTTPResponse
        if let metadata { head = metadata } else { head = try http.head(url) }
        if head.status == 404 && optional && head["x-error-code"] != "RepoNotFound" && head["x-error-code"] != "RevisionNotFound" {
            cache.markMissing(file, commit: commit)
            return false
        }
        try check(head, file: file, revision: commit)
        // LFS files answer with a redirect whose X-Linked-* headers describe the file.
        guard let rawTag = head["x-linked-etag"] ?? head["etag"] else {
            throw .invalidResponse(url: url.absoluteString, reason: "no ETag for \(file)")
        }
        let etag = HubSnapshotResolver.normalizedETag(rawTag)
        guard !etag.isEmpty, !etag.contains("/"), etag != ".", etag != ".." else {
            throw .invalidResponse(url: url.absoluteString, reason: "unusable ETag \(rawTag)")
        }
        let size = (head["x-linked-size"] ?? ((200..<300).contains(head.status) ? head["content-length"] : nil)).flatMap { Int($0) }
        try cache.withBlobLock(etag) { () throws(HubError) in
            let blob = cache.blob(etag)
            if FileManager.default.fileExists(atPath: blob.path),
                size == nil || HubHTTPClient.fileSize(blob) == size
            {
                return
            }
            let partial = cache.blobs.appendingPathComponent(etag + ".incomplete")
            let task = "download \(repo.repository)/\(file)"
            let observer = progress
            let response = try http.download(url, to: partial, expectedSize: size) { bytes in
                observer.report(ProgressEvent(task: task, completed: bytes, total: size, unit: "B"))
            }
            try check(response, file: file, revision: commit)
            try verify(partial, etag: etag, file: file)
            do {
                if FileManager.default.fileExists(atPath: blob.path) { try FileManager.default.removeItem(at: blob) }
                try FileManager.default.moveItem(at: partial, to: blob)
            } catch {
                throw .cache(path: blob.path, reason: error.localizedDescription)
            }
        }
        try cache.link(file, commit: commit, etag: etag)
        return true
    }

    /// LFS ETags are the SHA-256 of the content: check it (removing a corrupt partial file).
    func verify(_ partial: URL, etag: String, file: String) throws(HubError) {
        guard etag.count == 64, etag.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else {
            return
        }
        let actual: String
        do { actual = try SHA256.hex(fileAt: partial.path) } catch {
            throw .cache(path: partial.path, reason: "cannot read the downloaded file (\(error.reason))")
        }
        if actual != etag {
            try? FileManager.default.removeItem(at: partial)
            throw .checksumMismatch(file: "\(repo.repository)/\(file)", expected: etag, actual: actual)
        }
    }

    /// `W/"abc"` → `abc`.
    static func normalizedETag(_ raw: String) -> String {
        var tag = raw.trimmingCharacters(in: .whitespaces)
        if tag.hasPrefix("W/") { tag.removeFirst(2) }
        return tag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
