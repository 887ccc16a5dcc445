#!/usr/bin/env python3
"""Load generator for a reward server's OpenRLHF route, POST /get_reward.

Each request carries one query, a user/assistant conversation rendered through the model's
chat template, whose token count (the model's tokenizer, add_special_tokens=False, as
OpenRLHF tokenizes it) is drawn uniformly from --min-tokens..--max-tokens with a fixed seed.
C workers each keep one request in flight (a closed loop over keep-alive connections) until
N requests are done, or until --duration seconds have passed (cycling through the queries).
A 429 is counted apart from other failures and not retried; latencies and throughput count
only 200 replies. With --duration, requests still open 10 s after it are cut off and
counted as "unfinished".

usage: load.py --url http://127.0.0.1:8000 --model DIR [--concurrency 8] [--requests 64 | --duration 30]
               [--seed 0] [--json]
"""
import argparse
import asyncio
import json
import random
import statistics
import sys
import time

import aiohttp

WORDS = ("the of and to in is for on that with as it by this be are from or at an was which "
         "model reward answer question data value score token server batch queue time memory "
         "river stone garden window yellow quiet rapid simple careful honest bright ancient "
         "number system method result example problem reason people water light market energy "
         "build measure explain compare return follow reach carry gather offer produce remain").split()
GRACE_S = 10.0


def render(tokenizer, user, assistant):
    return tokenizer.apply_chat_template([{"role": "user", "content": user},
                                          {"role": "assistant", "content": assistant}], tokenize=False)


def count(tokenizer, text):
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def make_query(tokenizer, target, rng):
    """A templated conversation of `target` tokens (or the nearest length reachable by whole
    words): a short user question, then an assistant reply grown word by word."""
    user = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))
    while count(tokenizer, render(tokenizer, user, "")) > target and " " in user:
        user = user.rsplit(" ", 1)[0]
    pool = [rng.choice(WORDS) for _ in range(target + 8)]  # a word is at least one token
    lo, hi = 0, len(pool)  # binary search for the most words that stay within target
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(tokenizer, render(tokenizer, user, " ".join(pool[:mid]))) <= target:
            lo = mid
        else:
            hi = mid - 1
    text = render(tokenizer, user, " ".join(pool[:lo]))
    return text, count(tokenizer, text)


def make_queries(model_dir, n, seed=0, min_tokens=16, max_tokens=1024):
    """n (text, token count) pairs; the same arguments give the same queries."""
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    rng = random.Random(seed)
    return [make_query(tokenizer, rng.randint(min_tokens, max_tokens), rng) for _ in range(n)]


def percentile(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    f = int(k)
    return xs[f] + (xs[min(f + 1, len(xs) - 1)] - xs[f]) * (k - f)


async def _run(url, queries, concurrency, requests, duration, timeout):
    endpoint = url.rstrip("/") + "/get_reward"
    latencies, tokens, statuses = [], 0, {}
    next_index = 0
    deadline = None if duration is None else time.perf_counter() + duration

    def take():
        nonlocal next_index
        if deadline is None:
            if next_index >= requests:
                return None
        elif time.perf_counter() >= deadline:
            return None
        i = next_index
        next_index += 1
        return queries[i % len(queries)]

    async def worker(session):
        nonlocal tokens
        while (q := take()) is not None:
            text, n = q
            t0 = time.perf_counter()
            try:
                async with session.post(endpoint, json={"query": [text]}) as r:
                    body = await r.read()
                    status = r.status
                if status == 200 and len(json.loads(body)["rewards"]) != 1:
                    status = "bad-reply"
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as e:
                status = type(e).__name__
            dt = time.perf_counter() - t0
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                latencies.append(dt)
                tokens += n

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout),
                                     headers={"Content-Type": "application/json"}) as session:
        t0 = time.perf_counter()
        tasks = [asyncio.ensure_future(worker(session)) for _ in range(concurrency)]
        # With a duration, requests still in flight GRACE_S after it are cut off and counted
        # as "unfinished", so a stalled server cannot stretch the run.
        _, pending = await asyncio.wait(tasks, timeout=None if duration is None else duration + GRACE_S)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        wall = time.perf_counter() - t0
        if pending:
            statuses["unfinished"] = len(pending)
    ok = statuses.get(200, 0)
    return {
        "concurrency": concurrency, "wall_s": wall, "requests_sent": sum(statuses.values()),
        "ok": ok, "status_429": statuses.get(429, 0),
        "other_failures": {str(k): v for k, v in statuses.items() if k not in (200, 429)},
        "requests_per_s": ok / wall, "tokens_per_s": tokens / wall, "tokens": tokens,
        "p50_s": percentile(latencies, 0.50), "p99_s": percentile(latencies, 0.99),
        "mean_s": statistics.fmean(latencies) if latencies else None,
    }


def run_load(url, queries, concurrency, requests=None, duration=None, timeout=900):
    """One load run; a dict of its numbers (see _run)."""
    if (requests is None) == (duration is None):
        raise ValueError("give exactly one of requests and duration")
    return asyncio.run(_run(url, queries, concurrency, requests, duration, timeout))


def summary(r):
    p = lambda x: "-" if x is None else f"{x:.2f}"
    other = ", ".join(f"{k}: {v}" for k, v in r["other_failures"].items()) or "none"
    return (f"C={r['concurrency']}: {r['requests_per_s']:.2f} req/s, {r['tokens_per_s']:.0f} tok/s, "
            f"p50 {p(r['p50_s'])} s, p99 {p(r['p99_s'])} s, {r['ok']} ok / {r['requests_sent']} sent, "
            f"429: {r['status_429']}, other failures: {other}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--model", required=True, help="model folder (its tokenizer and chat template build the queries)")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--requests", type=int)
    ap.add_argument("--duration", type=float)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-tokens", type=int, default=16)
    ap.add_argument("--max-tokens", type=int, default=1024)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    a = ap.parse_args()
    if a.requests is None and a.duration is None:
        a.requests = 64
    queries = make_queries(a.model, a.requests or 256, a.seed, a.min_tokens, a.max_tokens)
    r = run_load(a.url, queries, a.concurrency, a.requests, a.duration)
    print(json.dumps(r) if a.json else summary(r))
    sys.exit(0 if r["ok"] else 1)


if __name__ == "__main__":
    main()
