#!/usr/bin/env python3
"""Makes examples/data/rmb-harmlessness/pairwise-harmlessness-sample.json.gz, the pool of the
curation quickstart: whole prompts (every pair sharing a first user turn) of RMB's pairwise
Harmlessness set, in a fixed order drawn from SHA-256 of the prompt, until 2,400 pairs.

Usage: scripts/data/make-rmb-harmlessness-sample.py [RMB_DATASET_DIR]
       (default ../shared/data/benchmarks/rmb/RMB_dataset)
"""
import glob
import gzip
import hashlib
import json
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/benchmarks/rmb/RMB_dataset"
rows = []
for f in sorted(glob.glob(f"{root}/Pairwise_set/Harmlessness/*.json")):
    rows += json.load(open(f))


def key(r):
    return r["conversation_input"][0]["content"].strip().lower()


groups = {}
for r in rows:
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
