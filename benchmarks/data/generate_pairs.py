#!/usr/bin/env python3
"""Writes N synthetic preference pairs as JSON Lines in the TRL conversational format
(Skywork-Reward-Preference-80K layout: {"chosen": [messages], "rejected": [messages]} with a
shared prompt prefix), deterministic for a seed.

About 1.1 KB per pair, so 1M pairs make a file of about 1.1 GB. Texts mix words with
punctuation, newlines, quotes, and some non-ASCII (accents, CJK, emoji) so that string
escapes and UTF-8 validation are exercised. A fraction of pairs (--dup-rate) repeats an
earlier pair exactly, and a fraction (--multi-turn) has a 3-turn context, so deduplication
and multi-turn handling are part of the measured work.

With --benchmarks DIR (a folder like shared/data/benchmarks), a fraction of pairs
(--contaminate-rate) gets a 20-word window of a benchmark's first-turn prompt in its last
user turn, so decontamination has something to find.

Usage: generate_pairs.py OUT.jsonl [--pairs 1000000] [--seed 1] [--dup-rate 0.02]
                         [--benchmarks DIR --contaminate-rate 0.001]
"""
import argparse
import json
import pathlib
import random

WORDS = (
    "the of and to in is that for it as with was on be by this are or at from but not have an "
    "they which one you were all we can her has there been if more when will would who so no "
    "model reward preference human response answer question explain code function return value "
    "because therefore however example python swift data train loss gradient token sequence "
    "café naïve résumé über straße 数据 模型 偏好 🙂 ✓ — “quoted” 'single'"
).split()


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    s = " ".join(words)
    return s[0].upper() + s[1:] + rng.choice([".", "?", "!", ":", "."])


def text(rng, approx_chars):
    parts = []
    size = 0
    while size < approx_chars:
        s = sentence(rng, rng.randint(6, 18))
        if rng.random() < 0.1:
            s += '\n\n```python\nprint("hi\\tthere")\n```\n'
        parts.append(s)
        size += len(s) + 1
    return " ".join(parts)


def pair(rng):
    turns = 3 if rng.random() < 0.2 else 1
    context = []
    for t in range(turns):
        context.append({"role": "user", "content": text(rng, rng.randint(40, 180))})
        if t < turns - 1:
            context.append({"role": "assistant", "content": text(rng, rng.randint(30, 90))})
    chosen = {"role": "assistant", "content": text(rng, rng.randint(150, 450))}
    rejected = {"role": "assistant", "content": text(rng, rng.randint(100, 400))}
    return {"chosen": context + [chosen], "rejected": context + [rejected]}


def first_turn_prompt(r):
    if isinstance(r.get("conversation_input"), list):
        return next((m.get("content") for m in r["conversation_input"] if m.get("role") == "user"), None)
    if isinstance(r.get("question"), str):
        return r["question"]
    p = r.get("prompt")
    return p if isinstance(p, str) else None


def benchmark_windows(folder, words=20):
    """20-word windows of first-turn prompts of every benchmark file under `folder`."""
    out = []
    for path in sorted(pathlib.Path(folder).rglob("*")):
        if path.suffix not in (".json", ".jsonl"):
            continue
        text = path.read_text(encoding="utf-8")
        rows = json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
        for r in rows:
            p = first_turn_prompt(r) if isinstance(r, dict) else None
            w = p.split() if p else []
            if len(w) >= words:
                out.append(" ".join(w[:words]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pairs", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.02)
    ap.add_argument("--benchmarks")
    ap.add_argument("--contaminate-rate", type=float, default=0.001)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    windows = benchmark_windows(args.benchmarks) if args.benchmarks else []
    recent = []
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.pairs):
            if recent and rng.random() < args.dup_rate:
                line = rng.choice(recent)
            else:
                p = pair(rng)
                if windows and rng.random() < args.contaminate_rate:
                    w = rng.choice(windows)
                    for side in ("chosen", "rejected"):
                        p[side][-2]["content"] += " " + w
                line = json.dumps(p, ensure_ascii=False)
                if len(recent) < 1000:
                    recent.append(line)
                else:
                    recent[rng.randrange(1000)] = line
            f.write(line)
            f.write("\n")


if __name__ == "__main__":
    main()
