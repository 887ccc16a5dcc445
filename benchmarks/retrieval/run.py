#!/usr/bin/env python3
"""Embeddings and exact search: synpref vs the reference tools on the same machine, same
threads, interleaved.

  embed   all-MiniLM-L6-v2 on 2,000 HH-RLHF texts (the chosen dialogues of the bundled
          harmless-base test split: a realistic length mix, many past the 256-token limit):
          `synpref embed` (release, --threads T) vs sentence-transformers 6.3
          `SentenceTransformer.encode(batch_size=32)` on PyTorch 2.13 with T threads.
          texts/s and tokens/s; the largest component difference between the two.
  search  exact top-8 by inner product, 1M x 384 normalised float32 corpus (seeded random,
          written once as .npy), 1,000 queries: `synpref retrieve --k 8` (memory-mapped .npy)
          vs faiss-cpu `IndexFlatIP` with T threads. Seconds, GFLOP/s (2 n q d / t) and
          agreement of the neighbour sets.
  big     (--big) a 10M x 384 corpus (15 GB) on disk, memory-mapped: runs, peak RSS.

usage: run.py [--threads 2] [--rounds 2] [--only embed|search] [--big] [--synpref .build/release/synpref]
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(ROOT, ".build-bench", "retrieval")
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import machine  # noqa: E402


def minilm():
    return os.path.join(os.environ.get("SYNPREF_ASSETS", os.path.expanduser("~/.cache/synpref/assets")), "minilm")


def texts(n):
    path = os.path.join(ROOT, "examples", "data", "hh-rlhf", "harmless-base-test.jsonl.gz")
    out = []
    with gzip.open(path, "rt") as f:
        for line in f:
            out.append(json.loads(line)["chosen"].strip())
            if len(out) == n:
                break
    return out


def run_synpref(args, argv):
    t0 = time.perf_counter()
    p = subprocess.run([args.synpref] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"synpref {' '.join(argv)} failed: {p.stderr[-2000:]}")
    ru = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return dt, p.stderr, ru


def bench_embed(args, results):
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(args.threads)
    corpus = texts(args.texts)
    os.makedirs(WORK, exist_ok=True)
    inp = os.path.join(WORK, "texts.jsonl")
    with open(inp, "w") as f:
        for i, t in enumerate(corpus):
            f.write(json.dumps({"id": f"t{i}", "text": t}) + "\n")
    model = SentenceTransformer(minilm(), device="cpu")
    tokens = sum(len(model.tokenizer(t, truncation=True, max_length=model.max_seq_length)["input_ids"]) for t in corpus)
    model.encode(corpus[:64], batch_size=32)  # warm-up
    rows = []
    for r in range(args.rounds):
        order = ["synpref", "st"] if r % 2 == 0 else ["st", "synpref"]
        for side in order:
            if side == "st":
                t0 = time.perf_counter()
                ref = model.encode(corpus, batch_size=32, convert_to_numpy=True)
                dt = time.perf_counter() - t0
            else:
                out = os.path.join(WORK, "emb.npy")
                dt, _, _ = run_synpref(args, ["embed", "--model", minilm(), "--input", inp, "--output", out,
                                              "--threads", str(args.threads)])
                got = np.load(out)
            rows.append((r, side, dt))
            print(f"round {r} {side:8s}: {dt:.2f} s, {len(corpus) / dt:.1f} texts/s, {tokens / dt:.0f} tokens/s", flush=True)
    diff = float(np.abs(got - ref).max())
    med = lambda s: statistics.median(d for _, side, d in rows if side == s)
    st, sp = med("st"), med("synpref")
    results["embed"] = {"texts": len(corpus), "tokens": tokens, "st_seconds": st, "synpref_seconds": sp,
                        "ratio": st / sp, "max_component_diff": diff, "rows": rows}
    return [f"# embed: all-MiniLM-L6-v2, {len(corpus)} HH-RLHF texts ({tokens} tokens after truncation at 256), "
            f"{args.threads} threads, median of {args.rounds}",
            f"sentence-transformers: {st:.2f} s, {len(corpus) / st:.1f} texts/s, {tokens / st:.0f} tokens/s",
            f"synpref embed (whole command, model load included): {sp:.2f} s, {len(corpus) / sp:.1f} texts/s, {tokens / sp:.0f} tokens/s",
            f"ratio synpref / sentence-transformers (texts/s): {st / sp:.2f}x; largest component difference {diff:.2e}"]


def make_matrix(path, n, d, seed, chunk=1_000_000):
    import numpy as np
    if os.path.exists(path) and os.path.getsize(path) >= n * d * 4:
        return
    rng = np.random.default_rng(seed)
    m = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype=np.float32, shape=(n, d))
    for i in range(0, n, chunk):
        x = rng.standard_normal((min(chunk, n - i), d), dtype=np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        m[i:i + len(x)] = x
    m.flush()
    del m
    os.replace(path + ".tmp", path)


def bench_search(args, results):
    import faiss
    import numpy as np
    faiss.omp_set_num_threads(args.threads)
    os.makedirs(WORK, exist_ok=True)
    n, q, d, k = args.corpus, args.queries, 384, 8
    corpus, queries = os.path.join(WORK, f"corpus-{n}.npy"), os.path.join(WORK, f"queries-{q}.npy")
    make_matrix(corpus, n, d, 1)
    make_matrix(queries, q, d, 2)
    xb = np.load(corpus, mmap_mode="r")
    xq = np.load(queries)
    rows = []
    out = os.path.join(WORK, "neighbours.jsonl")
    for r in range(args.rounds):
        order = ["synpref", "faiss"] if r % 2 == 0 else ["faiss", "synpref"]
        for side in order:
            if side == "faiss":
                index = faiss.IndexFlatIP(d)
                t_add = time.perf_counter()
                index.add(np.ascontiguousarray(xb))
                t0 = time.perf_counter()
                D, I = index.search(xq, k)
                dt = time.perf_counter() - t0
                add = t0 - t_add
                del index
            else:
                dt, err, _ = run_synpref(args, ["retrieve", "--corpus", corpus, "--queries", queries, "--k", str(k),
                                                "--output", out])
                add = 0.0
            rows.append((r, side, dt, add))
            print(f"round {r} {side:8s}: {dt:.2f} s ({2 * n * q * d / dt / 1e9:.0f} GFLOP/s)"
                  + (f", index.add {add:.2f} s" if side == "faiss" else " (whole command: mmap, search, output)"), flush=True)
    got = [json.loads(l) for l in open(out)]
    agree = sum(len(set(int(x["id"]) for x in g["neighbours"]) & set(I[i].tolist())) for i, g in enumerate(got)) / (q * k)
    med = lambda s: statistics.median(t for _, side, t, _ in rows if side == s)
    fa, sp = med("faiss"), med("synpref")
    results["search"] = {"n": n, "q": q, "d": d, "k": k, "faiss_seconds": fa, "synpref_seconds": sp,
                         "ratio": fa / sp, "agreement": agree, "rows": rows}
    return [f"# exact search: {n} x {d} corpus, {q} queries, k = {k}, {args.threads} threads, median of {args.rounds}",
            f"faiss IndexFlatIP.search: {fa:.2f} s ({2 * n * q * d / fa / 1e9:.0f} GFLOP/s; index.add not counted)",
            f"synpref retrieve (whole command: open the .npy, search, write): {sp:.2f} s ({2 * n * q * d / sp / 1e9:.0f} GFLOP/s)",
            f"ratio synpref / faiss: {fa / sp:.2f}x; neighbour sets agree on {agree * 100:.2f}% of {q * k}"]


def bench_big(args, results):
    n, d = 10_000_000, 384
    corpus = os.path.join(WORK, f"corpus-{n}.npy")
    make_matrix(corpus, n, d, 3)
    queries = os.path.join(WORK, f"queries-{args.queries}.npy")
    make_matrix(queries, args.queries, d, 2)
    out = os.path.join(WORK, "neighbours-big.jsonl")
    # RSS counts the mapped file's pages that happen to be in the page cache; the memory the
    # process itself allocates is RssAnon, sampled from /proc while it runs.
    t0 = time.perf_counter()
    p = subprocess.Popen([args.synpref, "retrieve", "--corpus", corpus, "--queries", queries, "--k", "8", "--output", out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    anon = file_ = 0
    while p.poll() is None:
        try:
            fields = dict(l.split(":", 1) for l in open(f"/proc/{p.pid}/status") if ":" in l)
            anon = max(anon, int(fields["RssAnon"].split()[0]) // 1024)
            file_ = max(file_, int(fields["RssFile"].split()[0]) // 1024)
        except (OSError, KeyError, ValueError):
            pass
        time.sleep(0.2)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"synpref retrieve (big) failed: {p.stderr.read()[-2000:]}")
    results["big"] = {"n": n, "seconds": dt, "peak_rss_anon_mb": anon, "peak_rss_file_mb": file_}
    return [f"# {n} x {d} corpus on disk ({n * d * 4 / 1e9:.1f} GB, memory-mapped), {args.queries} queries, k = 8",
            f"synpref retrieve: {dt:.1f} s ({2 * n * args.queries * d / dt / 1e9:.0f} GFLOP/s); peak anonymous memory {anon} MB, "
            f"peak mapped file pages resident {file_} MB (page cache, reclaimable)"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--texts", type=int, default=2000)
    ap.add_argument("--corpus", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--only", choices=["embed", "search"])
    ap.add_argument("--big", action="store_true")
    ap.add_argument("--synpref", default=os.path.join(ROOT, ".build", "release", "synpref"))
    args = ap.parse_args()
    import torch  # noqa: F401  (machine facts name PyTorch's kernels)
    lines = machine.lines(machine.facts(args.synpref))
    results = {}
    if args.only in (None, "embed"):
        lines += [""] + bench_embed(args, results)
    if args.only in (None, "search"):
        lines += [""] + bench_search(args, results)
    if args.big:
        lines += [""] + bench_big(args, results)
    print("\n".join(lines))
    with open(os.path.join(WORK, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
