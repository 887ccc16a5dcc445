#!/usr/bin/env python3
"""Peak memory of scoring one 16,384-token sequence, measured on narrow Llama-3.1-shaped
models (head_dim 128, GQA 4:1, intermediate = 3.5 x hidden, llama3 rope scaling) and
scaled to Llama-3.1-8B (Skywork-Reward-V2-Llama-3.1-8B) with the activation formula of
DecoderModel.forward:

  activations = 4 B x [ N x (2 H + 2 Hq + 2 Hkv)      x, h, q, attn, k, v        (f32)
                       + kvHeads x D x (N + 16)          keys transposed once per layer
                       + 2 x min(N, 2048) x I            MLP gate/up, row-chunked
                       + N x D                           RoPE cos/sin tables
                       + 2^20 ]                          bf16 -> f32 widening tile

peak RSS ~= bf16 weight bytes (memory-mapped, all touched) + activations + base, where
base (runtime, BLAS buffers, code) is measured here too. Prints measured vs predicted
for each narrow model, then the 8B prediction against the 24 GiB machine.

usage: memory_16k.py [--bench .build/release/synpref-bench] [--tokens 16384]
(synpref-bench score runs the same RewardModel forward as `synpref score`.)
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(ROOT, ".build-bench")
MiB = 2 ** 20


def activations(n, hidden, heads, kv_heads, head_dim, inter):
    hq, hkv = heads * head_dim, kv_heads * head_dim
    floats = (n * (2 * hidden + 2 * hq + 2 * hkv) + kv_heads * head_dim * (n + 16)
              + 2 * min(n, 2048) * inter + n * head_dim + 2 ** 20)
    return 4 * floats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "synpref-bench"))
    ap.add_argument("--tokens", type=int, default=16384)
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    path = os.path.join(WORK, f"one-{a.tokens}.jsonl")
    r = random.Random(3)
    with open(path, "w") as f:
        f.write(json.dumps({"id": "long", "input_ids": [r.randrange(0, 32000) for _ in range(a.tokens)]}) + "\n")
    shapes = [(512, 4, 1, 1792), (1024, 8, 2, 3584)]  # (hidden, heads, kv heads, intermediate)
    rows = []
    for hidden, heads, kv, inter in shapes:
        model = os.path.join(WORK, f"llama-h{hidden}-l2")
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_checkpoint.py"), model, "--arch", "llama",
                               "--layers", "2", "--hidden", str(hidden), "--intermediate", str(inter),
                               "--heads", str(heads), "--kv-heads", str(kv), "--vocab", "32000"])
        weights = os.path.getsize(os.path.join(model, "model.safetensors"))
        p = subprocess.run([a.bench, "score", "--model", model, "--input", path, "--repeats", "1",
                            "--threads", "2", "--batch-tokens", str(a.tokens)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(p.stderr)
        m = re.search(r"peak RSS (\d+) MB", p.stdout)
        t = re.search(r"tokens ([0-9.]+) s", p.stdout)
        peak = int(m.group(1)) * MiB
        act = activations(a.tokens, hidden, heads, kv, 128, inter)
        base = peak - weights - act
        rows.append(base)
        print(f"hidden {hidden:5d}: weights {weights / MiB:7.1f} MiB, predicted activations {act / MiB:7.1f} MiB, "
              f"measured peak RSS {peak / MiB:7.1f} MiB -> base {base / MiB:6.1f} MiB; scoring took {t.group(1)} s")
    base = max(rows)
    # Llama-3.1-8B: hidden 4096, 32 heads, 8 kv heads, head_dim 128, intermediate 14336,
    # 32 layers, vocab 128256; bf16 parameters of LlamaForSequenceClassification (num_labels 1).
    h, inter, layers, vocab = 4096, 14336, 32, 128256
    params = vocab * h + layers * (h * 4096 + 2 * h * 1024 + 4096 * h + 3 * h * inter + 2 * h) + h + h
    weights = 2 * params
    act = activations(a.tokens, h, 32, 8, 128, inter)
    total = weights + act + base
    print(f"\nLlama-3.1-8B at {a.tokens} tokens: weights {weights / 2**30:.2f} GiB + activations {act / 2**30:.2f} GiB "
          f"+ base {base / 2**30:.2f} GiB = {total / 2**30:.2f} GiB peak RSS (machine: 24 GiB)")


if __name__ == "__main__":
    main()
