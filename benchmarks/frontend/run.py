#!/usr/bin/env python3
"""`synpref eval --model` throughput against transformers on the same requests, interleaved.

    /work/venv/bin/python benchmarks/frontend/run.py --synpref .build/release/synpref \
        --model DIR --data Tests/SynprefEvalTests/Fixtures/model-eval/data [--repeats 3]

Each round runs `synpref eval --benchmark all --model DIR` with an empty score cache (so
every response is rendered, tokenized and scored) and then the Skywork-Reward-V2 recipe in
transformers (apply_chat_template, BOS strip, tokenizer(text), forward one request at a
time in f32 with 2 threads) over the same requests (`--dump-requests`). Reports tokens/s
of both and the ratio per round; with a tiny model (e.g. frontend_eval.py's) the numbers
measure the text front end and the per-request overhead, not the GEMMs.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer


def synpref_round(args, tmp):
    cache = os.path.join(tmp, "cache.jsonl")
    if os.path.exists(cache):
        os.remove(cache)
    out = subprocess.run([args.synpref, "eval", "--benchmark", "all", "--data", args.data, "--model", args.model,
                          "--cache", cache, "--output", os.path.join(tmp, "out"), "--threads", "2"],
                         capture_output=True, text=True, check=True)
    m = re.search(r"scored (\d+) responses.*?([\d.]+) tokens/s", out.stderr)
    if not m:
        sys.exit(out.stderr)
    return float(m.group(2))


def python_round(requests, tok, model):
    tokens, start = 0, time.perf_counter()
    with torch.no_grad():
        for messages in requests:
            text = tok.apply_chat_template(messages, tokenize=False)
            if tok.bos_token is not None and text.startswith(tok.bos_token):
                text = text[len(tok.bos_token):]
            ids = tok(text)["input_ids"]
            tokens += len(ids)
            model(input_ids=torch.tensor([ids])).logits[0][0].item()
    return tokens / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--synpref", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModelForSequenceClassification.from_pretrained(args.model, dtype=torch.float32).eval()
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "requests.jsonl")
        subprocess.run([args.synpref, "eval", "--benchmark", "all", "--data", args.data, "--dump-requests", dump],
                       capture_output=True, check=True)
        requests = [json.loads(line)["messages"] for line in open(dump, encoding="utf-8")]
        print(f"{len(requests)} requests; load average {os.getloadavg()[0]:.1f}")
        ratios = []
        for r in range(args.repeats):
            s = synpref_round(args, tmp)
            t = python_round(requests, tok, model)
            ratios.append(s / t)
            print(f"round {r + 1}: synpref {s:.0f} tokens/s, transformers {t:.0f} tokens/s, ratio {s / t:.2f}x")
        ratios.sort()
        print(f"median ratio {ratios[len(ratios) // 2]:.2f}x; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
