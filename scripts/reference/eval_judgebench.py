#!/usr/bin/env python3
"""Reference numbers for JudgeBench, computed by JudgeBench's own code.

Runs `compute_final_metrics` from ScalerLab/JudgeBench (utils/metrics.py, commit e2c52c28) on the
official reward-model outputs in `reference_outputs_reward_models/` (gpt-4o split), overall and per
source prefix exactly as run_judge.py loops over them, for the single game and the double game.
It also extracts each pair's two scores, so the Swift test can feed the same scores through
Synpref's loader, request ids and rule, and must land on the same numbers.

Writes (next to the Swift tests):
  Tests/SynprefEvalTests/Fixtures/judgebench/reference.json   expected metrics + per-pair scores
  Tests/SynprefEvalTests/Fixtures/judgebench/gpt.jsonl.gz      the gpt-4o split, gzip (deterministic)

Usage:
  python scripts/reference/eval_judgebench.py --judgebench PATH_TO_JudgeBench_checkout \
      --data /work/shared/data/benchmarks/judgebench
The checkout only needs utils/metrics.py (pure Python, no dependencies).
"""
import argparse
import glob
import gzip
import hashlib
import importlib.util
import json
import os

SOURCES = ["mmlu-pro", "livebench-reasoning", "livebench-math", "livecodebench", ""]


def load_metrics(judgebench):
    path = os.path.join(judgebench, "utils", "metrics.py")
    spec = importlib.util.spec_from_file_location("judgebench_metrics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--judgebench", required=True, help="checkout of github.com/ScalerLab/JudgeBench")
    ap.add_argument("--data", required=True, help="folder holding the gpt split and reference_outputs_reward_models/")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "SynprefEvalTests", "Fixtures", "judgebench"))
    args = ap.parse_args()
    metrics = load_metrics(args.judgebench)

    split = os.path.join(args.data, "dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl")
    models = []
    for path in sorted(glob.glob(os.path.join(args.data, "reference_outputs_reward_models", "*.jsonl"))):
        with open(path) as f:
            pairs = [json.loads(line) for line in f if line.strip()]
        result = {"single_game": {}, "double_game": {}}
        for source in SOURCES:
            key = source if source else "overall"
            include = lambda x, s=source: x["source"].startswith(s)
            result["single_game"][key] = metrics.compute_final_metrics(pairs, False, include_fn=include)
            result["double_game"][key] = metrics.compute_final_metrics(pairs, True, include_fn=include)
        scores = {}
        for p in pairs:
            first, second = p["judgments"][0]["judgment"]["scores"], p["judgments"][1]["judgment"]["scores"]
            # The swapped game scored the same two responses; the files agree exactly.
            assert second == first[::-1], p["pair_id"]
            scores[p["pair_id"]] = first
        models.append({
            "judge_model": p["judgments"][0]["judgment"]["judge_model"],
            "file": os.path.basename(path),
            "file_sha256": sha256(path),
            "metrics": result,
            "scores": scores,
        })

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump({
            "generator": "scripts/reference/eval_judgebench.py",
            "reference_code": "ScalerLab/JudgeBench utils/metrics.py compute_final_metrics (commit e2c52c28)",
            "split_file": os.path.basename(split),
            "split_sha256": sha256(split),
            "models": models,
        }, f, indent=1)
    with open(split, "rb") as src:
        data = src.read()
    with open(os.path.join(args.out, "gpt.jsonl.gz"), "wb") as dst:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=dst, mtime=0) as gz:
            gz.write(data)
    for m in models:
        print(m["judge_model"], {k: round(v, 2) for k, v in m["metrics"]["double_game"].items()})


if __name__ == "__main__":
    main()
