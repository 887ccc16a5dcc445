#!/usr/bin/env python3
"""Derives the Unicode tables SynprefText needs from the reference `tokenizers` library.

Why: the Rust crate mixes several Unicode versions -- Oniguruma's tables for regex
`\\p{..}` (Unicode 16 in tokenizers 0.23.3), `unicode-normalization-alignments` for
NFC/NFD/NFKC/NFKD (about Unicode 9), `unicode_categories` for the BERT components (also
old), Rust's std for lowercase and whitespace. Swift 6.3 ships Unicode 17 tables, which
differ on thousands of code points. To split and normalize exactly as the crate does we
observe the crate's behaviour on every code point and write it down as tables.

Output: Sources/SynprefText/Unicode/ReferenceUnicodeData.swift (compact string literals
parsed once at first use). Run with the reference venv:
    /work/venv/bin/python scripts/reference/tokenizer_unicode_tables.py
"""
import os
import sys
import unicodedata

import tokenizers
from tokenizers import Regex, normalizers, pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Sources/SynprefText/Unicode/ReferenceUnicodeData.swift")

CPS = [c for c in range(0x110000) if not (0xD800 <= c <= 0xDFFF)]
ALL = "".join(chr(c) for c in CPS)
CATEGORIES = ("Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po "
              "Sm Sc Sk So Zs Zl Zp Cc Cf Co Cn").split()


def onig_members(pattern):
    """Code points matched by a one-character onig pattern (via the Split pre-tokenizer)."""
    split = pre_tokenizers.Split(Regex(pattern), "removed", invert=True)
    members = []
    for piece, _ in split.pre_tokenize_str(ALL):
        assert len(piece) == 1, (pattern, piece)
        members.append(ord(piece))
    return members


def ranges(members):
    """Sorted code points -> [(start, end)] inclusive runs."""
    out = []
    for c in sorted(members):
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def fmt_ranges(members):
    return " ".join(f"{a:X}" if a == b else f"{a:X}-{b:X}" for a, b in ranges(members))


def per_char(fn):
    """{cp: result} for code points whose one-character result differs from the input."""
    out = {}
    for c in CPS:
        r = fn(chr(c))
        if r != chr(c):
            out[c] = r
    return out


def fmt_map(m):
    return " ".join(f"{c:X}:" + ".".join(f"{ord(x):X}" for x in v) for c, v in sorted(m.items()))


