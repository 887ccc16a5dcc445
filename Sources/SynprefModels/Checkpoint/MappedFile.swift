#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file memory-mapped read-only. Weights are never copied: tensors are views into
/// this mapping, and the kernel pages them in on first touch (and can drop clean pages
/// under memory pressure).
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never written or remapped after
/// `init`, so concurrent reads from any thread are safe; `deinit` unmaps only when no
/// reference (including `CheckpointTensor.owner`) remains.
///
/// A file truncated by another process *while mapped* can still raise SIGBUS on access;
/// that cannot be detected up front. Everything checkable at open time is checked.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// Start of the mapping; nil for an empty file (nothing is mapped).
    public let base: UnsafeRawPointer?
    public let count: Int

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public init(path: String) throws(CheckpointError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .unreadable(file: path, reason: MappedFile.errnoDescription()) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw .unreadable(file: path, reason: MappedFile.errnoDescription()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(file: path, reason: "not a regular file")
        }
        guard info.st_size >= 0, let size = Int(exactly: info.st_size) else {
            throw .unreadable(file: path, reason: "invalid file size \(info.st_size)")
        }
        count = size
        if size == 0 {
            base = nil
            return
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw .unreadable(file: path, reason: "mmap failed: " + MappedFile.errnoDescription())
        }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    private static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}

/// An aligned heap copy of a tensor whose bytes in the file are not aligned to its element
/// size (possible in hand-made files; writers of the safetensors library pad the header so
/// this does not happen). Kernels may then always assume element alignment.
///
/// `@unchecked Sendable`: written once in `init`, read-only afterwards.
final class AlignedCopy: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let count: Int

    init(copying source: UnsafeRawBufferPointer, alignment: Int) {
        count = source.count
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: max(alignment, 16))
        if let base = source.baseAddress, count > 0 {
            pointer.copyMemory(from: base, byteCount: count)
        }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: count) }

    deinit { pointer.deallocate() }
}
