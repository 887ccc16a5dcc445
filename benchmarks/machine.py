#!/usr/bin/env python3
"""What a benchmark ran on, in the same words as `synpref doctor`: every benchmark prints
these lines with its numbers, so each reported ratio says which CPU, BLAS library and
kernel set produced it.

    python3 benchmarks/machine.py [--synpref .build/release/synpref] [--seconds 1]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def facts(synpref=None, seconds=1.0):
    """`synpref doctor --json` as a dict (its exit status 1 only means it has warnings),
    plus PyTorch's CPU capability when torch is already imported."""
    synpref = synpref or os.path.join(ROOT, ".build", "release", "synpref")
    p = subprocess.run([synpref, "doctor", "--json", "--seconds", str(seconds)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1) or not p.stdout.strip():
        sys.exit(f"machine.py: {synpref} doctor failed ({p.returncode}): {p.stderr.strip()}")
    d = json.loads(p.stdout)
    torch = sys.modules.get("torch")
    if torch is not None:
        d["torch"] = f"{torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}"
    d["load_average"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return d


def lines(d):
    out = [f"# machine: {d['cpu']}, {d['cores']} cores, features: {d['cpu_features']}",
           f"# BLAS: {d['blas']}, core {d['blas_core']} ({d['blas_core_choice']}), self-check {d['blas_self_check']}"]
    if "sgemm_gflops" in d:
        out.append(f"# sgemm 2048x3072x1024 on {d['threads']} threads: {d['sgemm_gflops']} GFLOP/s "
                   f"(estimated FMA peak of all cores {d.get('cpu_peak_gflops_estimate', '?')} GFLOP/s)")
    if "torch" in d:
        out.append(f"# PyTorch {d['torch']}")
    for w in d.get("warnings", []):
        out.append(f"# WARNING: {w}")
    out.append(f"# load average: {d['load_average']}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--synpref")
    ap.add_argument("--seconds", type=float, default=1.0)
    a = ap.parse_args()
    print("\n".join(lines(facts(a.synpref, a.seconds))))


if __name__ == "__main__":
    main()
