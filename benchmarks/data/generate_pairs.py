#!/usr/bin/env python3
"""Writes N synthetic preference pairs as JSON Lines in the TRL conversational format
(Skywork-Reward-Preference-80K layout: {"chosen": [messages], "rejected": [messages]} with a
shared prompt prefix), deterministic for a seed.

About 1.1 KB per pair, so 1M pairs make a file of about 1.1 GB. Texts mix words with
punctuation, newlines, quotes, and some non-ASCII (accents, CJK, emoji) so that string
escapes and UTF-8 validation are exercised. A fraction of pairs (--dup-rate) repeats an
earlier pair exactly, and a fraction (--multi-turn) has a 3-turn context, so deduplication
and multi-turn handling are part of the measured work.

Usage: generate_pairs.py OUT.jsonl [--pairs 1000000] [--seed 1] [--dup-rate 0.02]
"""
import argparse
import json
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
        context.append({"role": "user", "content": text(rng, rng.randint(60, 260))})
        if t < turns - 1:
            context.append({"role": "assistant", "content": text(rng, rng.randint(40, 120))})
    chosen = {"role": "assistant", "content": text(rng, rng.randint(200, 600))}
    rejected = {"role": "assistant", "content": text(rng, rng.randint(150, 550))}
    return {"chosen": context + [chosen], "rejected": context + [rejected]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--pairs", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-rate", type=float, default=0.02)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    recent = []
    with open(args.out, "w", encoding="utf-8") as f:
        for i in range(args.pairs):
            if recent and rng.random() < args.dup_rate:
                line = rng.choice(recent)
            else:
                line = json.dumps(pair(rng), ensure_ascii=False)
                if len(recent) < 1000:
                    recent.append(line)
                else:
                    recent[rng.randrange(1000)] = line
            f.write(line)
            f.write("\n")


if __name__ == "__main__":
    main()
