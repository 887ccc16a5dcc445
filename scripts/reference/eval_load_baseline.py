#!/usr/bin/env python3
"""Timing baseline for `synpref eval --benchmark all --scores FILE` on the held data.

Does in Python (orjson for parsing, hashlib for SHA-256) the work the Swift loader does: parse every
data file of judgebench/, rm-bench/, rmb/ and rewardbench2/, hash each file, build each response's
messages, spell them canonically (json.dumps(..., ensure_ascii=False, separators=(",", ":"))) and
hash them, dedupe, then read a scores file. It does not apply the scoring rules (cheap either way).
Run interleaved with the Swift command in the same session and report the ratio.

Usage: python scripts/reference/eval_load_baseline.py DATA_ROOT SCORES_FILE
"""
import glob
import hashlib
import json
import os
import sys
import time

import orjson


def canonical_id(messages):
    return hashlib.sha256(json.dumps(messages, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


def turn(prompt, response):
    return [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]


def rows(path):
    with open(path, "rb") as f:
        data = f.read()
    hashlib.sha256(data).hexdigest()
    if data.lstrip()[:1] == b"[":
        return orjson.loads(data)
    return [orjson.loads(line) for line in data.splitlines() if line.strip()]


def main():
    root, scores = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    ids = {}
    for path in glob.glob(os.path.join(root, "judgebench", "*.jsonl")):
        for r in rows(path):
            for resp in (r["response_A"], r["response_B"]):
                ids.setdefault(canonical_id(turn(r["question"], resp)), None)
    for path in glob.glob(os.path.join(root, "rm-bench", "*.json")):
        for r in rows(path):
            for resp in r["chosen"] + r["rejected"]:
                ids.setdefault(canonical_id(turn(r["prompt"], resp)), None)
    for path in glob.glob(os.path.join(root, "rewardbench2", "*.jsonl")):
        for r in rows(path):
            for resp in r["chosen"] + r["rejected"]:
                ids.setdefault(canonical_id(turn(r["prompt"], resp)), None)
    for path in glob.glob(os.path.join(root, "rmb", "**", "*.json"), recursive=True):
        for r in rows(path):
            context = [{"role": t["role"], "content": t["content"]} for t in r["conversation_input"]]
            answers = [r["chosen"], r["reject"]] if "chosen" in r else [r["bon_best"]] + r["loser_list"]
            for a in answers:
                ids.setdefault(canonical_id(context + [{"role": "assistant", "content": a["answer"]}]), None)
    table = {}
    with open(scores, "rb") as f:
        for line in f:
            if line.strip():
                o = orjson.loads(line)
                table[o["id"]] = o["score"]
    missing = sum(1 for i in ids if i not in table)
    print(f"{len(ids)} distinct responses, {missing} without score, {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
