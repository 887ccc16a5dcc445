#!/usr/bin/env python3
"""Generates the tokenizer parity corpus (deterministic: fixed seed, sorted inputs).

    python3 scripts/reference/tokenizer_corpus.py

Writes Tests/SynprefTextTests/Fixtures/parity/corpus.jsonl.gz: one JSON line per string,
{"k": kind, "t": text}. Kinds: hand-written edge cases (contractions in every case,
whitespace and digit runs, CRLF, special-token strings inside text, NFC vs NFD, emoji
ZWJ sequences and skin tones, combining marks, code, many scripts), Unicode sweeps
(random scalars of every category, including characters whose category differs between
Unicode versions), random mixtures of tricky characters, real text (Anthropic HH-RLHF,
MIT; a few hundred short RMB prompts/answers for languages other than English), and
strings of 10,000+ characters. Plain python3; reads /work/shared/data (override with
$SYNPREF_SHARED_DATA).
"""
import glob
import gzip
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests/SynprefTextTests/Fixtures/parity/corpus.jsonl.gz")
DATA = os.environ.get("SYNPREF_SHARED_DATA", "/work/shared/data")
SEED = 20260527

# Characters assigned in Unicode 17 (Swift 6.3's tables) but unassigned for Oniguruma in
# tokenizers 0.23.3 (Unicode 16): the engine must follow Oniguruma here.
UNICODE17 = [(0x88F, 0x88F), (0xC5C, 0xC5C), (0xCDC, 0xCDC), (0x1ACF, 0x1ADD), (0x1AE0, 0x1AEB),
             (0x20C1, 0x20C1), (0x2B96, 0x2B96), (0xA7CE, 0xA7CF), (0xA7D2, 0xA7D2), (0xA7D4, 0xA7D4),
             (0xA7F1, 0xA7F1), (0xFBC3, 0xFBD2), (0xFD90, 0xFD91), (0xFDC8, 0xFDCE), (0x10940, 0x10959),
             (0x10EC5, 0x10EC7), (0x10ED0, 0x10ED8), (0x10EFA, 0x10EFB), (0x11B60, 0x11B67),
             (0x11DB0, 0x11DDB), (0x11DE0, 0x11DE9), (0x16EA0, 0x16EB8), (0x16EBB, 0x16ED3),
             (0x16FF2, 0x16FF6), (0x187F8, 0x187FF), (0x18D09, 0x18D1E), (0x18D80, 0x18DF2),
             (0x1CCFA, 0x1CCFC), (0x1CEBA, 0x1CED0), (0x1CEE0, 0x1CEF0), (0x1E6C0, 0x1E6DE),
             (0x1E6E0, 0x1E6F5), (0x1E6FE, 0x1E6FF), (0x1F6D8, 0x1F6D8), (0x1F777, 0x1F77A),
             (0x1F8D0, 0x1F8D8), (0x1FA54, 0x1FA57), (0x1FA8A, 0x1FA8A), (0x1FA8E, 0x1FA8E),
             (0x1FAC8, 0x1FAC8), (0x1FACD, 0x1FACD), (0x1FAEA, 0x1FAEA), (0x1FAEF, 0x1FAEF),
             (0x1FBFA, 0x1FBFA), (0x2B73A, 0x2B73F), (0x2CEA2, 0x2CEAD), (0x323B0, 0x33479)]
# Characters new in Unicode 15-16 (Oniguruma knows them; Python 3.11's unicodedata and the
# old crates used for normalization and BERT do not) and a few with changed properties.
NEWER = [(0x1E030, 0x1E06D), (0x1E4D0, 0x1E4F9), (0x11F00, 0x11F59), (0x13460, 0x143FA),
         (0x16D40, 0x16D79), (0x1E5D0, 0x1E5FA), (0x10D40, 0x10D8F), (0x105C0, 0x105F3),
         (0x1CC00, 0x1CCF9), (0x31350, 0x323AF), (0x2EBF0, 0x2EE5D), (0x0295, 0x0295),
         (0x1C89, 0x1C8A), (0x16100, 0x16139), (0x11380, 0x113E2), (0x1F8B0, 0x1F8BB)]

