#!/usr/bin/env python3
"""Reference ids and type ids of text PAIRS for the tokenizer's pair post-processing.

    /work/venv/bin/python scripts/reference/frontend_pairs.py

Runs the Python `tokenizers` library (0.23.3) `encode(a, b)` on pairs of strings from the
committed parity corpus (Tests/SynprefTextTests/Fixtures/parity/corpus.jsonl.gz) with the
real assets of scripts/fetch-assets.sh ($SYNPREF_ASSETS, default ~/.cache/synpref/assets).
Truncation and padding are off, as transformers does without those arguments.

Variants: the three real tokenizers as shipped (all-MiniLM-L6-v2: TemplateProcessing
"[CLS] $A [SEP] $B:1 [SEP]:1"; Llama 3: Sequence[ByteLevel, TemplateProcessing] with
"<|begin_of_text|> $A <|begin_of_text|>:1 $B:1"; Qwen: ByteLevel only, so a pair is the
concatenation with type ids 0/1), and the MiniLM tokenizer with its post-processor
replaced by BertProcessing, RobertaProcessing, a Sequence, a template with a multi-id
special token and unusual type ids, and a template without a pair (the crate's default
"$A:0 $B:1"). The replacement post-processor is stored in the header so the test applies
the same one.

Writes Tests/SynprefTextTests/Fixtures/pairs/<variant>.jsonl.gz: first line {"variant",
"asset", "sha256", "post_processor" (null: as shipped), "added_single", "added_pair"}; then
one line per pair {"a": corpus index, "b": corpus index, "ids", "types"} plus "ids0" and
"types0" for add_special_tokens=False, and "single"/"single_types" for `encode(a)` alone. The
pairs are neighbouring corpus strings of at most 600 characters, spread over the corpus.
"""
import gzip
import hashlib
import json
import os
import sys

from tokenizers import Tokenizer, processors

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "Tests/SynprefTextTests/Fixtures/parity/corpus.jsonl.gz")
OUT = os.path.join(ROOT, "Tests/SynprefTextTests/Fixtures/pairs")
ASSETS = os.environ.get("SYNPREF_ASSETS", os.path.expanduser("~/.cache/synpref/assets"))

CLS, SEP = ("[CLS]", 101), ("[SEP]", 102)
PATCHED = {
    "minilm-bert": processors.BertProcessing(SEP, CLS),
    "minilm-roberta": processors.RobertaProcessing(SEP, CLS),
    "minilm-sequence": processors.Sequence([processors.ByteLevel(trim_offsets=False), processors.BertProcessing(SEP, CLS)]),
    "minilm-template-types": processors.TemplateProcessing(
        single="[CLS]:3 $A:2 [SEP]:1",
        pair="[CLS]:1 $A:2 [SEP] [SEP] $B:3 [DUO]:4",
        special_tokens=[CLS, SEP, {"id": "[DUO]", "ids": [102, 101], "tokens": ["[SEP]", "[CLS]"]}]),
    "minilm-template-no-pair": processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[CLS, SEP]),
}
# (variant, asset tokenizer.json, number of pairs)
VARIANTS = [("minilm", "minilm", 150), ("llama3", "llama3", 150), ("qwen", "qwen", 150)] + [
    (name, "minilm", 40) for name in PATCHED]


def main():
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        corpus = [json.loads(line)["t"] for line in f]
    # Pairs of neighbouring corpus strings of at most 600 characters (the corpus mixes
    # scripts, emoji, special-token strings, whitespace runs; long strings are covered by
    # the single-sequence parity tests).
    usable = [i for i, t in enumerate(corpus) if len(t) <= 600]
    os.makedirs(OUT, exist_ok=True)
    for variant, asset, count in VARIANTS:
        path = os.path.join(ASSETS, asset, "tokenizer.json")
        with open(path, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        tok = Tokenizer.from_file(path)
        tok.no_truncation()
        tok.no_padding()
        post = None
        if variant in PATCHED:
            tok.post_processor = PATCHED[variant]
            post = json.loads(tok.to_str())["post_processor"]
        lines = [{"variant": variant, "asset": asset, "sha256": sha, "post_processor": post,
                  "added_single": tok.num_special_tokens_to_add(False), "added_pair": tok.num_special_tokens_to_add(True)}]
        step = (len(usable) - 1) // count
        for k in range(count):
            a, b = usable[k * step], usable[k * step + 1]
            e = tok.encode(corpus[a], corpus[b])
            e0 = tok.encode(corpus[a], corpus[b], add_special_tokens=False)
            s = tok.encode(corpus[a])
            lines.append({"a": a, "b": b, "ids": e.ids, "types": e.type_ids, "ids0": e0.ids, "types0": e0.type_ids,
                          "single": s.ids, "single_types": s.type_ids})
        out = os.path.join(OUT, f"{variant}.jsonl.gz")
        with gzip.GzipFile(out, "wb", mtime=0) as f:
            for item in lines:
                f.write((json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
        print(f"{out}: {len(lines) - 1} pairs, {os.path.getsize(out)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
