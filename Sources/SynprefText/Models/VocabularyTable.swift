/// Token text → id, keyed by UTF-8 bytes (as the crate's `HashMap<String, u32>` compares),
/// stored in one byte arena with an open-addressing index.
///
/// Why not `[String: Int32]`: Swift string equality is canonical equivalence, which would
/// merge "é" and "e\u{301}"; and a dictionary of 128k-300k separately allocated keys made
/// loading a tokenizer.json slower than the Python library. Lookups take a byte slice, so
/// WordPiece and the merge parser probe candidates without allocating.
struct VocabularyTable: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var hashes: [UInt32] = []
    private(set) var ids: [Int32] = []
    /// `hash << 32 | (entry + 1)`, 0 when empty: the hash in the slot saves a cache miss.
    private var slots: [UInt64]
    private var mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
        ids.reserveCapacity(capacity)
        arena.reserveCapacity(capacity * 8)
    }

    var count: Int { ids.count }

    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        // FNV-1a, 32-bit; tokens are short.
        var h: UInt32 = 2_166_136_261
        for b in bytes { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// Inserts `bytes` → `id`, replacing the id of an existing equal key (later wins, as a
    /// JSON object with a repeated key does in serde).
    mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, id: Int32) {
        if (ids.count + 1) * 2 > slots.count { grow() }
        let h = VocabularyTable.hash(bytes)
        var i = Int(h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { break }
            let e = Int(slot & 0xFFFF_FFFF) - 1
            if UInt32(slot >> 32) == h && equals(e, bytes) {
                ids[e] = id
                return
            }
            i = (i + 1) & mask
        }
        slots[i] = UInt64(h) << 32 | UInt64(ids.count + 1)
        starts.append(Int32(arena.count))
        lengths.append(Int32(bytes.count))
        hashes.append(h)
        ids.append(id)
        arena.append(contentsOf: bytes)
    }

    mutating func insert(_ text: String, id: Int32) {
        var s = text
        s.withUTF8 { insert($0, id: id) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for e in 0..<ids.count {
            var i = Int(hashes[e]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt64(hashes[e]) << 32 | UInt64(e + 1)
        }
    }

    @inline(__always)
    private func equals(_ e: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = Int(lengths[e])
        guard n == bytes.count else { return false }
        let start = Int(starts[e])
        return arena.withUnsafeBufferPointer { a in
            for k in 0..<n where a[start + k] != bytes[k] { return false }
            return true
        }
    }

    func find(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = VocabularyTable.hash(bytes)
        var i = Int(h) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return nil }
            let e = Int(slot & 0xFFFF_FFFF) - 1
            if UInt32(slot >> 32) == h && equals(e, bytes) { return ids[e] }
            i = (i + 1) & mask
        }
    }

    func find(_ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBufferPointer { find($0) }
    }

    func find(_ bytes: ArraySlice<UInt8>) -> Int32? {
        bytes.withUnsafeBufferPointer { find($0) }
    }

    func find(_ text: String) -> Int32? {
        var s = text
        return s.withUTF8 { find($0) }
    }

    /// The key bytes of entry `e` (0..<count).
    func key(_ e: Int) -> ArraySlice<UInt8> {
        let start = Int(starts[e])
        return arena[start..<(start + Int(lengths[e]))]
    }
}
