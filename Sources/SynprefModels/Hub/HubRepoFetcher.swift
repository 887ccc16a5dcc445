import Foundation
import SynprefCore

/// Fetches files of one repository (model or dataset) into the Hugging Face cache, as
/// `huggingface_hub` lays them out: HEAD for the file's ETag and size (LFS files answer with
/// a redirect to the CDN whose `X-Linked-*` headers describe them), GET into
/// `blobs/<etag>.incomplete` with resume, SHA-256 checked against LFS ETags, then the
/// snapshot symlink. Turns the Hub's statuses and error codes into `HubError`s.
struct HubRepoFetcher {
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

    static func normalizedCommit(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The revision encoded for a URL path segment (branches may hold "/").
    static func encodedRevision(_ revision: String) -> String {
        revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? revision
    }

    func resolveURL(revision: String, file: String) -> URL {
        // Path segments are validated names; encode the revision (branches may hold "/").
        let encodedRevision = HubRepoFetcher.encodedRevision(revision)
        let path = file.split(separator: "/").map {
            $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
        }.joined(separator: "/")
        return settings.endpoint.appendingPathComponent(repo.sitePath)
            .appendingPathComponent("resolve").appendingPathComponent(encodedRevision)
            .appendingPathComponent(path)
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
        let etag = HubRepoFetcher.normalizedETag(rawTag)
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
