#!/usr/bin/env python3
"""Encode throughput and load time of SynprefText vs the Python `tokenizers` library.

    swift build -c release --package-path benchmarks/tokenizer
    RAYON_NUM_THREADS=1 /work/venv/bin/python benchmarks/tokenizer/run.py [--rounds 5]

One thread on both sides (RAYON_NUM_THREADS=1 is forced for the reference). For each
tokenizer (Llama 3, Qwen, MiniLM from $SYNPREF_ASSETS) and each corpus (the parity corpus
and HH-RLHF harmless-base test dialogues), rounds alternate: one Swift process round
(`tokenizer-bench encode`, which loads the tokenizer, then encodes every text in order),
then the reference's per-string `encode` and its `encode_batch` on the same texts, in this
process. Each side reports its best pass of a round; the table shows the median over
rounds of MB/s (UTF-8 input bytes) and tokens/s, and the ratio Swift / reference (> 1
means Swift is faster). Load time of tokenizer.json is compared the same way. The load
average before and after is printed, since the machine may be shared.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ASSETS = os.environ.get("SYNPREF_ASSETS", os.path.expanduser("~/.cache/synpref/assets"))
DATA = os.environ.get("SYNPREF_SHARED_DATA", "/work/shared/data")
BENCH = os.path.join(HERE, ".build/release/tokenizer-bench")


def corpora():
    out = {}
    with gzip.open(os.path.join(ROOT, "Tests/SynprefTextTests/Fixtures/parity/corpus.jsonl.gz"), "rt", encoding="utf-8") as f:
        out["parity corpus"] = [json.loads(l)["t"] for l in f]
    with gzip.open(os.path.join(DATA, "hh-rlhf/harmless-base/test.jsonl.gz"), "rt", encoding="utf-8") as f:
        out["HH-RLHF"] = [json.loads(l)["chosen"] for l in f]
    return out


def swift_round(tokenizer_json, texts_file, passes):
    r = subprocess.run([BENCH, "encode", tokenizer_json, texts_file, str(passes)], check=True, capture_output=True, text=True)
    return json.loads(r.stdout)


def python_round(tok, texts, passes, batch):
    best = None
    tokens = 0
    for _ in range(passes):
        t = time.perf_counter()
        if batch:
            tokens = sum(len(e.ids) for e in tok.encode_batch(texts))
        else:
            tokens = sum(len(tok.encode(s).ids) for s in texts)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return {"best": best, "tokens": tokens}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--passes", type=int, default=2, help="passes per round (best is kept)")
    ap.add_argument("--tokenizers", default="llama3,qwen,minilm")
    args = ap.parse_args()
    if not os.path.exists(BENCH):
        sys.exit(f"{BENCH} not found: swift build -c release --package-path benchmarks/tokenizer")
    print(f"# tokenizers {tokenizers.__version__}, RAYON_NUM_THREADS=1; load average before: {os.getloadavg()}")
    results = []
    texts_by_corpus = corpora()
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, texts in texts_by_corpus.items():
            path = os.path.join(tmp, name.replace(" ", "_") + ".txt")
            with open(path, "wb") as f:
                for t in texts:
                    b = t.encode("utf-8")
                    f.write(str(len(b)).encode() + b"\n" + b)
            files[name] = path
        for tname in args.tokenizers.split(","):
            path = os.path.join(ASSETS, tname, "tokenizer.json")
            # Load time, interleaved.
            swift_load, py_load = [], []
            for _ in range(args.rounds):
                r = subprocess.run([BENCH, "load", path, "1"], check=True, capture_output=True, text=True)
                swift_load.append(json.loads(r.stdout)["best"])
                t = time.perf_counter()
                Tokenizer.from_file(path)
                py_load.append(time.perf_counter() - t)
            sl, pl = statistics.median(swift_load), statistics.median(py_load)
            print(f"{tname:7s} load tokenizer.json ({os.path.getsize(path) / 1e6:.1f} MB): swift {sl * 1000:.0f} ms, "
                  f"python {pl * 1000:.0f} ms, ratio (python/swift) {pl / sl:.2f}x")
            results.append({"tokenizer": tname, "what": "load", "swift_s": sl, "python_s": pl})
            tok = Tokenizer.from_file(path)
            tok.no_truncation()
            tok.no_padding()
            for cname, texts in texts_by_corpus.items():
                mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
                rows = {"swift": [], "encode": [], "batch": []}
                tokens = {}
                for _ in range(args.rounds):
                    s = swift_round(path, files[cname], args.passes)
                    rows["swift"].append(s["best"])
                    tokens["swift"] = s["tokens"]
                    p = python_round(tok, texts, args.passes, batch=False)
                    rows["encode"].append(p["best"])
                    tokens["encode"] = p["tokens"]
                    b = python_round(tok, texts, args.passes, batch=True)
                    rows["batch"].append(b["best"])
                if tokens["swift"] != tokens["encode"]:
                    sys.exit(f"token counts differ: swift {tokens['swift']} vs python {tokens['encode']}")
                med = {k: statistics.median(v) for k, v in rows.items()}
                print(f"{tname:7s} {cname:14s} {mb:5.2f} MB {tokens['swift']:8d} tokens | "
                      f"swift {mb / med['swift']:6.2f} MB/s {tokens['swift'] / med['swift'] / 1e6:5.2f} Mtok/s | "
                      f"py encode {mb / med['encode']:6.2f} MB/s | py encode_batch {mb / med['batch']:6.2f} MB/s | "
                      f"ratio vs encode {med['encode'] / med['swift']:.2f}x, vs encode_batch {med['batch'] / med['swift']:.2f}x")
                results.append({"tokenizer": tname, "corpus": cname, "mb": mb, "tokens": tokens["swift"],
                                "swift_s": med["swift"], "python_encode_s": med["encode"], "python_batch_s": med["batch"],
                                "rounds": {k: v for k, v in rows.items()}})
    print(f"# load average after: {os.getloadavg()}")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import machine
    print("\n".join(machine.lines(machine.facts(seconds=0))))
    with open(os.path.join(HERE, "results.json"), "w") as f:
        json.dump({"tokenizers": tokenizers.__version__, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
