import Foundation

/// Ids of recently tokenized words, shared by all threads using one model (the crate keeps
/// the same kind of cache, 10,000 words). BPE results depend only on the word, so a hit
/// returns exactly what tokenizing again would.
///
/// `@unchecked Sendable`: the dictionary is only touched while `lock` is held.
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [TokenText: [Int32]] = [:]
    let capacity: Int
    /// Words longer than this (in UTF-8 bytes) are not cached.
    let maxWordBytes: Int

    init(capacity: Int = 10_000, maxWordBytes: Int = 256) {
        self.capacity = capacity
        self.maxWordBytes = maxWordBytes
    }

    func get(_ key: TokenText) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return entries[key]
    }

    /// Stores `ids` unless the cache is full (entries are never evicted, as in the crate).
    func put(_ key: TokenText, _ ids: [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[key] = ids }
    }
}
