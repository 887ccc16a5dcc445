/// NFD, NFKD, NFC and NFKC over scalar arrays, with the reference crate's tables
/// (`UnicodeData`): full decomposition, canonical ordering by combining class, then
/// canonical composition (UAX #15), Hangul handled algorithmically.
enum UnicodeNormalization {
    enum Form: Sendable { case nfd, nfkd, nfc, nfkc }

    private static let sBase: UInt32 = 0xAC00, lBase: UInt32 = 0x1100, vBase: UInt32 = 0x1161, tBase: UInt32 = 0x11A7
    private static let lCount: UInt32 = 19, vCount: UInt32 = 21, tCount: UInt32 = 28
    private static let nCount: UInt32 = vCount * tCount, sCount: UInt32 = lCount * nCount

    /// Whether `form` may change `text` (false means the text is already normalized).
    static func mayChange(_ text: [UInt32], form: Form) -> Bool {
        let data = UnicodeData.shared
        switch form {
        case .nfc:
            for c in text where c >= 0x300 && data.nfcUnstable.contains(c) { return true }
            return false
        case .nfkc:
            for c in text where c >= 0xA0 && data.nfkcUnstable.contains(c) { return true }
            return false
        case .nfd:
            for c in text where c >= 0xC0 && data.nfdUnstable.contains(c) { return true }
            return false
        case .nfkd:
            for c in text where c >= 0xA0 && data.nfkdUnstable.contains(c) { return true }
            return false
        }
    }

    static func normalize(_ text: [UInt32], form: Form) -> [UInt32] {
        if !mayChange(text, form: form) { return text }
        let compat = form == .nfkd || form == .nfkc
        var out = decompose(text, compatibility: compat)
        reorder(&out)
        if form == .nfc || form == .nfkc { compose(&out) }
        return out
    }

    static func decompose(_ text: [UInt32], compatibility: Bool) -> [UInt32] {
        let data = UnicodeData.shared
        var out: [UInt32] = []
        out.reserveCapacity(text.count + 8)
        for c in text {
            if c >= sBase && c < sBase + sCount {
                let s = c - sBase
                out.append(lBase + s / nCount)
                out.append(vBase + (s % nCount) / tCount)
                let t = s % tCount
                if t != 0 { out.append(tBase + t) }
            } else if c < 0xA0 {
                out.append(c)
            } else if compatibility, let d = data.compatibilityDecomposition[c] {
                out.append(contentsOf: d)
            } else if let d = data.canonicalDecomposition[c] {
                out.append(contentsOf: d)
            } else {
                out.append(c)
            }
        }
        return out
    }

    @inline(__always)
    static func combiningClass(_ c: UInt32) -> UInt8 {
        c < 0x300 ? 0 : (UnicodeData.shared.combiningClass[c] ?? 0)
    }

    /// Canonical ordering: a stable sort by combining class of each run of non-starters.
    static func reorder(_ s: inout [UInt32]) {
        var i = 0
        while i < s.count {
            if combiningClass(s[i]) == 0 {
                i += 1
                continue
            }
            var j = i
            while j < s.count && combiningClass(s[j]) != 0 { j += 1 }
            if j - i > 1 {
                // Insertion sort keeps equal classes in order.
                for k in (i + 1)..<j {
                    let c = s[k]
                    let cc = combiningClass(c)
                    var m = k - 1
                    while m >= i && combiningClass(s[m]) > cc {
                        s[m + 1] = s[m]
                        m -= 1
                    }
                    s[m + 1] = c
                }
            }
            i = j
        }
    }

    private static func composePair(_ a: UInt32, _ b: UInt32) -> UInt32? {
        // Hangul L + V and LV + T.
        if a >= lBase && a < lBase + lCount && b >= vBase && b < vBase + vCount {
            return sBase + ((a - lBase) * vCount + (b - vBase)) * tCount
        }
        if a >= sBase && a < sBase + sCount && (a - sBase) % tCount == 0 && b > tBase && b < tBase + tCount {
            return a + (b - tBase)
        }
        return UnicodeData.shared.composition[UInt64(a) << 32 | UInt64(b)]
    }

    /// Canonical composition of a decomposed, canonically ordered string.
    static func compose(_ s: inout [UInt32]) {
        guard !s.isEmpty else { return }
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var starter = -1
        var lastClass: Int = -1
        for c in s {
            let cc = Int(combiningClass(c))
            if starter >= 0 {
                let adjacent = out.count - 1 == starter
                if adjacent || (lastClass != -1 && lastClass < cc) {
                    if let composed = composePair(out[starter], c) {
                        out[starter] = composed
                        continue
                    }
                }
            }
            if cc == 0 {
                starter = out.count
                lastClass = -1
            } else {
                lastClass = cc
            }
            out.append(c)
        }
        s = out
    }
}
