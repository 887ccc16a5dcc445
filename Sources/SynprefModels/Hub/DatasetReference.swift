import Foundation
import SynprefCore

/// A Hugging Face dataset repository and revision, written `hf://datasets/org/name[@revision]`
/// (the form `huggingface_hub`'s file system uses), resolved to the files of one split in
/// the shared Hugging Face cache.
public struct DatasetReference: Sendable, Hashable, CustomStringConvertible {
    public static let scheme = "hf://datasets/"

    public let repo: HubRepoID

    /// True for `hf://datasets/...` arguments (where a file path is otherwise expected).
    public static func isDatasetReference(_ text: String) -> Bool { text.hasPrefix(scheme) }

    /// Parses `hf://datasets/org/name[@revision]` or a bare `org/name[@revision]`.
    public init(parsing reference: String) throws(HubError) {
        let body = reference.hasPrefix(DatasetReference.scheme) ? String(reference.dropFirst(DatasetReference.scheme.count)) : reference
        if reference.hasPrefix("hf://") && !reference.hasPrefix(DatasetReference.scheme) {
            throw .invalidDatasetReference(reference: reference, reason: "only hf://datasets/ references name datasets")
        }
        do {
            repo = try HubRepoID(parsing: body, kind: .dataset)
        } catch {
            if case .invalidReference(_, let reason) = error { throw .invalidDatasetReference(reference: reference, reason: reason) }
            throw error
        }
    }

    public var description: String { DatasetReference.scheme + repo.repository + (repo.revision == "main" ? "" : "@" + repo.revision) }

    /// The files of `split` (nil: the only split, else `train`) of `config` (nil: the card's
    /// default), downloaded into the cache when missing. Blocks while downloading; progress
    /// per file goes to `progress` (task "download org/name/path", unit "B"). With
    /// `settings.offline`, or when the Hub is unreachable, only the cache is used and
    /// missing files are an error naming them.
    public func resolve(
        split: String? = nil, config: String? = nil, settings: HubSettings = .fromEnvironment(),
        progress: any ProgressObserver = SilentProgress()
    ) throws(HubError) -> ResolvedDataset {
        try HubDatasetResolver(settings: settings, repo: repo, progress: progress).resolve(split: split, config: config)
    }
}

/// One split of a dataset at one commit, as files in the Hugging Face cache.
public struct ResolvedDataset: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        /// The path in the repository.
        public var path: String
        /// The file in the cache's snapshot folder.
        public var url: URL
        public var bytes: Int
        public var sha256: String
    }

    public var repository: String
    /// The revision asked for (branch, tag or commit).
    public var revision: String
    /// The commit it pointed to.
    public var commit: String
    public var config: String?
    public var split: String
    public var availableSplits: [String]
    public var files: [File]

    /// What `results.json` records of a dataset.
    public var json: JSONValue {
        .object([
            ("repository", .string(repository)), ("revision", .string(revision)), ("commit", .string(commit)),
            ("config", config.map { .string($0) } ?? .null), ("split", .string(split)),
            ("files", .array(files.map {
                .object([("path", .string($0.path)), ("sha256", .string($0.sha256)), ("bytes", .integer($0.bytes))])
            })),
        ])
    }
}

/// Resolves a dataset revision: the file list from the Hub's API (kept next to the cache's
/// snapshots, so offline runs know every file a split has), the card's `configs` from
/// README.md, the split's files by `DatasetSplits`, each fetched by `HubRepoFetcher`.
struct HubDatasetResolver {
    let fetcher: HubRepoFetcher
    var settings: HubSettings { fetcher.settings }
    var repo: HubRepoID { fetcher.repo }
    var cache: HubCache { fetcher.cache }

    init(settings: HubSettings, repo: HubRepoID, progress: any ProgressObserver) {
        fetcher = HubRepoFetcher(settings: settings, repo: repo, progress: progress)
    }

