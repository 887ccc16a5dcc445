#!/usr/bin/env python3
"""Reference numbers for RewardBench v1 and RewardBench 2, computed by the `rewardbench` package.

The package (PyPI `rewardbench`, version 0.1.4) is fetched with `pip download --no-deps` and never
installed: its scoring functions are lifted from the wheel by name with `ast` (importing the module
would pull in torch, datasets, fastchat, ...) and run on synthetic scores:
  - RewardBench v1: per-subset accuracy as scripts/run_rm.py computes it (1 if chosen > rejected),
    sections with utils.calculate_scores_per_section(constants.EXAMPLE_COUNTS, SUBSET_MAPPING, ...),
    overall = mean of the four sections (the Skywork-Reward-V2 paper's RewardBench number).
  - RewardBench 2: utils.reroll_and_score_dataset (1/k tie credit) for the best-of-4 subsets and
    utils.process_single_model (with sample_stats) for Ties, per-subset means as in scripts/run_v2.py.
Scores are small integers so that ties are frequent. A minimal stand-in for `datasets.Dataset`
(to_pandas / from_pandas / from_dict / iteration) replaces the Hugging Face class.

Writes Tests/SynprefEvalTests/Fixtures/rewardbench/reference.json and
Tests/SynprefEvalTests/Fixtures/rewardbench2/reference.json (rows in the Hugging Face export layout,
scores per row, expected numbers), and copies the 17-row Ties sample with synthetic scores.

Usage:
  pip download --no-deps rewardbench==0.1.4 -d /tmp/rbpkg
  python scripts/reference/eval_rewardbench.py --wheel /tmp/rbpkg/rewardbench-0.1.4-py3-none-any.whl \
      --ties-sample /work/shared/data/benchmarks/rewardbench2/ties_sample_ref42_to_ref50.jsonl
Needs numpy and pandas.
"""
import argparse
import ast
import json
import math
import os
import random
import shutil
import zipfile

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "SynprefEvalTests", "Fixtures")


class Dataset:
    """The parts of datasets.Dataset the lifted functions touch."""

    def __init__(self, rows):
        self.rows = rows

    @classmethod
    def from_pandas(cls, df):
        return cls(df.to_dict("records"))

    @classmethod
    def from_dict(cls, columns):
        keys = list(columns)
        n = len(columns[keys[0]]) if keys else 0
        return cls([{k: columns[k][i] for k in keys} for i in range(n)])

    def to_pandas(self):
        return pd.DataFrame(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def lift(wheel):
    """Executes the named functions of rewardbench/utils.py and the constants module."""
    with zipfile.ZipFile(wheel) as z:
        utils = z.read("rewardbench/utils.py").decode()
        constants = z.read("rewardbench/constants.py").decode()
    namespace = {"np": np, "pd": pd, "math": math, "Dataset": Dataset}
    exec(compile(constants, "rewardbench/constants.py", "exec"), namespace)
    tree = ast.parse(utils)
    wanted = {"calculate_scores_per_section", "reroll_and_score_dataset", "sample_stats", "process_single_model"}
    nodes = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted]
    assert {n.name for n in nodes} == wanted, "rewardbench/utils.py changed"
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "rewardbench/utils.py", "exec"), namespace)
    return namespace


def rewardbench_v1(rb, rng):
    rows, scores = [], []
    for subset in rb["EXAMPLE_COUNTS"]:
        for k in range(rng.randint(3, 7)):
            i = len(rows)
            rows.append({"prompt": f"prompt {i}", "chosen": f"chosen {i}", "chosen_model": "m1",
                         "rejected": f"rejected {i}", "rejected_model": "m2", "subset": subset, "id": i})
            scores.append([rng.randint(0, 3), rng.randint(0, 3)])
    # scripts/run_rm.py: results = [1 if chosen > rejected else 0 ...]; per subset sum/len.
    metrics = {}
    for subset in rb["EXAMPLE_COUNTS"]:
        results = [1 if c > r else 0 for (c, r), row in zip(scores, rows) if row["subset"] == subset]
        metrics[subset] = sum(results) / len(results)
    sections = rb["calculate_scores_per_section"](rb["EXAMPLE_COUNTS"], rb["SUBSET_MAPPING"], metrics)
    overall = sum(sections.values()) / len(sections)
    return {"rows": rows, "scores": scores,
            "expected": {"subsets": metrics, "sections": sections, "overall": overall}}


def ties_rows(rng, start):
    """Ties rows: ref+tied pairs, a ref alone, a tied alone, tied with equal correct scores."""
    rows = []
    for k in range(start, start + 14):
        kinds = ["ref", "tied"]
        if k == start + 3:
            kinds = ["ref"]
        if k == start + 4:
            kinds = ["tied"]
        for kind in kinds:
            n_correct = 1 if kind == "ref" else rng.randint(2, 4)
            n_incorrect = rng.randint(2, 5)
            rows.append({"id": f"{kind}:{k}", "n_correct": n_correct, "n_incorrect": n_incorrect,
                         "equal_correct": kind == "tied" and k == start + 5})
    return rows


