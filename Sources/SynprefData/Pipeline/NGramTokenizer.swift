/// Word n-grams for decontamination, hashed to 64 bits.
///
/// Tokenization, exactly: every Unicode scalar is replaced by its lowercase mapping
/// (Unicode's full default mapping per scalar, e.g. "İ" → "i̇"; no context-dependent rules
/// such as the Greek final sigma); a word is then a maximal run of scalars whose general
/// category is a letter (Lu, Ll, Lt, Lm, Lo) or a number (Nd, Nl, No); everything else
/// (spaces, punctuation, symbols, marks, "_") separates words. An n-gram is n consecutive
/// words. `words` and `ngrams` in scripts/reference/data_format_fixtures.py implement the
/// same rule in Python (`unicodedata.category`) for the test fixtures.
///
/// Words are hashed with 64-bit FNV-1a over their lowercased UTF-8; an n-gram's hash is
/// the polynomial Σ h(wᵢ)·B^(n−1−i) mod 2⁶⁴ (B odd), updated in O(1) per word.
public struct NGramTokenizer: Sendable {
    public let n: Int
    private let top: UInt64  // B^(n-1)
    static let base: UInt64 = 0x100_0000_01B3 &* 0x9E37_79B9  // odd

    public init(n: Int = 13) {
        self.n = max(1, n)
        var t: UInt64 = 1
        for _ in 0..<(self.n - 1) { t = t &* NGramTokenizer.base }
        top = t
    }

    /// Calls `body` with the hash of every word of `text`, in order.
    public func forEachWordHash(_ text: String, _ body: (UInt64) -> Void) {
        var copy = text
        copy.withUTF8 { buf in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            var inWord = false
            @inline(__always) func add(_ b: UInt8) {
                h = (h ^ UInt64(b)) &* 0x100_0000_01B3
                inWord = true
            }
            @inline(__always) func end() {
                if inWord { body(h) }
                h = 0xCBF2_9CE4_8422_2325
                inWord = false
            }
            var i = 0
            let n = buf.count
            while i < n {
                let b = buf[i]
                if b < 0x80 {
                    if b >= 0x61 && b <= 0x7A || b >= 0x30 && b <= 0x39 {
                        add(b)
                    } else if b >= 0x41 && b <= 0x5A {
                        add(b | 0x20)
                    } else {
                        end()
                    }
                    i += 1
                    continue
                }
                // Decode one non-ASCII scalar (input is valid UTF-8: it is a String).
                let len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                var v = UInt32(b) & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07)
                for k in 1..<len where i + k < n { v = v << 6 | UInt32(buf[i + k] & 0x3F) }
                i += len
                guard let scalar = Unicode.Scalar(v) else {
                    end()
                    continue
                }
                for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                    if NGramTokenizer.isWordScalar(lower) {
                        let u = lower.value
                        if u < 0x80 {
                            add(UInt8(u))
                        } else if u < 0x800 {
                            add(UInt8(0xC0 | u >> 6)); add(UInt8(0x80 | u & 0x3F))
                        } else if u < 0x10000 {
                            add(UInt8(0xE0 | u >> 12)); add(UInt8(0x80 | (u >> 6) & 0x3F)); add(UInt8(0x80 | u & 0x3F))
                        } else {
                            add(UInt8(0xF0 | u >> 18)); add(UInt8(0x80 | (u >> 12) & 0x3F))
                            add(UInt8(0x80 | (u >> 6) & 0x3F)); add(UInt8(0x80 | u & 0x3F))
                        }
                    } else {
                        end()
                    }
                }
            }
            end()
        }
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Calls `body` with the hash of every n-gram of `text`, in order.
    public func forEachNGram(_ text: String, _ body: (UInt64) -> Void) {
        var ring = [UInt64](repeating: 0, count: n)
        var count = 0
        var h: UInt64 = 0
        forEachWordHash(text) { w in
            let slot = count % n
            if count >= n { h = h &- ring[slot] &* top }
            h = h &* NGramTokenizer.base &+ w
            ring[slot] = w
            count += 1
            if count >= n { body(h) }
        }
    }

    /// The words of `text` (for tests and reports).
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                if isWordScalar(lower) {
                    current.append(lower)
                } else if !current.isEmpty {
                    out.append(String(current))
                    current = String.UnicodeScalarView()
                }
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }
}
