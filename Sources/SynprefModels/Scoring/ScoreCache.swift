import Foundation
import SynprefCore

/// A persistent score cache keyed by (scorer fingerprint, exact input), so re-runs and
/// responses shared between benchmarks are scored once and an interrupted run resumes.
///
/// The file is append-only JSON lines `{"fp": fingerprint, "key": sha256, "score": number}`,
/// flushed to disk (fsync) after every batch. A torn last line (the process died mid-write) is
/// dropped and overwritten; a bad line anywhere else means the file is damaged and is reported.
/// Lines of other fingerprints are kept but ignored, so one file may serve several models.
public actor ScoreCache {
    public nonisolated let path: String
    public nonisolated let fingerprint: String
    private var entries: [String: Double] = [:]
    private var handle: FileHandle?

    /// Opens (creating if needed) the cache file at `path` for `fingerprint`.
    public init(path: String, fingerprint: String) throws(ScoreCacheError) {
        self.path = path
        self.fingerprint = fingerprint
        let fm = FileManager.default
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !fm.fileExists(atPath: folder) {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw ScoreCacheError.io(path: path, reason: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        if !fm.fileExists(atPath: path), !fm.createFile(atPath: path, contents: nil) {
            throw ScoreCacheError.io(path: path, reason: "cannot create the file")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ScoreCacheError.io(path: path, reason: error.localizedDescription)
        }
        let (loaded, keepBytes, needsNewline) = try ScoreCache.parse(data, path: path, fingerprint: fingerprint)
        entries = loaded
        guard let h = FileHandle(forUpdatingAtPath: path) else {
            throw ScoreCacheError.io(path: path, reason: "cannot open for appending")
        }
        do {
            if keepBytes < data.count { try h.truncate(atOffset: UInt64(keepBytes)) }
            try h.seekToEnd()
            if needsNewline { try h.write(contentsOf: Data([0x0A])) }
        } catch {
            throw ScoreCacheError.io(path: path, reason: error.localizedDescription)
        }
        handle = h
    }

    /// Parses the file; returns the entries of `fingerprint`, how many bytes are intact, and
    /// whether the intact part lacks a final newline.
    static func parse(_ data: Data, path: String, fingerprint: String) throws(ScoreCacheError) -> ([String: Double], Int, Bool) {
        var out: [String: Double] = [:]
        var lineNumber = 0
        var start = data.startIndex
        var keep = 0
        var needsNewline = false
        while start < data.endIndex {
            let newline = data[start...].firstIndex(of: 0x0A)
            let end = newline ?? data.endIndex
            lineNumber += 1
            let line = data[start..<end]
            let isLast = newline == nil
            if !LineReader.isBlank(line) {
                if let (fp, key, score) = entry([UInt8](line)) {
                    if ExactText.same(fp, fingerprint), let score, score.isFinite { out[key] = score }
                    needsNewline = isLast
                } else if isLast {
                    // Torn write: drop it; the next append starts where the intact part ends.
                    return (out, keep, false)
                } else {
                    throw .corrupt(path: path, line: lineNumber, reason: "not a cache entry")
                }
            }
            keep = end - data.startIndex + (isLast ? 0 : 1)
            start = isLast ? end : data.index(after: end)
        }
        return (out, keep, needsNewline)
    }

    /// `{"fp": string, "key": string, "score": number|null}`, or nil when the line is not one.
    private static func entry(_ bytes: [UInt8]) -> (fp: String, key: String, score: Double?)? {
        guard let o = (try? JSONParser.parse(bytes))?.objectValue,
              let fp = o["fp"]?.stringValue, let key = o["key"]?.stringValue else { return nil }
        guard let score = o["score"], !score.isNull else { return (fp, key, nil) }
        guard let value = score.doubleValue else { return nil }
        return (fp, key, value)
    }

    public var count: Int { entries.count }

    public func lookup(_ key: String) -> Double? { entries[key] }

    /// Appends entries and forces them to disk before returning.
    public func store(_ batch: [(key: String, score: Double)]) throws(ScoreCacheError) {
        guard let handle else { throw ScoreCacheError.io(path: path, reason: "cache is closed") }
        var text = ""
        for (key, score) in batch where score.isFinite {
            entries[key] = score
            text += "{\"fp\":"
            JSONWriter.appendString(fingerprint, to: &text)
            text += ",\"key\":\"\(key)\",\"score\":\(JSONWriter.double(score))}\n"
        }
        guard !text.isEmpty else { return }
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
        } catch {
            throw ScoreCacheError.io(path: path, reason: error.localizedDescription)
        }
    }

    public func close() {
        try? handle?.close()
        handle = nil
    }

    /// `$SYNPREF_CACHE/scores/<sha256(fingerprint) prefix>.jsonl`, else under
    /// `~/.cache/synpref/scores/`.
    public static func defaultPath(fingerprint: String) -> String {
        var root = NSHomeDirectory() + "/.cache/synpref"
        if let env = ProcessInfo.processInfo.environment["SYNPREF_CACHE"], !env.isEmpty { root = env }
        let name = String(SHA256.hex(fingerprint).prefix(24))
        return root + "/scores/" + name + ".jsonl"
    }
}

/// The score cache file could not be used.
public enum ScoreCacheError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A line other than the last is not a cache entry.
    case corrupt(path: String, line: Int, reason: String)
    /// Reading, creating or appending failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .corrupt(path, line, reason):
            return "\(path): line \(line): score cache is corrupt (\(reason)). Delete the file to rebuild it."
        case let .io(path, reason):
            return "\(path): score cache I/O failed (\(reason)). Check free space and permissions."
        }
    }
}
