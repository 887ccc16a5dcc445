/// An open-addressing hash table from a pair of token ids to a merge (rank, new id).
///
/// BPE looks up every adjacent pair of every word; Swift's `Dictionary` hashes with
/// SipHash, which dominated profiles, so merges live in this flat table with a
/// multiplicative hash instead.
struct PairTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: PairTable.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Inserts or replaces (a later merge of the same pair wins, as in the crate's HashMap).
    mutating func set(_ a: Int32, _ b: Int32, rank: Int32, newID: Int32) {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        var i = PairTable.slot(key, mask)
        while keys[i] != PairTable.empty && keys[i] != key { i = (i + 1) & mask }
        if keys[i] == PairTable.empty { count += 1 }
        keys[i] = key
        values[i] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: newID))
    }

    /// The merge of `(a, b)`: `(rank, newID)`, or nil.
    @inline(__always)
    func get(_ a: Int32, _ b: Int32) -> (rank: Int32, newID: Int32)? {
        let key = UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
        return keys.withUnsafeBufferPointer { k -> (Int32, Int32)? in
            var i = PairTable.slot(key, mask)
            while true {
                let stored = k[i]
                if stored == key {
                    let v = values[i]
                    return (Int32(bitPattern: UInt32(truncatingIfNeeded: v >> 32)), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
                }
                if stored == PairTable.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }
}
