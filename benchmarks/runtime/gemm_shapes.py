#!/usr/bin/env python3
"""sgemm rate per shape: Synpref's `BLAS.sgemm` (through `synpref-bench gemm --shapes`)
against PyTorch's `torch.nn.functional.linear` on the same shapes, same thread count,
interleaved rounds, in one run.

Shapes are C[M,N] = A[M,K] · Bᵀ (a linear layer: M tokens, N outputs, K inputs). The
default shapes are all-MiniLM-L6-v2's products on an 8,192-token batch (q/k/v and the
attention output, the intermediate and the output projection) and the fused q/k/v
product.

    swift build -c release --product synpref-bench
    /work/venv/bin/python benchmarks/runtime/gemm_shapes.py [--shapes 8192x384x384,...] [--rounds 3]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import machine  # noqa: E402

DEFAULT = "8192x384x384,8192x1152x384,8192x1536x384,8192x384x1536"


def torch_rates(shapes, threads, repeats):
    import torch
    torch.set_num_threads(threads)
    out = {}
    for (m, n, k) in shapes:
        g = torch.Generator().manual_seed(0)
        a = torch.rand(m, k, generator=g) * 2 - 1
        w = torch.rand(n, k, generator=g) * 2 - 1
        with torch.inference_mode():
            start = time.perf_counter()  # warm-up of at least 0.3 s, as synpref-bench does
            while time.perf_counter() - start < 0.3:
                torch.nn.functional.linear(a, w)
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                torch.nn.functional.linear(a, w)
                times.append(time.perf_counter() - t)
        out[(m, n, k)] = 2 * m * n * k / statistics.median(times) / 1e9
    return out


def synpref_rates(bench, shapes, threads, repeats):
    arg = ",".join(f"{m}x{n}x{k}" for (m, n, k) in shapes)
    text = subprocess.run([bench, "gemm", "--shapes", arg, "--threads", str(threads), "--repeats", str(repeats)],
                          check=True, capture_output=True, text=True).stdout
    out = {}
    for line in text.splitlines():
        r = re.match(r"sgemm M=\s*(\d+) N=\s*(\d+) K=\s*(\d+)\s+([\d.]+) GFLOP/s", line)
        if r:
            out[(int(r[1]), int(r[2]), int(r[3]))] = float(r[4])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shapes", default=DEFAULT, help="MxNxK,... (default: MiniLM's products)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--synpref", default=os.path.join(ROOT, ".build/release/synpref-bench"))
    args = ap.parse_args()
    shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",")]
    import torch  # noqa: F401  (so the machine facts name PyTorch's CPU capability)
    print("\n".join(machine.lines(machine.facts(os.path.join(os.path.dirname(args.synpref), "synpref")))))
    ours = {s: [] for s in shapes}
    theirs = {s: [] for s in shapes}
    for r in range(args.rounds):
        for s, v in synpref_rates(args.synpref, shapes, args.threads, args.repeats).items():
            ours[s].append(v)
        for s, v in torch_rates(shapes, args.threads, args.repeats).items():
            theirs[s].append(v)
    print(f"| M x N x K | synpref GFLOP/s | PyTorch GFLOP/s | ratio |  ({args.threads} threads, median of {args.rounds} interleaved rounds)")
    for s in shapes:
        a, b = statistics.median(ours[s]), statistics.median(theirs[s])
        print(f"| {s[0]} x {s[1]} x {s[2]} | {a:.1f} | {b:.1f} | {a / b:.2f}x |")


if __name__ == "__main__":
    main()
