import Foundation
import CSynprefHash

/// SHA-256 (FIPS 180-4). Used for content hashes of preference pairs, data-file hashes in
/// evaluation results, and score-cache keys. Incremental: `update` any number of times,
/// then `finalize`.
///
/// The compression runs in C (`CSynprefHash`): the x86 SHA extensions when the CPU has
/// them (content hashing was ~12% of an import's CPU time in portable code), else a
/// portable implementation.
public struct SHA256: Sendable {
    private var ctx = synpref_sha256_ctx()

    public init() { synpref_sha256_init(&ctx) }

    /// Whether the SHA-NI path is in use on this CPU.
    public static var isAccelerated: Bool { synpref_sha256_accelerated() != 0 }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buf in
            update(UnsafeRawBufferPointer(buf))
        }
        if done != nil { return }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(4096)
        for b in bytes {
            chunk.append(b)
            if chunk.count == 4096 {
                chunk.withUnsafeBytes { update($0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Hashes raw bytes.
    public mutating func update(_ buf: UnsafeRawBufferPointer) {
        guard buf.count > 0, let base = buf.baseAddress else { return }
        synpref_sha256_update(&ctx, base, buf.count)
    }

    /// The digest; the hasher must not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            synpref_sha256_final(&ctx, out.baseAddress!)  // capacity 32 is always allocated
            count = 32
        }
    }

    /// Lower-case hexadecimal digest of `bytes`.
    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hexString(hasher.finalize())
    }

    /// Lower-case hexadecimal digest of the UTF-8 of `string`.
    public static func hex(_ string: String) -> String {
        var hasher = SHA256()
        hasher.update(string)
        return hexString(hasher.finalize())
    }

    public static func hexString(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        chars.reserveCapacity(digest.count * 2)
        for b in digest { chars.append(digits[Int(b >> 4)]); chars.append(digits[Int(b & 15)]) }
        return String(decoding: chars, as: UTF8.self)
    }

    /// SHA-256 (hex) of a whole file, read in 1 MiB chunks; the error says why the file
    /// could not be read.
    public static func hex(fileAt path: String) throws(SHA256FileError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SHA256FileError(path: path, reason: "cannot open it") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw SHA256FileError(path: path, reason: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(chunk)
        }
        return hexString(hasher.finalize())
    }
}

/// A file could not be read for hashing.
public struct SHA256FileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot read (\(reason))" }
}
