/// Unicode general categories in the order the tables use.
enum GeneralCategory: UInt8, CaseIterable, Sendable {
    case Lu, Ll, Lt, Lm, Lo, Mn, Mc, Me, Nd, Nl, No, Pc, Pd, Ps, Pe, Pi, Pf, Po
    case Sm, Sc, Sk, So, Zs, Zl, Zp, Cc, Cf, Cs, Co, Cn

    var bit: UInt32 { 1 << UInt32(rawValue) }

    static func named(_ name: Substring) -> GeneralCategory? {
        allCases.first { "\($0)" == name }
    }
}

/// The Unicode behaviour of the reference `tokenizers` crate, parsed once from
/// `ReferenceUnicodeData` (see that file for why these are not Swift's own tables).
final class UnicodeData: Sendable {
    static let shared = UnicodeData()

    /// Two-level category table: `categoryBlocks[blockIndex[c >> 8] << 8 | c & 0xFF]`.
    private let blockIndex: [UInt16]
    private let categoryBlocks: [UInt8]

    let whitespace: ScalarSet          // Oniguruma \s == Rust char::is_whitespace
    let onigWord: ScalarSet            // Oniguruma \w
    let rustRegexWord: ScalarSet       // Rust regex crate \w
    let bertPunctuation: ScalarSet
    let bertControl: ScalarSet         // removed by BertNormalizer clean_text
    let bertWhitespace: ScalarSet      // mapped to ' ' by clean_text
    let bertChinese: ScalarSet
    let combiningMarks: ScalarSet      // removed by the StripAccents normalizer
    let bertNonspacingMarks: ScalarSet // removed by BertNormalizer strip_accents (after NFD)
    /// Extra scalars (beyond upper/lower case) matching an ASCII letter case-insensitively.
    let asciiFoldExtras: [UInt32: [UInt32]]

    let canonicalDecomposition: [UInt32: [UInt32]]
    let compatibilityDecomposition: [UInt32: [UInt32]]
    let combiningClass: [UInt32: UInt8]
    let composition: [UInt64: UInt32]
    let lowercaseMapping: [UInt32: [UInt32]]
    /// Scalars that can change under NFC (decomposable, non-zero ccc, or a composition
    /// second); a string without them is already NFC.
    let nfcUnstable: ScalarSet
    /// Scalars that can change under NFD / NFKD (decomposable or non-zero ccc).
    let nfdUnstable: ScalarSet
    let nfkdUnstable: ScalarSet
    let nfkcUnstable: ScalarSet

