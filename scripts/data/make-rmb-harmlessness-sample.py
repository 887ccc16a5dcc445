#!/usr/bin/env python3
"""Makes examples/data/rmb-harmlessness/pairwise-harmlessness-sample.json.gz, the pool of the
curation quickstart: pairs of RMB's pairwise Harmlessness set whose conversations fit in 500
all-MiniLM-L6-v2 tokens (its limit is 512: longer pairs would lose their responses to
truncation), taken by whole prompts (every pair sharing a first user turn) in a fixed order
drawn from SHA-256 of the prompt, until 2,400 pairs.

Usage: scripts/data/make-rmb-harmlessness-sample.py MINILM_DIR [RMB_DATASET_DIR]
       (MINILM_DIR holds tokenizer.json; RMB default ../shared/data/benchmarks/rmb/RMB_dataset;
       needs PyPI tokenizers)
"""
import glob
import gzip
import hashlib
import json
import sys

from tokenizers import Tokenizer

tokenizer = Tokenizer.from_file(f"{sys.argv[1]}/tokenizer.json")
tokenizer.no_truncation()
root = sys.argv[2] if len(sys.argv) > 2 else "../shared/data/benchmarks/rmb/RMB_dataset"
rows = []
for f in sorted(glob.glob(f"{root}/Pairwise_set/Harmlessness/*.json")):
    rows += json.load(open(f))


def key(r):
    return r["conversation_input"][0]["content"].strip().lower()


def tokens(r):
    context = " ".join(m["content"] for m in r["conversation_input"])
    return max(len(tokenizer.encode(context, r[side]["answer"]).ids) for side in ("chosen", "reject"))


groups = {}
for r in rows:
    # Synpref refuses blank or identical responses (`synpref data import` reports them).
    answers = (r["chosen"]["answer"].strip(), r["reject"]["answer"].strip())
    if answers[0] and answers[1] and answers[0] != answers[1] and tokens(r) <= 500:
        groups.setdefault(key(r), []).append(r)
sample = []
for k in sorted(groups, key=lambda k: hashlib.sha256(k.encode()).hexdigest()):
    if len(sample) >= 2400:
        break
    sample += groups[k]
sample.sort(key=lambda r: r["pair_uid"])
out = "examples/data/rmb-harmlessness/pairwise-harmlessness-sample.json.gz"
with open(out, "wb") as f:
    f.write(gzip.compress(json.dumps(sample, ensure_ascii=False).encode(), 9, mtime=0))
print(f"{out}: {len(sample)} pairs, {len({key(r) for r in sample})} prompts")
