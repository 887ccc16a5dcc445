#!/usr/bin/env python3
"""Reference numbers for RM-Bench, computed by RM-Bench's own `compute_accuracy`.

RM-Bench (github.com/THU-KEG/RM-Bench) scores with scripts/utils.py `compute_accuracy` (and
`split_dataset_by_domain` for total_dataset.json); the README shows the same function. This
script lifts those two functions by name with `ast` from a copy of scripts/utils.py (the module
itself imports fastchat, datasets and transformers) and runs them on synthetic integer scores
(frequent ties) for:
  - a total_dataset.json-style file (rows carry `domain`: chat, code, math, safety-refuse,
    safety-response), giving per-domain averages, hard/normal/easy and total_avg_acc;
  - a single domain file without `domain` (the chat_filtered.json layout), giving hard/normal/easy.

Writes Tests/SynprefEvalTests/Fixtures/rm-bench/reference.json.

Usage: python scripts/reference/eval_rmbench.py --rmbench-utils PATH/TO/RM-Bench/scripts/utils.py
Needs numpy.
"""
import argparse
import ast
import copy
import json
import os
import random

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "SynprefEvalTests", "Fixtures", "rm-bench")


def lift(path):
    with open(path) as f:
        tree = ast.parse(f.read())
    wanted = {"split_dataset_by_domain", "compute_accuracy"}
    nodes = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    assert {n.name for n in nodes} == wanted, "scripts/utils.py lacks the scoring functions"
    namespace = {"np": np, "List": list, "Dict": dict, "Any": object}
    exec("from typing import List, Dict, Any", namespace)
    exec(compile(ast.Module(body=nodes, type_ignores=[]), path, "exec"), namespace)
    return namespace["compute_accuracy"]


def rows_for(domain, n, rng, start):
    rows, scores = [], []
    for k in range(n):
        i = start + k
        rows.append({"id": i, "prompt": f"{domain} prompt {i}",
                     "chosen": [f"{domain} chosen {i} {s}" for s in ("concise", "detailed", "markdown")],
                     "rejected": [f"{domain} rejected {i} {s}" for s in ("concise", "detailed", "markdown")],
                     "domain": domain})
        scores.append({"chosen": [rng.randint(0, 4) for _ in range(3)], "rejected": [rng.randint(0, 4) for _ in range(3)]})
    return rows, scores


def to_float(d):
    return {k: float(v) for k, v in d.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rmbench-utils", required=True)
    args = ap.parse_args()
    compute_accuracy = lift(args.rmbench_utils)
    rng = random.Random(1327)

    rows, scores = [], []
    for domain, n in [("chat", 7), ("code", 6), ("math", 5), ("safety-refuse", 6), ("safety-response", 4)]:
        r, s = rows_for(domain, n, rng, len(rows))
        rows += r
        scores += s
    results = [{**copy.deepcopy(r), "score_chosen": s["chosen"], "score_rejected": s["rejected"]} for r, s in zip(rows, scores)]
    total = to_float(compute_accuracy(results))

    chat_rows, chat_scores = rows_for("chat", 9, rng, 1000)
    for r in chat_rows:
        del r["domain"]
    chat_results = [{**copy.deepcopy(r), "score_chosen": s["chosen"], "score_rejected": s["rejected"]} for r, s in zip(chat_rows, chat_scores)]
    single = to_float(compute_accuracy(chat_results))

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({
            "generator": "scripts/reference/eval_rmbench.py",
            "reference_code": "THU-KEG/RM-Bench scripts/utils.py compute_accuracy + split_dataset_by_domain",
            "total": {"rows": rows, "scores": scores, "expected": total},
            "single_file": {"rows": chat_rows, "scores": chat_scores, "expected": single},
        }, f, indent=1)
    print("total", total)
    print("single", single)


if __name__ == "__main__":
    main()