def main():
    # --- Oniguruma general categories (regex \p{..}) -------------------------------------
    cat_of = {}
    for cat in CATEGORIES:
        for c in onig_members(r"\p{%s}" % cat):
            assert c not in cat_of, (cat, c)
            cat_of[c] = cat
    missing = [c for c in CPS if c not in cat_of]
    assert not missing, f"code points without an onig category: {missing[:10]}"
    runs = []
    prev = None
    for c in range(0x110000):
        cat = "Cs" if 0xD800 <= c <= 0xDFFF else cat_of[c]
        if cat != prev:
            runs.append(f"{c:X}{cat}")
            prev = cat
    onig_space = onig_members(r"\s")
    onig_word = onig_members(r"\w")
    onig_digit = onig_members(r"\d")
    assert sorted(onig_digit) == sorted(c for c in CPS if cat_of[c] == "Nd"), "onig \\d != Nd"

    # --- case-insensitive literals: what (?i:x) matches for every ASCII letter -------------
    folds = {}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        got = set(onig_members("(?i:%s)" % letter))
        extra = sorted(got - {ord(letter), ord(letter.upper())})
        if extra:
            folds[ord(letter)] = extra

    # --- Rust `regex` crate \w (Whitespace pre-tokenizer, AddedToken single_word) ---------
    ws = pre_tokenizers.Whitespace()
    rust_word = []
    for c in CPS:
        if len(ws.pre_tokenize_str("a" + chr(c) + "a")) == 1:
            rust_word.append(c)

    # --- Rust char::is_whitespace via WhitespaceSplit ------------------------------------
    wss = pre_tokenizers.WhitespaceSplit()
    rust_space = [c for c in CPS if len(wss.pre_tokenize_str("a" + chr(c) + "a")) == 2]
    assert rust_space == onig_space, "Rust is_whitespace and onig \\s differ"

    # --- BERT: punctuation, control, chinese (unicode_categories crate) -------------------
    bp = pre_tokenizers.BertPreTokenizer()
    bert_punct = [c for c in CPS if len(bp.pre_tokenize_str("a" + chr(c) + "a")) == 3]
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                       strip_accents=False, lowercase=False)
    bert_removed, bert_space = [], []
    for c in CPS:
        r = clean.normalize_str(chr(c))
        if r == "":
            bert_removed.append(c)
        elif r == " " and c != 0x20:
            bert_space.append(c)
        else:
            assert r == chr(c), (c, r)
    chinese = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True,
                                         strip_accents=False, lowercase=False)
    bert_chinese = []
    for c in CPS:
        r = chinese.normalize_str(chr(c))
        if r != chr(c):
            assert r == " " + chr(c) + " ", (c, r)
            bert_chinese.append(c)

    # --- Normalization (unicode-normalization-alignments) ---------------------------------
    nfd = normalizers.NFD()
    nfkd = normalizers.NFKD()
    nfc = normalizers.NFC()
    hangul = range(0xAC00, 0xD7A4)
    canon = {c: v for c, v in per_char(nfd.normalize_str).items() if c not in hangul}
    compat_all = {c: v for c, v in per_char(nfkd.normalize_str).items() if c not in hangul}
    compat = {c: v for c, v in compat_all.items() if canon.get(c) != v}
    # Canonical combining classes: a mark reorders with U+0334 (ccc 1) iff its ccc > 1 and
    # with U+0301 (ccc 230) iff 0 < ccc < 230. Values come from Python's unicodedata for
    # the marks the crate knows (the crate's Unicode is older than Python's).
    ccc = {}
    for c in CPS:
        if c in canon or c in hangul:
            continue
        s = chr(c)
        above = nfd.normalize_str("a" + s + "\u0334") != "a" + s + "\u0334"
        below = nfd.normalize_str("a\u0301" + s) != "a\u0301" + s
        if above or below:
            value = unicodedata.combining(s)
            assert value > 0, (hex(c), "crate has a ccc but Python does not")
            assert (value > 1) == above and (value < 230) == below, (hex(c), value, above, below)
            ccc[c] = value
    # Primary composites: pairs (a, b) from the one-level canonical decomposition that the
    # crate's NFC recomposes.
    compose = {}
    for c in CPS:
        d = unicodedata.decomposition(chr(c))
        if not d or d.startswith("<"):
            continue
        parts = [int(x, 16) for x in d.split()]
        if len(parts) != 2:
            continue
        if nfc.normalize_str(chr(parts[0]) + chr(parts[1])) == chr(c):
            compose[c] = parts

    # --- Lowercase (Rust char::to_lowercase) -----------------------------------------------
    lower = per_char(normalizers.Lowercase().normalize_str)

    # --- StripAccents removes combining marks (General_Category M of the normalization
    # crate); BertNormalizer's strip_accents runs NFD and then removes nonspacing marks
    # (Mn of the unicode_categories crate).
    sa = normalizers.StripAccents()
    combining = [c for c in CPS if sa.normalize_str("a" + chr(c)) == "a"]
    bert_sa = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                         strip_accents=True, lowercase=False)
    bert_mn = [c for c in CPS if c not in canon and c not in hangul
               and bert_sa.normalize_str("a" + chr(c)) == "a"]

    lines = [
        "// Generated by scripts/reference/tokenizer_unicode_tables.py from the reference",
        f"// `tokenizers` {tokenizers.__version__} (Python). Do not edit by hand.",
        "//",
        "// The Rust crate uses several Unicode versions at once (Oniguruma for regexes, an old",
        "// normalization crate, an old `unicode_categories` crate for BERT); these tables record",
        "// what the crate does on every code point so that SynprefText behaves identically,",
        "// whatever Unicode version the Swift toolchain ships. Formats (hexadecimal):",
        "// runs `<start><Cat>`; ranges `a-b` or `a`; maps `cp:x.y.z`; ccc `cp:value` (decimal).",
        "enum ReferenceUnicodeData {",
        f'    static let generalCategoryRuns = "{" ".join(runs)}"',
        f'    static let onigWhitespace = "{fmt_ranges(onig_space)}"',
        f'    static let onigWord = "{fmt_ranges(onig_word)}"',
        "    /// Extra code points (beyond the two ASCII cases) that Oniguruma's case-insensitive",
        "    /// matching accepts for each ASCII letter.",
        '    static let asciiCaseFoldExtras = "' + " ".join(
            f"{k:X}:" + ".".join(f"{x:X}" for x in v) for k, v in sorted(folds.items())) + '"',
        f'    static let rustRegexWord = "{fmt_ranges(rust_word)}"',
        f'    static let bertPunctuation = "{fmt_ranges(bert_punct)}"',
        f'    static let bertControl = "{fmt_ranges(bert_removed)}"',
        f'    static let bertWhitespace = "{fmt_ranges(bert_space)}"',
        f'    static let bertChinese = "{fmt_ranges(bert_chinese)}"',
        f'    static let combiningMarks = "{fmt_ranges(combining)}"',
        f'    static let bertNonspacingMarks = "{fmt_ranges(bert_mn)}"',
        f'    static let canonicalDecompositions = "{fmt_map(canon)}"',
        f'    static let compatibilityDecompositions = "{fmt_map(compat)}"',
        '    static let combiningClasses = "' + " ".join(f"{c:X}:{v}" for c, v in sorted(ccc.items())) + '"',
        '    static let compositions = "' + " ".join(
            f"{a:X}.{b:X}:{c:X}" for c, (a, b) in sorted(compose.items())) + '"',
        f'    static let lowercase = "{fmt_map(lower)}"',
        "}",
        "",
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print(f"wrote {OUT}: {len(runs)} category runs, {len(canon)} canonical and {len(compat)} "
          f"compatibility decompositions, {len(ccc)} ccc, {len(compose)} compositions, "
          f"{len(lower)} lowercase, folds {folds}", file=sys.stderr)


if __name__ == "__main__":
    main()
