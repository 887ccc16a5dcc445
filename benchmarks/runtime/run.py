#!/usr/bin/env python3
"""Scoring throughput of synpref vs PyTorch on a Qwen3-0.6B-configuration reward model with
random bf16 weights (made locally by make_checkpoint.py; nothing is downloaded).

Scenarios (issue 2 §6):
  (a) 4 sequences x 512 tokens, one batch;
  (b) 32 sequences with lengths drawn from 16..1024; PyTorch batches them the careful way
      (sorted by length, batch 8, right padding + attention mask); synpref packs them.
Both sides compute in f32 from the same bf16 weights (PyTorch loads them upcast to f32),
2 threads, eval + no_grad for PyTorch. Runs are interleaved (torch a, synpref a, torch b,
synpref b, repeated) so machine noise hits both; the medians and their ratio are printed.
synpref's time is the scoring time it reports itself (after the model is opened, which is
an mmap); its peak RSS comes from the kernel (ru_maxrss of the child).

usage: run.py [--repeats N] [--threads 2] [--synpref .build/release/synpref] [--skip-torch]
"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import machine  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(ROOT, ".build-bench")
MODEL = os.path.join(WORK, "qwen3-0.6b")
PAD = 151643


def scenarios():
    r = random.Random(0)
    a = [[r.randrange(0, 151000) for _ in range(512)] for _ in range(4)]
    r = random.Random(1)
    b = [[r.randrange(0, 151000) for _ in range(r.randint(16, 1024))] for _ in range(32)]
    return {"a": a, "b": b}


def write_jsonl(path, seqs):
    with open(path, "w") as f:
        for i, s in enumerate(seqs):
            f.write(json.dumps({"id": f"s{i}", "input_ids": s}) + "\n")


def torch_run(model, seqs, batch):
    import torch
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    scores = [None] * len(seqs)
    t0 = time.perf_counter()
    with torch.no_grad():
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            n = max(len(seqs[i]) for i in idx)
            ids = torch.full((len(idx), n), PAD, dtype=torch.long)
            mask = torch.zeros((len(idx), n), dtype=torch.long)
            for row, i in enumerate(idx):
                ids[row, :len(seqs[i])] = torch.tensor(seqs[i])
                mask[row, :len(seqs[i])] = 1
            out = model(input_ids=ids, attention_mask=mask).logits[:, 0]
            for row, i in enumerate(idx):
                scores[i] = float(out[row])
    return time.perf_counter() - t0, scores


def synpref_run(cmd, path, threads):
    if cmd[0].endswith("synpref-bench"):  # kernel-tuning path: same forward, no CLI
        args = cmd + ["score", "--model", MODEL, "--input", path, "--threads", str(threads), "--repeats", "1"]
    else:
        args = cmd + ["score", "--model", MODEL, "--input", path, "--output", os.devnull, "--threads", str(threads)]
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"synpref failed ({p.returncode}):\n{err}")
    m = re.search(r"in ([0-9.]+) s", err) or re.search(r"tokens ([0-9.]+) s", out)
    rss = re.search(r"peak RSS (\d+) MB", err + out)
    err = err + out
    return (float(m.group(1)) if m else wall), wall, err, (int(rss.group(1)) if rss else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--synpref", default=os.path.join(ROOT, ".build", "release", "synpref"))
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument("--only", default="ab")
    a = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(os.path.join(MODEL, "model.safetensors")):
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_checkpoint.py"), MODEL])
    seqs = scenarios()
    paths = {}
    for k, v in seqs.items():
        paths[k] = os.path.join(WORK, f"scenario-{k}.jsonl")
        write_jsonl(paths[k], v)
    tokens = {k: sum(len(s) for s in v) for k, v in seqs.items()}
    model = None
    if not a.skip_torch:
        import torch
        from transformers import Qwen3ForSequenceClassification
        torch.set_num_threads(a.threads)
        model = Qwen3ForSequenceClassification.from_pretrained(MODEL, dtype=torch.float32).eval()
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, f32 compute", file=sys.stderr)
    batch = {"a": 4, "b": 8}
    times = {(side, k): [] for side in ("torch", "synpref") for k in seqs}
    last_scores = {}
    peak = 0  # synpref's own peak RSS (VmHWM, which starts afresh at exec; a forked child's
    # ru_maxrss would include this Python process's pages and overstate it)
    for rep in range(a.repeats):
        for k in a.only:
            if model is not None:
                dt, sc = torch_run(model, seqs[k], batch[k])
                times[("torch", k)].append(dt)
                last_scores[("torch", k)] = sc
                print(f"rep {rep} ({k}) torch   {tokens[k] / dt:7.1f} tokens/s  ({dt:.1f} s)", file=sys.stderr)
            dt, wall, err, rss = synpref_run([a.synpref], paths[k], a.threads)
            times[("synpref", k)].append(dt)
            if rss is not None:
                peak = max(peak, rss)
            detail = " ".join(l for l in err.splitlines() if l.startswith("run ")).split("|", 1)[-1].strip()
            print(f"rep {rep} ({k}) synpref {tokens[k] / dt:7.1f} tokens/s  ({dt:.1f} s, wall {wall:.1f} s) {detail}",
                  file=sys.stderr)
    load = os.getloadavg()
    print("\n".join(machine.lines(machine.facts(os.path.join(os.path.dirname(a.synpref), "synpref")))))
    print(f"\n# Qwen3-0.6B config, random bf16 weights, {a.threads} threads, median of {a.repeats} interleaved runs")
    print(f"# load average during the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for k in a.only:
        s = tokens[k] / statistics.median(times[("synpref", k)])
        line = f"({k}) {len(seqs[k])} seqs, {tokens[k]} tokens: synpref {s:.1f} tokens/s"
        if model is not None:
            t = tokens[k] / statistics.median(times[("torch", k)])
            line += f", PyTorch {t:.1f} tokens/s, ratio {s / t:.2f}x"
        print(line)
    size = os.path.getsize(os.path.join(MODEL, "model.safetensors"))
    print(f"synpref peak RSS {peak:.0f} MB; bf16 weights {size / 2**20:.0f} MB; "
          f"budget 1.25 x weights + 300 MB = {1.25 * size / 2**20 + 300:.0f} MB")


if __name__ == "__main__":
    main()
