#!/usr/bin/env python3
"""Real texts for the retrieval benchmarks: every string of 40 to 2,000 characters found in
the JSON and JSON Lines files under ../shared/data (HH-RLHF dialogues, RMB, RM-Bench,
RewardBench 2 and JudgeBench prompts and responses, PandaLM), deduplicated, shuffled with a
fixed seed; the first N as `synpref embed` input lines {"id", "text"}.

usage: real_texts.py [--n 30000] [--data ../shared/data] --output texts.jsonl
"""
import argparse
import gzip
import json
import os
import random


def strings(value, out):
    if isinstance(value, str):
        if 40 <= len(value) <= 2000:
            out.add(value)
    elif isinstance(value, list):
        for v in value:
            strings(v, out)
    elif isinstance(value, dict):
        for v in value.values():
            strings(v, out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=30000)
    p.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data"))
    p.add_argument("--output", required=True)
    a = p.parse_args()
    found = set()
    for root, _, files in os.walk(a.data):
        for name in sorted(files):
            path = os.path.join(root, name)
            opener = gzip.open if name.endswith(".gz") else open
            if not (name.endswith(".json") or name.endswith(".jsonl") or name.endswith(".jsonl.gz")):
                continue
            with opener(path, "rt", encoding="utf-8") as f:
                text = f.read()
            try:
                strings(json.loads(text), found)
            except json.JSONDecodeError:
                for line in text.splitlines():
                    if line.strip():
                        try:
                            strings(json.loads(line), found)
                        except json.JSONDecodeError:
                            pass
    texts = sorted(found)
    random.Random(42).shuffle(texts)
    texts = texts[: a.n]
    with open(a.output, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": f"t{i}", "text": t}, ensure_ascii=False) + "\n")
    print(f"{len(found)} distinct texts found; {len(texts)} written to {a.output}")


if __name__ == "__main__":
    main()