def rewardbench_v2(rb, rng):
    rows, scores = [], []
    for subset in ["Factuality", "Precise IF", "Math", "Safety", "Focus"]:
        for k in range(rng.randint(5, 9)):
            i = len(rows)
            rows.append({"id": str(i), "prompt": f"prompt {i}", "chosen": [f"good {i}"],
                         "rejected": [f"bad {i}.{j}" for j in range(3)], "num_correct": 1, "num_incorrect": 3,
                         "total_completions": 4, "models": ["a", "b", "c", "d"], "subset": subset,
                         "additional_metadata": None})
            scores.append([float(rng.randint(1, 3))] + [float(rng.randint(0, 3)) for _ in range(3)])
    for t in ties_rows(rng, 100):
        i = len(rows)
        rows.append({"id": t["id"], "prompt": f"ties prompt {t['id'].split(':')[1]}",
                     "chosen": [f"right {i}.{j}" for j in range(t["n_correct"])],
                     "rejected": [f"wrong {i}.{j}" for j in range(t["n_incorrect"])],
                     "num_correct": t["n_correct"], "num_incorrect": t["n_incorrect"],
                     "total_completions": t["n_correct"] + t["n_incorrect"], "models": [], "subset": "Ties",
                     "additional_metadata": None})
        if t["equal_correct"]:
            s = [3.0] * t["n_correct"] + [rng.uniform(-2, 2) for _ in range(t["n_incorrect"])]
        else:
            s = [rng.uniform(-1, 3) for _ in range(t["n_correct"])] + [rng.uniform(-2, 2) for _ in range(t["n_incorrect"])]
        scores.append(s)
    return {"rows": rows, "scores": scores, "expected": v2_expected(rb, rows, scores)}


def v2_expected(rb, rows, scores):
    # scripts/run_v2.py: unroll (one row per completion, chosen first), score, reroll per row.
    unrolled = []
    for row, s in zip(rows, scores):
        for text, score in zip(row["chosen"] + row["rejected"], s):
            unrolled.append({"text": text, "scores": score, "id": row["id"], "subset": row["subset"]})
    total_completions = [len(r["chosen"]) + len(r["rejected"]) for r in rows]
    out = rb["reroll_and_score_dataset"](Dataset(unrolled), total_completions, cols_to_combine=["text", "scores"])
    out_rows = list(out)
    for r, row in zip(out_rows, rows):
        r["num_correct"] = row["num_correct"]
    expected = {}
    for subset in sorted({r["subset"] for r in rows}):
        subset_rows = [r for r in out_rows if r["subset"] == subset]
        if subset.lower() == "ties":
            _, overall = rb["process_single_model"](Dataset(subset_rows))
            expected[subset] = float(overall)
        else:
            expected[subset] = float(sum(r["results"] for r in subset_rows) / len(subset_rows))
    result = {"subsets": expected}
    if len(expected) == 6:
        result["overall"] = sum(expected.values()) / 6
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wheel", required=True)
    ap.add_argument("--ties-sample", required=True)
    args = ap.parse_args()
    rb = lift(args.wheel)
    rng = random.Random(20250707)

    v1 = rewardbench_v1(rb, rng)
    v2 = rewardbench_v2(rb, rng)
    with open(args.ties_sample) as f:
        sample_rows = [json.loads(line) for line in f if line.strip()]
    sample_scores = [[round(rng.uniform(-3, 3), 3) for _ in r["chosen"] + r["rejected"]] for r in sample_rows]
    sample = {"scores": sample_scores, "expected": v2_expected(rb, sample_rows, sample_scores)}

    meta = {"generator": "scripts/reference/eval_rewardbench.py", "reference_code": "rewardbench 0.1.4 (PyPI)"}
    os.makedirs(os.path.join(OUT, "rewardbench"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "rewardbench2"), exist_ok=True)
    with open(os.path.join(OUT, "rewardbench", "reference.json"), "w") as f:
        json.dump({**meta, **v1}, f, indent=1)
    with open(os.path.join(OUT, "rewardbench2", "reference.json"), "w") as f:
        json.dump({**meta, **v2, "ties_sample": sample}, f, indent=1)
    shutil.copyfile(args.ties_sample, os.path.join(OUT, "rewardbench2", "ties_sample_ref42_to_ref50.jsonl"))
    print("v1", v1["expected"]["sections"], v1["expected"]["overall"])
    print("v2", v2["expected"])
    print("ties sample", sample["expected"])


if __name__ == "__main__":
    main()
