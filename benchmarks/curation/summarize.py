#!/usr/bin/env python3
"""Summarizes benchmarks/curation/run.sh: one row per run, then the mean per noise level."""
import json
import pathlib
import statistics
import sys

root = pathlib.Path(sys.argv[1])
runs = []
for f in sorted(root.glob("noise-*-seed-*/experiment.json")):
    runs.append(json.loads(f.read_text()))
print("| noise | seed | (a) raw | (b) curated | (c) clean | b−a | McNemar p (b vs a) | gap closed | flip precision | flip recall | curated pairs | time |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
by_noise = {}
for r in runs:
    a, b, c = (100 * r[k]["accuracy"] for k in ("a_raw", "b_curated", "c_clean"))
    gap = r.get("gap_closed")
    f = r["flip_detection"]
    print(f"| {r['noise']:.2f} | {r['seed']} | {a:.1f} | {b:.1f} | {c:.1f} | {b - a:+.1f} | {r['b_vs_a']['mcnemar_p']:.3g} | "
          f"{'—' if gap is None else f'{100 * gap:.0f}%'} | {100 * (f['precision'] or 0):.1f} | {100 * (f['recall'] or 0):.1f} | "
          f"{r['b_curated']['train_pairs']} | {r['seconds']['total']:.0f} s |")
    by_noise.setdefault(r["noise"], []).append((a, b, c, r["b_vs_a"]["mcnemar_p"]))
print()
print("| noise | runs | mean (a) | mean (b) | mean (c) | mean b−a | runs with b > a at p < 0.05 | mean share of gap closed |")
print("|---|---|---|---|---|---|---|---|")
for noise, rows in sorted(by_noise.items()):
    a = statistics.mean(x[0] for x in rows)
    b = statistics.mean(x[1] for x in rows)
    c = statistics.mean(x[2] for x in rows)
    wins = sum(1 for x in rows if x[1] > x[0] and x[3] < 0.05)
    closed = (b - a) / (c - a) if c > a else float("nan")
    print(f"| {noise:.2f} | {len(rows)} | {a:.1f} | {b:.1f} | {c:.1f} | {b - a:+.1f} | {wins} of {len(rows)} | {100 * closed:.0f}% |")