    private init() {
        // General categories.
        var runStarts: [UInt32] = []
        var runCats: [UInt8] = []
        for item in ReferenceUnicodeData.generalCategoryRuns.split(separator: " ") {
            let catName = item.suffix(2)
            let start = UInt32(item.dropLast(2), radix: 16) ?? 0
            runStarts.append(start)
            runCats.append(GeneralCategory.named(catName)?.rawValue ?? GeneralCategory.Cn.rawValue)
        }
        var blocks: [UInt8] = []
        var index: [UInt16] = []
        var seen: [[UInt8]: UInt16] = [:]
        var run = 0
        for block in 0..<(0x110000 >> 8) {
            var values = [UInt8](repeating: 0, count: 256)
            for i in 0..<256 {
                let c = UInt32(block << 8 | i)
                while run + 1 < runStarts.count && runStarts[run + 1] <= c { run += 1 }
                values[i] = runCats[run]
            }
            if let existing = seen[values] {
                index.append(existing)
            } else {
                let id = UInt16(blocks.count >> 8)
                seen[values] = id
                blocks.append(contentsOf: values)
                index.append(id)
            }
        }
        blockIndex = index
        categoryBlocks = blocks

        whitespace = ScalarSet(hexRanges: ReferenceUnicodeData.onigWhitespace)
        onigWord = ScalarSet(hexRanges: ReferenceUnicodeData.onigWord)
        rustRegexWord = ScalarSet(hexRanges: ReferenceUnicodeData.rustRegexWord)
        bertPunctuation = ScalarSet(hexRanges: ReferenceUnicodeData.bertPunctuation)
        bertControl = ScalarSet(hexRanges: ReferenceUnicodeData.bertControl)
        bertWhitespace = ScalarSet(hexRanges: ReferenceUnicodeData.bertWhitespace)
        bertChinese = ScalarSet(hexRanges: ReferenceUnicodeData.bertChinese)
        combiningMarks = ScalarSet(hexRanges: ReferenceUnicodeData.combiningMarks)
        bertNonspacingMarks = ScalarSet(hexRanges: ReferenceUnicodeData.bertNonspacingMarks)
        asciiFoldExtras = UnicodeData.parseMap(ReferenceUnicodeData.asciiCaseFoldExtras)

        canonicalDecomposition = UnicodeData.parseMap(ReferenceUnicodeData.canonicalDecompositions)
        compatibilityDecomposition = UnicodeData.parseMap(ReferenceUnicodeData.compatibilityDecompositions)
        var ccc: [UInt32: UInt8] = [:]
        for item in ReferenceUnicodeData.combiningClasses.split(separator: " ") {
            let parts = item.split(separator: ":")
            if parts.count == 2, let c = UInt32(parts[0], radix: 16), let v = UInt8(parts[1]) { ccc[c] = v }
        }
        combiningClass = ccc
        var comp: [UInt64: UInt32] = [:]
        var seconds: [ClosedRange<UInt32>] = []
        for item in ReferenceUnicodeData.compositions.split(separator: " ") {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let c = UInt32(parts[1], radix: 16) else { continue }
            let pair = parts[0].split(separator: ".")
            guard pair.count == 2, let a = UInt32(pair[0], radix: 16), let b = UInt32(pair[1], radix: 16) else { continue }
            comp[UInt64(a) << 32 | UInt64(b)] = c
            seconds.append(b...b)
        }
        composition = comp
        lowercaseMapping = UnicodeData.parseMap(ReferenceUnicodeData.lowercase)

        let decomposable = canonicalDecomposition.keys.map { $0...$0 }
        let compatDecomposable = compatibilityDecomposition.keys.map { $0...$0 }
        let marks = ccc.keys.map { $0...$0 }
        let hangulSyllables: ClosedRange<UInt32> = 0xAC00...0xD7A3
        let hangulSeconds: [ClosedRange<UInt32>] = [0x1161...0x1175, 0x11A8...0x11C2]
        nfcUnstable = ScalarSet(ranges: decomposable + marks + seconds + hangulSeconds)
        nfdUnstable = ScalarSet(ranges: decomposable + marks + [hangulSyllables])
        nfkdUnstable = ScalarSet(ranges: decomposable + compatDecomposable + marks + [hangulSyllables])
        nfkcUnstable = ScalarSet(ranges: decomposable + compatDecomposable + marks + seconds + hangulSeconds)
    }

    private static func parseMap(_ text: String) -> [UInt32: [UInt32]] {
        var out: [UInt32: [UInt32]] = [:]
        for item in text.split(separator: " ") {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let c = UInt32(parts[0], radix: 16) else { continue }
            out[c] = parts[1].split(separator: ".").compactMap { UInt32($0, radix: 16) }
        }
        return out
    }

    @inline(__always)
    func category(_ c: UInt32) -> GeneralCategory {
        guard c < 0x110000 else { return .Cn }
        let block = Int(blockIndex[Int(c >> 8)])
        return GeneralCategory(rawValue: categoryBlocks[block << 8 | Int(c & 0xFF)]) ?? .Cn
    }

    @inline(__always)
    func categoryBit(_ c: UInt32) -> UInt32 {
        guard c < 0x110000 else { return GeneralCategory.Cn.bit }
        let block = Int(blockIndex[Int(c >> 8)])
        return 1 << UInt32(categoryBlocks[block << 8 | Int(c & 0xFF)])
    }

    @inline(__always)
    func isWhitespace(_ c: UInt32) -> Bool {
        if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) }
        return whitespace.contains(c)
    }
}