SPECIAL_STRINGS = [
    "<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>",
    "<|reserved_special_token_0|>", "<|reserved_special_token_247|>", "<|python_tag|>", "<|eom_id|>",
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
    "<|vision_pad|>", "<|fim_prefix|>", "<tool_response>",
    "[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "[cls]", "[Sep]",
]

SCRIPTS = {
    "chinese": "深度学习模型的训练需要大量的数据和计算资源。我们今天去公园散步吧，天气很好！「引号」《书名》，。、；：？！",
    "japanese": "東京は日本の首都です。ひらがなとカタカナ、そして漢字を使います。ｶﾀｶﾅ（半角）もあります。",
    "korean": "안녕하세요, 세계! 한국어 문장은 띄어쓰기를 합니다. 한글 자모: ㄱㄴㄷ 각",
    "arabic": "مرحبا بالعالم! هذه جملة عربية مع التشكيل: مُحَمَّدٌ رَسُولُ. الأرقام: ٠١٢٣٤٥٦٧٨٩",
    "hebrew": "שלום עולם! זוהי שורה בעברית עם ניקוד: בְּרֵאשִׁית",
    "devanagari": "नमस्ते दुनिया! यह हिन्दी का वाक्य है। क्षत्रिय, द्वार, श्री। अंक: ०१२३४५६७८९",
    "cyrillic": "Привет, мир! Съешь же ещё этих мягких французских булок. ЁЖИК ёжик Ґ ґ Ї ї",
    "greek": "Γειά σου Κόσμε! Το ΣΊΓΜΑ και το σίγμα: ς σ Σ. ΐ ΰ",
    "thai": "สวัสดีชาวโลก ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ ๑๒๓",
    "vietnamese": "Tiếng Việt có dấu: Cụ thể, chúng tôi sẽ tham gia. Ộ ộ Ự ự",
    "armenian_georgian": "Բարեւ աշխարհ! გამარჯობა მსოფლიო!",
    "ethiopic": "ሰላም ልዑል! ፩፪፫",
    "tamil_bengali": "வணக்கம் உலகம்! হ্যালো বিশ্ব!",
    "latin_ext": "Ærøskøbing Œuvre ǅemal ǈubljana ŉ ẞ straße İstanbul ıi ﬁne ﬂow Ǆ",
    "math": "∑ᵢ xᵢ² ≤ ∞ ∀ε>0 ∃δ: |x−y|<δ ⇒ |f(x)−f(y)|<ε ℝ ℂ ℕ ∫₀¹ √2 ½ ⅓ ² ³ ① ⑳ Ⅻ",
    "symbols": "© ® ™ € £ ¥ ₹ ₿ § ¶ † ‡ • … ‰ ′ ″ ← → ↔ ⇐ ♠ ♥ ♦ ♣ ✓ ✗ ★ ☆ ☃ ⌘ ⌥ ␣",
}

EMOJI = [
    "👨‍👩‍👧‍👦", "👩🏽‍💻", "🧑🏿‍🤝‍🧑🏻", "👍🏽", "👋🏻👋🏼👋🏽👋🏾👋🏿", "🏳️‍🌈", "🏴‍☠️", "🇺🇸🇯🇵🇫🇷", "1️⃣ #️⃣ *️⃣",
    "❤️", "❤", "🫠🫡🫥", "🤷🏽‍♀️", "🙇‍♂️", "😀😃😄😁😆", "🦀🐍🦊", "👁️‍🗨️", "🏃🏾‍♀️‍➡️", "☺️☺",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🧔🏻‍♂️", "🐕‍🦺", "🐈‍⬛",
]