    func resolve(split: String?, config: String?) throws(HubError) -> ResolvedDataset {
        if settings.offline { return try cached(split: split, config: config, reason: "HF_HUB_OFFLINE is set") }
        // A commit never moves: a complete cached split of it needs no network.
        if repo.revisionIsCommit, let done = try? cached(split: split, config: config, reason: "") { return done }
        let listing: (commit: String, files: [String])
        do throws(HubError) {
            listing = try fetchListing()
        } catch {
            if case .network(_, let reason) = error {
                return try cached(split: split, config: config, reason: "the Hub is unreachable (\(reason))")
            }
            throw error
        }
        try cache.writeRef(repo.revision, commit: listing.commit)
        try saveListing(listing.files, commit: listing.commit)
        if listing.files.contains("README.md") { try fetcher.fetch("README.md", commit: listing.commit, optional: true) }
        let chosen = try choose(listing.files, commit: listing.commit, split: split, config: config)
        for file in chosen.files { try fetcher.fetch(file, commit: listing.commit) }
        return try make(commit: listing.commit, chosen)
    }

    struct Choice {
        var config: String?
        var split: String
        var available: [String]
        var files: [String]
    }

    func choose(_ files: [String], commit: String, split: String?, config: String?) throws(HubError) -> Choice {
        let card: DatasetCard
        if let readme = cache.cachedFile("README.md", commit: commit) {
            let text: String
            do { text = try String(contentsOf: readme, encoding: .utf8) } catch {
                throw .cache(path: readme.path, reason: error.localizedDescription)
            }
            do { card = try DatasetCard(readme: text) } catch {
                throw .datasetConfig(repository: repo.repository, revision: repo.revision, reason: "dataset card: \(error)")
            }
        } else {
            card = DatasetCard(configs: [])
        }
        let splits: DatasetSplits
        do { splits = try DatasetSplits(files: files, card: card, config: config) } catch {
            throw .datasetConfig(repository: repo.repository, revision: repo.revision, reason: HubDatasetResolver.describe(error))
        }
        let available = splits.names
        let name: String
        if let split {
            name = split
        } else if available.count == 1 {
            name = available[0]
        } else if available.contains("train") {
            name = "train"
        } else {
            throw .splitNotFound(repository: repo.repository, revision: repo.revision, split: "", available: available)
        }
        guard let chosen = splits.files(of: name), !chosen.isEmpty else {
            throw .splitNotFound(repository: repo.repository, revision: repo.revision, split: name, available: available.filter {
                !(splits.files(of: $0) ?? []).isEmpty
            })
        }
        let unreadable = chosen.filter { !DatasetSplits.isReadable($0) }
        if !unreadable.isEmpty { throw .unreadableDataFiles(repository: repo.repository, split: name, files: unreadable) }
        return Choice(config: splits.config, split: name, available: available, files: chosen)
    }

    static func describe(_ error: DatasetSplitsError) -> String {
        switch error {
        case .configNotFound(let config, let available):
            return "no config \"\(config)\"; the dataset has \(available.joined(separator: ", ")) (choose one with --config)"
        case .configRequired(let available):
            return "the dataset has several configs and none is the default: \(available.joined(separator: ", ")) (choose one with --config)"
        case .badPattern(let pattern, let reason):
            return "dataset card: bad data_files pattern \"\(pattern)\": \(reason)"
        }
    }

