#!/usr/bin/env python3
"""Training throughput of synpref vs PyTorch (issue 6 §4): tokens/s of full optimizer steps
(forward + backward + gradient clipping + AdamW) on one batch of preference pairs with
mixed lengths, both sides on 2 threads, f32.

Models:
  qwen3-512x8  a Qwen3-shaped reward model made here with random weights (hidden 512,
               8 layers, 8 heads over 4 kv heads, head_dim 64, intermediate 1536, Qwen3's
               151,936-token vocabulary); nothing is downloaded
  minilm       the real all-MiniLM-L6-v2 (SynprefAssets: $SYNPREF_ASSETS or
               ~/.cache/synpref/assets/minilm) with a new one-label classifier head

PyTorch does what a careful TRL-style user does: pairs sorted by length, micro-batches of
whole pairs (chosen and rejected together), right padding with an attention mask, the
default (sdpa) attention, model.train() with dropout set to 0 (synpref trains without
dropout), loss summed over pairs / pairs in the step, clip_grad_norm_(1.0), AdamW.
synpref packs the same pairs without padding (micro-batches of at most
--micro-batch-tokens tokens). Tokens counted are real tokens only, on both sides.

Each measurement is its own process (peak RSS = VmHWM); runs are interleaved
(synpref, torch, synpref, torch, ...) so machine noise hits both; medians and their ratio
are printed with the load average.

usage: run.py [--rounds 3] [--steps 2] [--threads 2] [--models qwen3-512x8,minilm]
              [--bench .build/release/synpref-train-bench]
       (swift build -c release --product synpref-train-bench first)
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import machine  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(ROOT, ".build-bench", "training")

SPECS = {
    # pairs, length range, torch pairs per micro-batch, synpref micro-batch tokens
    "qwen3-512x8": dict(pairs=6, lengths=(32, 768), torch_micro=2, tokens=3072, vocab=150000),
    "minilm": dict(pairs=24, lengths=(16, 256), torch_micro=4, tokens=2048, vocab=30000),
}


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def model_dir(name):
    if name == "minilm":
        root = os.environ.get("SYNPREF_ASSETS") or os.path.expanduser("~/.cache/synpref/assets")
        path = os.path.join(root, "minilm")
        if not os.path.exists(os.path.join(path, "model.safetensors")):
            sys.exit(f"all-MiniLM-L6-v2 not found at {path}; run scripts/fetch-assets.sh")
        return path
    path = os.path.join(WORK, name)
    if not os.path.exists(os.path.join(path, "model.safetensors")):
        import torch
        from transformers import Qwen3Config, Qwen3ForSequenceClassification
        torch.manual_seed(0)
        cfg = Qwen3Config(vocab_size=151936, hidden_size=512, intermediate_size=1536, num_hidden_layers=8,
                          num_attention_heads=8, num_key_value_heads=4, head_dim=64, max_position_embeddings=4096,
                          tie_word_embeddings=False, num_labels=1, pad_token_id=151643, rms_norm_eps=1e-6)
        Qwen3ForSequenceClassification(cfg).save_pretrained(path)
    return path


def pairs_file(name):
    spec = SPECS[name]
    path = os.path.join(WORK, f"{name}-pairs.jsonl")
    rng = random.Random(1234)
    lo, hi = spec["lengths"]
    with open(path, "w") as f:
        for _ in range(spec["pairs"]):
            # ids from 1000 up: no special tokens (pad, CLS, SEP) inside the sequences
            pair = {k: [rng.randrange(1000, spec["vocab"]) for _ in range(rng.randint(lo, hi))]
                    for k in ("chosen_ids", "rejected_ids")}
            f.write(json.dumps(pair) + "\n")
    return path


def torch_side(args):
    import torch
    import torch.nn.functional as F
    from transformers import AutoModelForSequenceClassification
    torch.set_num_threads(args.threads)
    kwargs = dict(num_labels=1, dtype=torch.float32)
    if args.name == "minilm":
        kwargs.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, **kwargs)
    model.train()
    pad = model.config.pad_token_id if model.config.pad_token_id is not None else 0
    pairs = [json.loads(line) for line in open(args.pairs)]
    pairs.sort(key=lambda p: -max(len(p["chosen_ids"]), len(p["rejected_ids"])))
    tokens = sum(len(p["chosen_ids"]) + len(p["rejected_ids"]) for p in pairs)
    micro = [pairs[i:i + SPECS[args.name]["torch_micro"]] for i in range(0, len(pairs), SPECS[args.name]["torch_micro"])]
    batches = []
    for m in micro:
        seqs = [p["chosen_ids"] for p in m] + [p["rejected_ids"] for p in m]
        width = max(map(len, seqs))
        ids = torch.full((len(seqs), width), pad, dtype=torch.long)
        mask = torch.zeros((len(seqs), width), dtype=torch.long)
        for i, s in enumerate(seqs):
            ids[i, :len(s)] = torch.tensor(s)
            mask[i, :len(s)] = 1
        batches.append((ids, mask, len(m)))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.01)
    seconds = []
    cpu = []
    for step in range(args.steps + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        for ids, mask, k in batches:
            r = model(input_ids=ids, attention_mask=mask).logits[:, 0]
            loss = -F.logsigmoid(r[:k] - r[k:]).sum() / len(pairs)
            loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step > 0:
            seconds.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    print(json.dumps({"side": "torch", "step_seconds": seconds, "cpu_seconds": cpu, "tokens": tokens, "pairs": len(pairs),
                      "padded_tokens": int(sum(ids.numel() for ids, _, _ in batches)), "peak_rss_mb": peak_rss_mb(),
                      "torch": torch.__version__}))


def run_child(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="qwen3-512x8,minilm")
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "synpref-train-bench"))
    ap.add_argument("--side")  # internal: run one PyTorch measurement
    ap.add_argument("--name")
    ap.add_argument("--model")
    ap.add_argument("--pairs")
    args = ap.parse_args()
    if args.side == "torch":
        return torch_side(args)
    os.makedirs(WORK, exist_ok=True)
    print(f"load average before: {os.getloadavg()}")
    rows = []
    for name in args.models.split(","):
        model, pairs = model_dir(name), pairs_file(name)
        ours, theirs = [], []
        for r in range(args.rounds):
            a = run_child([args.bench, "--model", model, "--pairs", pairs, "--steps", str(args.steps),
                           "--threads", str(args.threads), "--micro-batch-tokens", str(SPECS[name]["tokens"])])
            b = run_child([sys.executable, __file__, "--side", "torch", "--name", name, "--model", model, "--pairs", pairs,
                           "--steps", str(args.steps), "--threads", str(args.threads)])
            a["cpu"] = [p["cpu_forward_backward"] + p["cpu_optimizer"] for p in a["phases"]]
            b["cpu"] = b["cpu_seconds"]
            for res, acc in ((a, ours), (b, theirs)):
                acc.append((res["tokens"] / statistics.median(res["step_seconds"]), res["peak_rss_mb"], res,
                            res["tokens"] / statistics.median(res["cpu"])))
            print(f"{name} round {r + 1}: synpref {ours[-1][0]:.0f} tok/s, torch {theirs[-1][0]:.0f} tok/s "
                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
        tps_ours = statistics.median(x[0] for x in ours)
        tps_torch = statistics.median(x[0] for x in theirs)
        cpu_ours = statistics.median(x[3] for x in ours)
        cpu_torch = statistics.median(x[3] for x in theirs)
        rows.append((name, ours[-1][2]["tokens"], theirs[-1][2]["padded_tokens"], tps_ours, tps_torch,
                     max(x[1] for x in ours), max(x[1] for x in theirs), cpu_ours / cpu_torch, ours[-1][2]))
    print(f"load average after: {os.getloadavg()}")
    print("\n".join(machine.lines(machine.facts(os.path.join(os.path.dirname(args.bench), "synpref")))))
    print("\n| model | tokens/step (torch padded) | synpref tok/s | PyTorch tok/s | ratio | ratio of tokens per CPU-second | peak RSS synpref | peak RSS PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, tokens, padded, a, b, ra, rb, cpu, _ in rows:
        print(f"| {name} | {tokens} ({padded}) | {a:.0f} | {b:.0f} | {a / b:.2f}x | {cpu:.2f}x | {ra:.0f} MB | {rb:.0f} MB |")
    for name, *_, detail in rows:
        print(f"{name} synpref phases (s): {detail['phases']}")


if __name__ == "__main__":
    main()