CODE = [
    'def f(x):\n    return x ** 2  # square\n\nprint(f(3))\n',
    'for (int i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}\n',
    'let dict = ["a": 1, "b": 2]\nguard let v = dict["a"] else { fatalError() }\n',
    'SELECT id, name FROM users WHERE age >= 18 AND name LIKE \'%son\';',
    '<div class="x">Hello &amp; <b>world</b></div>\r\n<script>alert("hi");</script>',
    '{"key": [1, 2.5, -3e10, true, null], "nested": {"a": "b\\n"}}',
    '#!/usr/bin/env bash\nset -euo pipefail\nfor f in *.txt; do echo "$f"; done\n',
    'fn main() { let v: Vec<u32> = (0..10).map(|x| x * x).collect(); println!("{:?}", v); }',
    '    \t    indented(with, mixed);\t\t// tabs and spaces\n',
    'x=1;y=2;z=x+y;if(z>=3){console.log(`z=${z}`)}',
    '$$ \\frac{a}{b} = \\sum_{i=1}^{n} \\alpha_i^2 $$',
    'https://example.com/path?q=a+b&lang=en#frag user@example.org 192.168.0.1:8080',
]


def add(out, kind, text):
    out.append({"k": kind, "t": text})


def hand_written(out, rng):
    contractions = ["s", "t", "re", "ve", "m", "ll", "d"]
    subjects = ["DON", "don", "i", "I", "We", "we", "it", "IT", "They", "she", "", " ", "x", "1", "é"]
    for c in contractions:
        variants = {c, c.upper(), c.capitalize(), c[0] + c[1:].upper() if len(c) > 1 else c.upper()}
        for v in sorted(variants):
            for subj in subjects:
                for apos in ["'", "’"]:
                    add(out, "contraction", f"{subj}{apos}{v} now")
    for text in ["DON'T", "i'Ll", "I'M", "we'Re", "You'VE", "he'D", "it'S", "can'T", "'s", "'S", "''s", "' s",
                 "it'ſ", "we'ﬅ", "I'K", "O'Neil's", "rock'n'roll", "'twas 'tis", "y'all'd've", "'LL'", "'d'd'd",
                 "don't\ndon't\r\ndon'T", "'\u017f \u212a 'K"]:
        add(out, "contraction", text)
    for n in [1, 2, 3, 4, 5, 7, 10, 16, 33, 64, 100]:
        add(out, "whitespace", " " * n)
        add(out, "whitespace", "a" + " " * n + "b")
        add(out, "whitespace", "a" + "\n" * min(n, 20) + "b")
        add(out, "whitespace", "\t" * min(n, 30) + "x")
        add(out, "whitespace", "x" + " " * n)
        add(out, "whitespace", " " * n + "x" + " " * n)
    for s in ["\r\n", "a\r\nb", "a\r\n\r\nb", "\r", "a\rb", "\n\r", " \n", "\n ", " \n \n ", "a \n\n  b", "a  \n  b",
              "\t\n\t", "a\u00a0b", "a\u3000b", "a\u2028b\u2029c", "a\u0085b", "a\u200bb", "\ufeffBOM", "a\u000bb\u000cc",
              "end.\n", "  leading", "trailing  ", " both ", "\n\nparagraph\n\n", "x \t y", "a\t\t\tb"]:
        add(out, "whitespace", s)
    for n in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 37, 50, 100]:
        digits = "".join(rng.choice("0123456789") for _ in range(n))
        add(out, "digits", digits)
        add(out, "digits", "v" + digits + "x")
        add(out, "digits", " " + digits)
    for s in ["1,234,567.89", "3.14159", "-42", "+1e-10", "0x1F", "2024-05-27T12:34:56Z", "١٢٣٤٥", "१२३", "１２３４５",
              "²³¹", "½¼", "Ⅻ", "①②③", "𝟏𝟐𝟑", "12a34b56", "a1b2c3", "1 2 3", "100%", "$1,000", "€5"]:
        add(out, "digits", s)
    for name, text in SCRIPTS.items():
        add(out, "script:" + name, text)
        words = text.split(" ")
        for _ in range(6):
            k = rng.randint(1, max(1, len(words)))
            add(out, "script:" + name, " ".join(rng.choice(words) for _ in range(k)))
    for e in EMOJI:
        add(out, "emoji", e)
        add(out, "emoji", "I love it " + e + "!")
        add(out, "emoji", e + e + " " + e)
    for s in ["e\u0301", "\u00e9", "caf\u00e9 cafe\u0301", "n\u0303", "\u1e69", "s\u0323\u0307", "s\u0307\u0323",
              "a\u0308\u0301\u0302\u0303\u0304", "Z\u0351\u0352\u0353\u0354\u0355\u0356a\u0357\u0358\u0359lgo", "\u0301start",
              "\uac00", "\u1100\u1161", "\u1100\u1161\u11a8", "\uac01", "\u212b \u00c5 A\u030a", "\u2126 \u03a9", "\ufb01 \ufb03",
              "\u1e9b\u0323", "\u0958", "\u0915\u093c", "\u00bd \u2153", "\u2460", "\u3392", "\uff28\uff45\uff4c\uff4c\uff4f",
              "\u210c\u2111", "\u01c4\u01c5\u01c6", "\u0f73 \u0f75 \u0f81", "\u0344", "\u0340\u0341", "\u2000\u2001 \u2002",
              "\u00a8 \u00af \u00b4", "\u1fbf\u1fc0", "\u0387\u037e", "Ǆungla"]:
        add(out, "nfc_nfd", s)
        for form in ["NFC", "NFD", "NFKC", "NFKD"]:
            import unicodedata
            add(out, "nfc_nfd", unicodedata.normalize(form, s) + " / " + s)
    for s in SPECIAL_STRINGS:
        add(out, "special", s)
        add(out, "special", "Hello " + s + " world")
        add(out, "special", "x" + s + "y")
        add(out, "special", s + s)
        add(out, "special", " " + s + " ")
        add(out, "special", s[:-1])
        add(out, "special", s[1:])
    for s in ["<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello<|eot_id|>",
              "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello!<|im_end|>\n",
              "[CLS] the man went to the [MASK] . [SEP] he bought a gallon of milk . [SEP]",
              "<|eot_id|<|eot_id|>", "<<|im_end|>>", "<|im_start|><|im_start|>x", "<think></think>", "<think>\n</think>",
              "<|begin_of_text|><|begin_of_text|>", "<tool_call>\n{\"name\": \"f\"}\n</tool_call>"]:
        add(out, "special", s)
    for s in CODE:
        add(out, "code", s)
    for s in ["", " ", "a", "A", ".", "'", "’", "\n", "\t", "\r\n", "?!", "...", "—", "–", "--", "~~", "``", "''",
              "Hello, World!", "HELLO WORLD", "hello world", "Hello World Hello World", "x" * 60,
              "The quick brown fox jumps over the lazy dog.", "THE QUICK BROWN FOX", "ÀÉÎÕÜ àéîõü",
              "Straße STRASSE", "İi Iı", "ΣΑΣ σας", "ǅ ǈ ǋ ǲ", "Mr. O'Brien-Smith (b. 1970) & co.", "@user #tag $var %mod ^caret",
              "\x00", "a\x00b", "\x07\x1b[31mred\x1b[0m", "\ufffd", "\uffff", "\U0010FFFD", "\ue000\uf8ff", "\u0378\u0379",
              "\U0001FFFF", "(\u200d)", "a\u200cb\u200dc", "\u202eRTL override\u202c", "\u00ad soft\u00adhyphen"]:
        add(out, "edge", s)