    func make(commit: String, _ choice: Choice) throws(HubError) -> ResolvedDataset {
        var files: [ResolvedDataset.File] = []
        for path in choice.files {
            guard let url = cache.cachedFile(path, commit: commit) else {
                throw .cache(path: cache.snapshot(commit).appendingPathComponent(path).path, reason: "missing after download")
            }
            // Blobs of LFS files are named by their SHA-256; others are hashed here.
            let blob = ((try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) as NSString?)?.lastPathComponent ?? ""
            let sha: String
            if blob.count == 64, blob.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) {
                sha = blob
            } else {
                do { sha = try SHA256.hex(fileAt: url.path) } catch { throw .cache(path: url.path, reason: error.reason) }
            }
            files.append(ResolvedDataset.File(path: path, url: url, bytes: HubHTTPClient.fileSize(url.resolvingSymlinksInPath()), sha256: sha))
        }
        return ResolvedDataset(
            repository: repo.repository, revision: repo.revision, commit: commit, config: choice.config, split: choice.split,
            availableSplits: choice.available, files: files)
    }

    // MARK: - The file list

    /// `GET /api/datasets/org/name/revision/<revision>`: the commit (`sha`) and every file
    /// (`siblings[].rfilename`).
    func fetchListing() throws(HubError) -> (commit: String, files: [String]) {
        let url = settings.endpoint.appendingPathComponent("api").appendingPathComponent(repo.apiPath)
            .appendingPathComponent("revision").appendingPathComponent(HubRepoFetcher.encodedRevision(repo.revision))
        let (response, body) = try fetcher.http.get(url)
        try fetcher.check(response, file: "(the file list)", revision: repo.revision)
        let json: JSONValue
        do { json = try JSONParser.parse([UInt8](body)) } catch {
            throw .invalidResponse(url: url.absoluteString, reason: "the file list is not JSON (\(error))")
        }
        guard let sha = json["sha"]?.stringValue.map(HubRepoFetcher.normalizedCommit), HubRepoID.isCommit(sha) else {
            throw .invalidResponse(url: url.absoluteString, reason: "no commit (sha) in the repository's info")
        }
        guard let siblings = json["siblings"]?.arrayValue else {
            throw .invalidResponse(url: url.absoluteString, reason: "no file list (siblings) in the repository's info")
        }
        var files: [String] = []
        for s in siblings {
            guard let name = s["rfilename"]?.stringValue, HubDatasetResolver.isSafePath(name) else {
                throw .invalidResponse(url: url.absoluteString, reason: "a file name in siblings is missing or unsafe")
            }
            files.append(name)
        }
        return (sha, files.sorted())
    }

    /// A relative path without `..`, empty or absolute parts (it becomes a cache path).
    static func isSafePath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains {
            $0.isEmpty || $0 == ".." || $0 == "."
        }
    }

    func listingFile(_ commit: String) -> URL { cache.folder.appendingPathComponent(".synpref/files/\(commit)") }

    func saveListing(_ files: [String], commit: String) throws(HubError) {
        let url = listingFile(commit)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((files.joined(separator: "\n") + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw .cache(path: url.path, reason: error.localizedDescription)
        }
    }

    func cachedListing(_ commit: String) -> [String]? {
        guard let text = try? String(contentsOf: listingFile(commit), encoding: .utf8) else { return nil }
        return text.split(separator: "\n").map(String.init)
    }

    // MARK: - Offline

    func cached(split: String?, config: String?, reason: String) throws(HubError) -> ResolvedDataset {
        func missing(_ what: [String]) -> HubError {
            .offlineFilesMissing(repository: repo.repository, revision: repo.revision, cache: cache.folder.path, missing: what, reason: reason)
        }
        guard let commit = cache.commit(for: repo.revision) else {
            throw missing(["refs/\(repo.revision) (the revision was never downloaded)"])
        }
        guard let files = cachedListing(commit) else {
            throw missing(["the file list of commit \(commit) (resolve the dataset once online)"])
        }
        if files.contains("README.md"), cache.cachedFile("README.md", commit: commit) == nil { throw missing(["README.md"]) }
        let choice = try choose(files, commit: commit, split: split, config: config)
        let absent = choice.files.filter { cache.cachedFile($0, commit: commit) == nil }
        if !absent.isEmpty { throw missing(absent) }
        return try make(commit: commit, choice)
    }
}

extension DatasetCard {
    init(configs: [Config]) {
        self.configs = configs
    }
}
