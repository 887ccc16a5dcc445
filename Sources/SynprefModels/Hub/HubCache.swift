import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One repository in the Hugging Face cache, laid out as `huggingface_hub` does:
///
///     models--org--name/
///       blobs/<etag>                 file contents, named by the Hub's ETag
///       refs/<revision>              the commit a branch or tag pointed to
///       snapshots/<commit>/<file>    relative symlinks to ../../blobs/<etag>
///       .no_exist/<commit>/<file>    empty markers for optional files the repo lacks
struct HubCache {
    let repo: HubRepoID
    let folder: URL

    init(settings: HubSettings, repo: HubRepoID) {
        self.repo = repo
        folder = settings.cacheDirectory.appendingPathComponent(repo.cacheFolderName, isDirectory: true)
    }

    var blobs: URL { folder.appendingPathComponent("blobs", isDirectory: true) }

    func snapshot(_ commit: String) -> URL {
        folder.appendingPathComponent("snapshots/\(commit)", isDirectory: true)
    }

    func blob(_ etag: String) -> URL { blobs.appendingPathComponent(etag) }

    /// The commit a revision points to: itself for a commit hash, else `refs/<revision>`.
    func commit(for revision: String) -> String? {
        if HubRepoID.isCommit(revision) { return revision }
        let ref = folder.appendingPathComponent("refs/\(revision)")
        guard let text = try? String(contentsOf: ref, encoding: .utf8) else { return nil }
        let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return HubRepoID.isCommit(commit) ? commit : nil
    }

    func writeRef(_ revision: String, commit: String) throws(HubError) {
        guard revision != commit else { return }
        let ref = folder.appendingPathComponent("refs/\(revision)")
        do {
            try FileManager.default.createDirectory(at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: ref, options: .atomic)
        } catch {
            throw .cache(path: ref.path, reason: error.localizedDescription)
        }
    }

    /// The file in the snapshot when it is there and its blob is complete.
    func cachedFile(_ file: String, commit: String) -> URL? {
        let url = snapshot(commit).appendingPathComponent(file)
        var isDirectory: ObjCBool = false
        // fileExists follows the symlink: a dangling link counts as absent.
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        return url
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink.
    func link(_ file: String, commit: String, etag: String) throws(HubError) {
        let url = snapshot(commit).appendingPathComponent(file)
        let depth = file.split(separator: "/").count + 1
        let target = String(repeating: "../", count: depth) + "blobs/" + etag
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil
                || FileManager.default.fileExists(atPath: url.path)
            {
                try FileManager.default.removeItem(at: url)
            }
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        } catch {
            throw .cache(path: url.path, reason: error.localizedDescription)
        }
    }

    private func noExistMarker(_ file: String, commit: String) -> URL {
        folder.appendingPathComponent(".no_exist/\(commit)/\(file)")
    }

    func isMarkedMissing(_ file: String, commit: String) -> Bool {
        FileManager.default.fileExists(atPath: noExistMarker(file, commit: commit).path)
    }

    /// Remembers that the repository has no `file` at `commit` (best effort, like the Hub library).
    func markMissing(_ file: String, commit: String) {
        let marker = noExistMarker(file, commit: commit)
        try? FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
    }

    /// Runs `body` holding an exclusive `flock` on `blobs/<etag>.lock`, so two processes
    /// never write the same blob at once.
    func withBlobLock<T>(_ etag: String, _ body: () throws(HubError) -> T) throws(HubError) -> T {
        let lockPath = blobs.appendingPathComponent(etag + ".lock").path
        do {
            try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        } catch {
            throw .cache(path: blobs.path, reason: error.localizedDescription)
        }
        let fd = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cache(path: lockPath, reason: String(cString: strerror(errno))) }
        defer {
            flock(fd, LOCK_UN)
            close(fd)
        }
        guard flock(fd, LOCK_EX) == 0 else { throw .cache(path: lockPath, reason: String(cString: strerror(errno))) }
        return try body()
    }
}
