/// The BPE model of tokenizer.json, merging exactly as the crate's `Word::merge_all`:
/// a min-heap of candidate merges ordered by (rank, position); an entry is applied only
/// if the pair now at its position still produces the same new id.
struct BPEModel: Sendable {
    let vocab: [String: Int32]
    let idToToken: [Int32: String]
    let merges: PairTable
    let unkID: Int32?
    let continuingSubwordPrefix: String
    let endOfWordSuffix: String
    let fuseUnk: Bool
    let byteFallback: Bool
    let ignoreMerges: Bool
    /// Ids of single-scalar tokens below U+10000 (-1 when absent); others in `wideCharIDs`.
    private let charIDs: [Int32]
    private let wideCharIDs: [UInt32: Int32]
    /// Ids of `<0xXX>` tokens (-1 when absent), for byte fallback.
    private let byteIDs: [Int32]
    private var plainSymbols: Bool { continuingSubwordPrefix.isEmpty && endOfWordSuffix.isEmpty }

    init(vocab: [String: Int32], merges: PairTable, unkID: Int32?, continuingSubwordPrefix: String,
         endOfWordSuffix: String, fuseUnk: Bool, byteFallback: Bool, ignoreMerges: Bool) {
        self.vocab = vocab
        var reverse: [Int32: String] = [:]
        reverse.reserveCapacity(vocab.count)
        var chars = [Int32](repeating: -1, count: 0x10000)
        var wide: [UInt32: Int32] = [:]
        for (token, id) in vocab {
            reverse[id] = token
            var it = token.unicodeScalars.makeIterator()
            if let first = it.next(), it.next() == nil {
                if first.value < 0x10000 { chars[Int(first.value)] = id } else { wide[first.value] = id }
            }
        }
        idToToken = reverse
        charIDs = chars
        wideCharIDs = wide
        var bytes = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let hex = String(b, radix: 16, uppercase: true)
            bytes[b] = vocab["<0x" + (hex.count == 1 ? "0" + hex : hex) + ">"] ?? -1
        }
        byteIDs = bytes
        self.merges = merges
        self.unkID = unkID
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.fuseUnk = fuseUnk
        self.byteFallback = byteFallback
        self.ignoreMerges = ignoreMerges
    }

    var vocabularySize: Int { vocab.count }

    @inline(__always)
    private func charID(_ c: UInt32) -> Int32? {
        if c < 0x10000 {
            let id = charIDs[Int(c)]
            return id >= 0 ? id : nil
        }
        return wideCharIDs[c]
    }

    private struct Symbol {
        var id: Int32
        var prev: Int32
        var next: Int32
        var alive: Bool
    }

    /// Appends the ids of `word` to `out`.
    func tokenize(_ word: [UInt32], into out: inout [Int32]) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocab[String(scalars: word)] {
            out.append(id)
            return
        }
        var symbols: [Symbol] = []
        symbols.reserveCapacity(word.count)
        func add(_ id: Int32) {
            let n = Int32(symbols.count)
            if n > 0 { symbols[Int(n) - 1].next = n }
            symbols.append(Symbol(id: id, prev: n - 1, next: -1, alive: true))
        }
        var pendingUnk: Int32? = nil  // an unknown run waiting to be emitted
        let plain = plainSymbols
        for (i, c) in word.enumerated() {
            let id: Int32?
            var symbolText: String? = nil
            if plain {
                id = charID(c)
            } else {
                var s = i == 0 ? "" : continuingSubwordPrefix
                s.unicodeScalars.append(Unicode.Scalar(c) ?? "\u{FFFD}")
                if i == word.count - 1 { s += endOfWordSuffix }
                id = vocab[s]
                symbolText = s
            }
            if let id {
                if let u = pendingUnk {
                    add(u)
                    pendingUnk = nil
                }
                add(id)
                continue
            }
            if byteFallback {
                var bytes: [UInt8] = []
                if let symbolText { bytes = Array(symbolText.utf8) } else { appendUTF8(c, to: &bytes) }
                if bytes.allSatisfy({ byteIDs[Int($0)] >= 0 }) {
                    for b in bytes { add(byteIDs[Int(b)]) }
                    continue
                }
            }
            if let unkID {
                if pendingUnk != nil && !fuseUnk { add(unkID) }
                pendingUnk = unkID
            }
        }
        if let u = pendingUnk { add(u) }
        if symbols.count > 1 { mergeAll(&symbols) }
        for s in symbols where s.alive { out.append(s.id) }
    }

    private func mergeAll(_ symbols: inout [Symbol]) {
        var heap = MergeHeap()
        for i in 0..<(symbols.count - 1) {
            if let m = merges.get(symbols[i].id, symbols[i + 1].id) {
                heap.push(rank: m.rank, pos: Int32(i), newID: m.newID)
            }
        }
        while let top = heap.pop() {
            let pos = Int(top.pos)
            if !symbols[pos].alive { continue }
            let nextPos = symbols[pos].next
            if nextPos == -1 { continue }
            let right = symbols[Int(nextPos)]
            // Skip entries made stale by earlier merges.
            guard let current = merges.get(symbols[pos].id, right.id), current.newID == top.newID else { continue }
            symbols[pos].id = top.newID
            symbols[pos].next = right.next
            symbols[Int(nextPos)].alive = false
            if right.next > -1 && Int(right.next) < symbols.count {
                symbols[Int(right.next)].prev = Int32(pos)
            }
            let currentSymbol = symbols[pos]
            if currentSymbol.prev >= 0 {
                let prev = Int(currentSymbol.prev)
                if let m = merges.get(symbols[prev].id, currentSymbol.id) {
                    heap.push(rank: m.rank, pos: Int32(prev), newID: m.newID)
                }
            }
            let next = Int(currentSymbol.next)
            if next >= 0 && next < symbols.count {
                if let m = merges.get(currentSymbol.id, symbols[next].id) {
                    heap.push(rank: m.rank, pos: Int32(pos), newID: m.newID)
                }
            }
        }
    }
}

/// A binary min-heap of merge candidates keyed by (rank, position).
private struct MergeHeap {
    private var keys: [UInt64] = []
    private var ids: [Int32] = []

    mutating func push(rank: Int32, pos: Int32, newID: Int32) {
        let key = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: pos))
        keys.append(key)
        ids.append(newID)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if keys[parent] <= keys[i] { break }
            keys.swapAt(parent, i)
            ids.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> (pos: Int32, newID: Int32)? {
        guard let first = keys.first else { return nil }
        let result = (pos: Int32(bitPattern: UInt32(truncatingIfNeeded: first)), newID: ids[0])
        let lastKey = keys.removeLast()
        let lastID = ids.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey
            ids[0] = lastID
            var i = 0
            let n = keys.count
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                var m = l
                if l + 1 < n && keys[l + 1] < keys[l] { m = l + 1 }
                if keys[i] <= keys[m] { break }
                keys.swapAt(i, m)
                ids.swapAt(i, m)
                i = m
            }
        }
        return result
    }
}

extension String {
    /// A string from Unicode scalar values (invalid values become U+FFFD).
    init(scalars: [UInt32]) {
        var view = String.UnicodeScalarView()
        for c in scalars { view.append(Unicode.Scalar(c) ?? "\u{FFFD}") }
        self = String(view)
    }
}
