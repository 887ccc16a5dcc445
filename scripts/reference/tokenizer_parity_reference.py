#!/usr/bin/env python3
"""Reference ids, decodes and regex splits for the tokenizer parity tests.

    /work/venv/bin/python scripts/reference/tokenizer_parity_reference.py

Runs the Python `tokenizers` library (0.23.3) on the committed corpus
(Tests/SynprefTextTests/Fixtures/parity/corpus.jsonl.gz, made by tokenizer_corpus.py)
with the real assets of scripts/fetch-assets.sh ($SYNPREF_ASSETS, default
~/.cache/synpref/assets): llama3/tokenizer.json, qwen/tokenizer.json (built by
tokenizer_qwen_convert.py), minilm/tokenizer.json. Truncation and padding are switched
off, as transformers does when called without those arguments.

Writes, next to the corpus:
  <name>.jsonl.gz  first line {"tokenizer", "sha256", "vocab_size", "tokenizers"}; then per
                   corpus line {"ids": encode(add_special_tokens=False)} plus, when not
                   empty or not equal to the text, "pre"/"post" (encode(add_special_tokens=True)
                   == pre + ids + post), "d0" = decode(ids, skip_special_tokens=False),
                   "d1" = decode(pre+ids+post, skip_special_tokens=True), and for every 7th
                   line "pk"/"pd" = k and decode(ids[:k]) with k = len(ids) // 2 (cuts
                   multi-byte characters, exercising lossy UTF-8).
  regex_splits.jsonl.gz  per corpus line the piece lengths (in scalars) of the Split
                   pre-tokenizer (Isolated) with the Llama 3 ("l"), Qwen2 ("q") and GPT-2
                   ("g") patterns.
"""
import gzip
import hashlib
import json
import os
import sys

import tokenizers
from tokenizers import Regex, Tokenizer, pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests/SynprefTextTests/Fixtures/parity")
ASSETS = os.environ.get("SYNPREF_ASSETS", os.path.expanduser("~/.cache/synpref/assets"))

TOKENIZERS = [("llama3", "llama3/tokenizer.json"), ("qwen", "qwen/tokenizer.json"), ("minilm", "minilm/tokenizer.json")]
PATTERNS = {
    "l": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "q": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "g": r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
}


def write_gz(path, lines):
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        for item in lines:
            f.write((json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
    print(f"{path}: {os.path.getsize(path)} bytes", file=sys.stderr)


def split_around(full, ids):
    """(pre, post) with full == pre + ids + post."""
    for i in range(len(full) - len(ids) + 1):
        if full[i:i + len(ids)] == ids:
            return full[:i], full[i + len(ids):]
    raise SystemExit(f"encode(add_special_tokens=True) does not contain the plain ids: {full[:20]} / {ids[:20]}")


def main():
    with gzip.open(os.path.join(FIXTURES, "corpus.jsonl.gz"), "rt", encoding="utf-8") as f:
        corpus = [json.loads(line)["t"] for line in f]

    for name, rel in TOKENIZERS:
        path = os.path.join(ASSETS, rel)
        with open(path, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        tok = Tokenizer.from_file(path)
        tok.no_truncation()
        tok.no_padding()
        lines = [{"tokenizer": name, "sha256": sha, "vocab_size": tok.get_vocab_size(with_added_tokens=True),
                  "tokenizers": tokenizers.__version__}]
        for n, text in enumerate(corpus):
            ids = tok.encode(text, add_special_tokens=False).ids
            full = tok.encode(text, add_special_tokens=True).ids
            pre, post = split_around(full, ids)
            item = {"ids": ids}
            if pre:
                item["pre"] = pre
            if post:
                item["post"] = post
            d0 = tok.decode(ids, skip_special_tokens=False)
            d1 = tok.decode(full, skip_special_tokens=True)
            if d0 != text:
                item["d0"] = d0
            if d1 != text:
                item["d1"] = d1
            if n % 7 == 0 and len(ids) >= 2:
                k = len(ids) // 2
                item["pk"] = k
                item["pd"] = tok.decode(ids[:k], skip_special_tokens=False)
            lines.append(item)
        write_gz(os.path.join(FIXTURES, f"{name}.jsonl.gz"), lines)

    splitters = {key: pre_tokenizers.Split(Regex(p), "isolated") for key, p in PATTERNS.items()}
    lines = []
    for text in corpus:
        item = {}
        for key, sp in splitters.items():
            item[key] = [e - s for _, (s, e) in sp.pre_tokenize_str(text)]
        lines.append(item)
    write_gz(os.path.join(FIXTURES, "regex_splits.jsonl.gz"), lines)


if __name__ == "__main__":
    main()
