import Foundation

/// Line output that never leaves a partial file behind: lines go to a hidden temporary file
/// next to the destination (`.NAME.tmp-PID`), which `commit()` renames over the destination
/// only when the whole job succeeded; `abandon()` (or a crash) leaves the destination as it
/// was. Without a path, lines go to standard output as they come (buffered).
public final class AtomicLineWriter {
    /// Where the lines end up ("standard output" when there is no path).
    public let destination: String
    private let finalPath: String?
    private let tempPath: String?
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var finished = false

    public init(path: String?) throws(AtomicWriteError) {
        finalPath = path
        if let path, AtomicLineWriter.isStream(path) {
            // A device or pipe (/dev/null, /dev/stdout, a FIFO): there is no file to
            // replace, and renaming over it would replace the device with a file.
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw AtomicWriteError(path: path, reason: "cannot open it for writing")
            }
            tempPath = nil
            handle = h
            destination = path
        } else if let path {
            let url = URL(fileURLWithPath: path)
            let temp = url.deletingLastPathComponent()
                .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
            guard FileManager.default.createFile(atPath: temp, contents: nil),
                  let h = FileHandle(forWritingAtPath: temp)
            else {
                throw AtomicWriteError(path: path, reason: "cannot create a file in \(url.deletingLastPathComponent().path) (does the folder exist and is it writable?)")
            }
            tempPath = temp
            handle = h
            destination = path
        } else {
            tempPath = nil
            handle = FileHandle.standardOutput
            destination = "standard output"
        }
    }

    /// Whether `path` exists and is something other than a regular file or a folder.
    static func isStream(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let kind = info.st_mode & S_IFMT
        return kind != S_IFREG && kind != S_IFDIR
    }

    /// Appends `line` and a newline.
    public func write(_ line: String) throws(AtomicWriteError) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try drain() }
    }

    /// Appends raw bytes (the caller supplies any newline).
    public func write(bytes: some Sequence<UInt8>) throws(AtomicWriteError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try drain() }
    }

    private func drain() throws(AtomicWriteError) {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw AtomicWriteError(path: destination, reason: "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and moves the finished file into place.
    public func commit() throws(AtomicWriteError) {
        try drain()
        finished = true
        guard let tempPath, let finalPath else { return }
        do { try handle.synchronize() } catch {}
        try? handle.close()
        if rename(tempPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(tempPath)
            throw AtomicWriteError(path: finalPath, reason: reason)
        }
    }

    /// Drops what was written; the destination is left untouched.
    public func abandon() {
        finished = true
        guard let tempPath else { return }
        try? handle.close()
        unlink(tempPath)
    }

    deinit {
        if !finished { abandon() }
    }
}

/// Writing an output file failed.
public struct AtomicWriteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot write the output (\(reason))" }
}