def unicode_sweeps(out, rng):
    # Random scalars from the whole code space (excluding surrogates), with separators.
    for _ in range(250):
        chars = []
        for _ in range(rng.randint(1, 24)):
            r = rng.random()
            if r < 0.5:
                c = rng.randint(0x80, 0x2FFFF)
            elif r < 0.7:
                c = rng.randint(0x20, 0x7F)
            else:
                c = rng.randint(0x0, 0x10FFFF)
            if 0xD800 <= c <= 0xDFFF:
                c = 0x20
            chars.append(chr(c))
            if rng.random() < 0.2:
                chars.append(rng.choice([" ", "\n", "'s", "1", "a", "。"]))
        add(out, "sweep", "".join(chars))
    for ranges, kind in [(UNICODE17, "sweep:unicode17"), (NEWER, "sweep:unicode15-16")]:
        for lo, hi in ranges:
            for _ in range(2):
                n = rng.randint(1, 8)
                s = "".join(chr(rng.randint(lo, hi)) for _ in range(n))
                add(out, kind, s)
                add(out, kind, "word" + s + " " + s + "123 x'" + s)


def random_mixtures(out, rng):
    alphabet = (list("abcXYZ019 ") + ["'", "’", "\n", "\r", "\t", "  ", "\r\n", ".", ",", "!", "?", "-", "_", "/", "\\", "(", ")",
                "'s", "'T", "'re", "'LL", "'d", "'m", "'ve", "é", "e\u0301", "ß", "İ", "ſ", "K", "Ω", "你", "好", "の", "カ", "한",
                "ب", "ि", "क", "ж", "Ж", "٣", "５", "½", "²", "😀", "👍🏽", "‍", "\u200b", "\u00a0", "\u3000", "\u2028",
                "\u0301", "\u0308", "#", "$", "%", "&", "*", "+", "=", "<", ">", "|", "~", "`", "@", "^", "{", "}", "[", "]",
                ":", ";", "\"", "<|eot_id|>", "<|im_end|>", "<think>", "[SEP]", "[CLS]", "\x00", "\x1f", "\x7f", "\u0085",
                "\ue000", "\U0001F600", "\U00031350", "\u088f"])
    for _ in range(2400):
        n = rng.randint(1, 40)
        add(out, "random", "".join(rng.choice(alphabet) for _ in range(n)))


