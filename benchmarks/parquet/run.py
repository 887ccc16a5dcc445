"""Parquet read speed: Synpref's reader vs pyarrow on the same files, same machine, same run.

    /work/venv/bin/python benchmarks/parquet/run.py [--rows 100000] [--rounds 5]

Writes two files with pyarrow (Hugging Face-like preference rows: `prompt` string,
`chosen`/`rejected` as list<struct<role, content>>, `source`; SNAPPY, dictionary, v1 pages,
as `datasets` writes them; and a flat numeric/string file), then times reading every row
into Python objects with `pyarrow.parquet.read_table(path).to_pylist()` and into JSON rows
with the release build's `synpref-parquet-bench` (best of ROUNDS each, interleaved), and
prints rows/s and the ratio. Needs pyarrow (scripts/reference/requirements.txt)."""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
p = argparse.ArgumentParser()
p.add_argument("--rows", type=int, default=100_000)
p.add_argument("--rounds", type=int, default=5)
args = p.parse_args()

bench = os.path.join(root, ".build/release/synpref-parquet-bench")
if not os.path.exists(bench):
    subprocess.run(["swift", "build", "-c", "release", "--product", "synpref-parquet-bench"], cwd=root, check=True)

rng = random.Random(7)
words = "the a reward model prefers helpful honest harmless answers that follow the instruction and explain why".split()


def text(n):
    return " ".join(rng.choice(words) for _ in range(n))


def preference_table(n):
    prompts, chosen, rejected, source = [], [], [], []
    for i in range(n):
        q = f"Question {i}: " + text(rng.randint(5, 30))
        prompts.append(q)
        chosen.append([{"role": "user", "content": q}, {"role": "assistant", "content": text(rng.randint(20, 120))}])
        rejected.append([{"role": "user", "content": q}, {"role": "assistant", "content": text(rng.randint(20, 120))}])
        source.append(rng.choice(["helpful-base", "harmless-base", "ultrafeedback"]))
    return pa.table({"prompt": prompts, "chosen": chosen, "rejected": rejected, "source": source})


def flat_table(n):
    return pa.table({"id": pa.array(range(n), pa.int64()), "score": pa.array([rng.random() for _ in range(n)], pa.float64()),
                     "label": pa.array([rng.choice([True, False]) for _ in range(n)]),
                     "text": pa.array([text(rng.randint(3, 12)) for _ in range(n)])})


def time_pyarrow(path):
    best = float("inf")
    for _ in range(args.rounds):
        t = time.perf_counter()
        rows = pq.read_table(path).to_pylist()
        best = min(best, time.perf_counter() - t)
    return len(rows), best


def time_synpref(path):
    out = subprocess.run([bench, path, str(args.rounds)], capture_output=True, text=True, check=True).stdout
    r = json.loads(out)
    return r["rows"], r["best_seconds"]


with tempfile.TemporaryDirectory() as d:
    files = {"preference (list<struct>)": os.path.join(d, "pref.parquet"), "flat": os.path.join(d, "flat.parquet")}
    pq.write_table(preference_table(args.rows), files["preference (list<struct>)"], compression="snappy", row_group_size=10_000)
    pq.write_table(flat_table(args.rows), files["flat"], compression="snappy", row_group_size=100_000)
    print(f"pyarrow {pa.__version__}, {args.rows} rows, best of {args.rounds}", file=sys.stderr)
    print("| file | MB | pyarrow rows/s | synpref rows/s | synpref / pyarrow |")
    print("|---|---|---|---|---|")
    for name, path in files.items():
        n1, t1 = time_pyarrow(path)
        n2, t2 = time_synpref(path)
        assert n1 == n2, (n1, n2)
        print(f"| {name} | {os.path.getsize(path) / 1e6:.1f} | {n1 / t1:,.0f} | {n2 / t2:,.0f} | {t1 / t2:.2f}× |")