def hh_rlhf(out, rng):
    path = os.path.join(DATA, "hh-rlhf/harmless-base/test.jsonl.gz")
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            rows.append(json.loads(line))
    picked = rng.sample(range(len(rows)), 900)
    for i in picked:
        text = rows[i]["chosen"] if rng.random() < 0.5 else rows[i]["rejected"]
        if len(text) > 1200:
            start = rng.randint(0, len(text) - 1200)
            text = text[start:start + 1200]
        add(out, "hh-rlhf", text)
    return rows


def rmb(out, rng):
    base = os.path.join(DATA, "benchmarks/rmb/RMB_dataset")
    snippets = []
    for f in sorted(glob.glob(os.path.join(base, "**/*.json"), recursive=True)):
        with open(f, encoding="utf-8") as fh:
            for row in json.load(fh):
                for m in row.get("conversation_input", []):
                    lang = m.get("language")
                    if lang and lang != "English" and m.get("content"):
                        snippets.append(m["content"])
                best = row.get("bon_best") or row.get("chosen") or {}
                answer = best.get("answer", "")
                if any(ord(ch) > 0x2E80 for ch in answer[:200]):
                    snippets.append(answer)
    snippets = sorted(set(snippets))
    rng.shuffle(snippets)
    for s in snippets[:450]:
        add(out, "rmb", s[:600])


def long_strings(out, rng, hh_rows):
    joined = "\n\n".join(r["chosen"] for r in hh_rows[:40])
    add(out, "long", joined[:12000])
    add(out, "long", "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10500)))
    add(out, "long", "".join(rng.choice("0123456789") for _ in range(10200)))
    add(out, "long", " " * 10050 + "x")
    add(out, "long", "".join(rng.choice(SCRIPTS["chinese"] + SCRIPTS["japanese"]) for _ in range(10100)))
    add(out, "long", ("Hello 👋🏽 мир 世界! it's DON'T \r\n\t" * 400)[:11000])
    add(out, "long", "\n" * 10001 + "end")
    add(out, "long", "".join(rng.choice(["e\u0301", "a", " ", "\u0308", "x"]) for _ in range(10300)))


def main():
    rng = random.Random(SEED)
    out = []
    hand_written(out, rng)
    unicode_sweeps(out, rng)
    random_mixtures(out, rng)
    rows = hh_rlhf(out, rng)
    rmb(out, rng)
    long_strings(out, rng, rows)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        for item in out:
            f.write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))
    chars = sum(len(x["t"]) for x in out)
    print(f"{OUT}: {len(out)} strings, {chars} characters, {os.path.getsize(OUT)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
