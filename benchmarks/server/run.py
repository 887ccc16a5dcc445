#!/usr/bin/env python3
"""Load benchmark of `synpref serve` against an OpenRLHF-style PyTorch server (issue 14 §5).

Throughput (default): for each concurrency level (1, 8, 64) and each round, start the
baseline (baseline_server.py: FastAPI + transformers, f32, --threads torch threads), warm it
up, drive POST /get_reward with load.py's queries (one query of 16..1024 tokens per request,
fixed seed, the same queries for both servers), stop it; then the same for
`synpref serve --threads N`. The order of the two alternates between rounds so drifting
machine load hits both. Prints req/s, tokens/s, p50/p99 latency per server (median over
rounds), the throughput ratio synpref/baseline, each server's peak RSS, and the machine.

Overload (--overload): start synpref with a small --max-queue, drive it far above capacity
(--overload-concurrency workers, no back-off) for --overload-seconds while sampling its
VmRSS every second; report RSS min/max and the 429 count. The RSS must stay flat.

Results go to .build-bench/server-results.json ("throughput" and "overload" keys; a run
replaces only its own key).

usage: run.py [--only baseline|synpref|both] [--levels 1,8,64] [--requests 96] [--rounds 2]
              [--threads 2] [--synpref .build/release/synpref] [--model DIR] [--layers 4]
       run.py --overload [--max-queue 8192] [--overload-concurrency 128] [--overload-seconds 30]
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(ROOT, ".build-bench")
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, HERE)
import load  # noqa: E402
import machine  # noqa: E402

RESULTS = os.path.join(WORK, "server-results.json")


# --- servers ---------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    """A /proc/PID/status size field (VmRSS, VmHWM) in MB, or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None


class Server:
    """One server process on a free local port, its output in .build-bench/server-logs/."""

    def __init__(self, side, args, model, threads, extra=()):
        self.side = side
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if side == "baseline":
            cmd = [sys.executable, os.path.join(HERE, "baseline_server.py"), "--model", model,
                   "--port", str(self.port), "--threads", str(threads), "--max-len", "2048"]
        else:
            cmd = [args.synpref, "serve", "--model", model, "--host", "127.0.0.1", "--port", str(self.port),
                   "--threads", str(threads), "--max-length", "2048", *extra]
        os.makedirs(os.path.join(WORK, "server-logs"), exist_ok=True)
        self.log_path = os.path.join(WORK, "server-logs", f"{side}-{self.port}.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def post(self, text, timeout=600):
        req = urllib.request.Request(self.url + "/get_reward", data=json.dumps({"query": [text]}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)

    def warm_up(self, queries, ready_timeout=600):
        """Waits until the server answers, then sends each warm-up query once."""
        t0 = time.time()
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"run.py: the {self.side} server exited ({self.proc.returncode}); see {self.log_path}")
            try:
                self.post(queries[0][0])
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.time() - t0 > ready_timeout:
                    self.stop()
                    sys.exit(f"run.py: the {self.side} server did not answer in {ready_timeout} s; see {self.log_path}")
                time.sleep(0.5)
        for text, _ in queries[1:]:
            self.post(text)

    def peak_rss_mb(self):
        return proc_status(self.proc.pid, "VmHWM")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --- scenarios -------------------------------------------------------------------------------

def one_run(side, args, queries, warm, concurrency):
    server = Server(side, args, args.model, args.threads, extra=[])
    try:
        server.warm_up(warm)
        r = load.run_load(server.url, queries, concurrency, requests=len(queries))
        r["peak_rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()
    return r


def throughput(args, queries, warm):
    sides = ["baseline", "synpref"] if args.only == "both" else [args.only]
    runs = []
    for rnd in range(args.rounds):
        order = sides if rnd % 2 == 0 else sides[::-1]
        for c in args.levels:
            for side in order:
                r = one_run(side, args, queries, warm, c)
                r.update(side=side, round=rnd)
                runs.append(r)
                print(f"round {rnd} {side:8s} {load.summary(r)}, peak RSS {r['peak_rss_mb']:.0f} MB",
                      file=sys.stderr, flush=True)
    return runs


def median_of(runs, side, c, key):
    xs = [r[key] for r in runs if r["side"] == side and r["concurrency"] == c and r[key] is not None]
    return statistics.median(xs) if xs else None


def table(runs, levels):
    f = lambda x, d=2: "-" if x is None else f"{x:.{d}f}"
    out = ["| C | baseline req/s | tok/s | p50 s | p99 s | RSS MB | synpref req/s | tok/s | p50 s | p99 s | RSS MB "
           "| synpref/baseline (tok/s) |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    summary = {}
    for c in levels:
        row = {side: {k: median_of(runs, side, c, k)
                      for k in ("requests_per_s", "tokens_per_s", "p50_s", "p99_s", "peak_rss_mb")}
               for side in ("baseline", "synpref")}
        b, s = row["baseline"], row["synpref"]
        ratio = s["tokens_per_s"] / b["tokens_per_s"] if b["tokens_per_s"] and s["tokens_per_s"] else None
        row["ratio"] = ratio
        summary[str(c)] = row
        cells = [str(c)]
        for side in (b, s):
            cells += [f(side["requests_per_s"]), f(side["tokens_per_s"], 0), f(side["p50_s"]), f(side["p99_s"]),
                      f(side["peak_rss_mb"], 0)]
        cells.append(f(ratio) + ("x" if ratio else ""))
        out.append("| " + " | ".join(cells) + " |")
    failures = sum(r["status_429"] + sum(r["other_failures"].values()) for r in runs)
    if failures:
        out.append(f"WARNING: {failures} requests did not get a 200 (see the per-run lines and the JSON)")
    return out, summary


def overload(args, queries, warm):
    server = Server("synpref", args, args.model, args.threads, extra=["--max-queue", str(args.max_queue)])
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.wait(1.0):
            rss = proc_status(server.proc.pid, "VmRSS")
            if rss is not None:
                samples.append(rss)

    try:
        server.warm_up(warm)
        before = proc_status(server.proc.pid, "VmRSS")
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        r = load.run_load(server.url, queries, args.overload_concurrency, duration=args.overload_seconds)
        stop.set()
        sampler.join()
        r["peak_rss_mb"] = server.peak_rss_mb()
    finally:
        stop.set()
        server.stop()
    r.update(max_queue=args.max_queue, rss_after_warm_up_mb=before, rss_samples_mb=samples,
             rss_min_mb=min(samples) if samples else None, rss_max_mb=max(samples) if samples else None)
    # Flat: the working set (one forward pass's activations) is reached within the first
    # seconds; after that RSS must not grow. Growth = the largest RSS of the last third of
    # the samples minus the largest of the first third.
    third = max(1, len(samples) // 3)
    growth = (max(samples[-third:]) - max(samples[:third])) if len(samples) >= 3 else None
    r["rss_growth_mb"] = growth
    r["flat"] = growth is not None and growth <= args.rss_tolerance_mb
    return r


# --- main ------------------------------------------------------------------------------------

def machine_lines(synpref):
    try:
        return machine.lines(machine.facts(synpref))
    except SystemExit as e:  # no synpref binary yet: say so instead of failing the run
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        return [f"# machine: {cpu}, {os.cpu_count()} cores (synpref doctor unavailable: {e})",
                f"# load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]


def save(key, value, config):
    data = {}
    if os.path.isfile(RESULTS):
        try:
            data = json.load(open(RESULTS))
        except ValueError:
            data = {}
    data[key] = {"config": config, "result": value, "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
    with open(RESULTS, "w") as f:
        json.dump(data, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["baseline", "synpref", "both"], default="both")
    ap.add_argument("--levels", default="1,8,64", help="concurrency levels, comma-separated")
    ap.add_argument("--requests", type=int, default=96, help="requests per run (same queries for both servers)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--synpref", default=os.path.join(ROOT, ".build", "release", "synpref"))
    ap.add_argument("--model", default=os.path.join(WORK, "serve-qwen3"))
    ap.add_argument("--layers", type=int, default=4, help="layers of the generated model (make_model.py)")
    ap.add_argument("--overload", action="store_true", help="run the overload scenario instead")
    ap.add_argument("--max-queue", type=int, default=8192, help="synpref --max-queue in tokens for --overload")
    ap.add_argument("--overload-concurrency", type=int, default=128)
    ap.add_argument("--overload-seconds", type=float, default=30)
    ap.add_argument("--rss-tolerance-mb", type=float, default=50, help="overload: allowed RSS growth")
    a = ap.parse_args()
    a.levels = [int(x) for x in a.levels.split(",") if x]
    if (a.overload or a.only != "baseline") and not os.access(a.synpref, os.X_OK):
        sys.exit(f"run.py: {a.synpref} is missing; build it (swift build -c release --product synpref) "
                 f"or run --only baseline")
    if not os.path.isfile(os.path.join(a.model, "model.safetensors")):
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_model.py"), a.model, "--layers", str(a.layers)])
    if os.getloadavg()[0] > 1.0:
        print(f"WARNING: load average {os.getloadavg()[0]:.1f} before the run: something else is busy, "
              f"and the numbers will show it", file=sys.stderr)
    import torch  # noqa: F401  (so the machine lines name the PyTorch the baseline runs on)
    n = a.requests if not a.overload else 256
    print(f"building {n} queries from {a.model}'s tokenizer (seed {a.seed})", file=sys.stderr, flush=True)
    queries = load.make_queries(a.model, n, a.seed)
    warm = load.make_queries(a.model, 2, a.seed + 1000, 512, 1024)  # not among the measured queries
    config = {"model": a.model, "threads": a.threads, "seed": a.seed, "requests": n,
              "query_tokens": sum(t for _, t in queries), "synpref": a.synpref}
    if a.overload:
        r = overload(a, queries, warm)
        lines = machine_lines(a.synpref)
        lines += [f"\n# overload: synpref --max-queue {a.max_queue}, {a.overload_concurrency} clients without back-off, "
                  f"{a.overload_seconds:.0f} s, {a.threads} threads",
                  load.summary(r),
                  f"RSS after warm-up {r['rss_after_warm_up_mb']:.0f} MB; during the load min {r['rss_min_mb']:.0f} MB, "
                  f"max {r['rss_max_mb']:.0f} MB ({len(r['rss_samples_mb'])} samples); peak {r['peak_rss_mb']:.0f} MB; "
                  f"growth from the first to the last third of the load {r['rss_growth_mb']:.0f} MB -> {'FLAT' if r['flat'] else 'NOT FLAT'} "
                  f"(tolerance {a.rss_tolerance_mb:.0f} MB)"]
        print("\n".join(lines))
        config.update(max_queue=a.max_queue, concurrency=a.overload_concurrency, seconds=a.overload_seconds)
        save("overload", r, config)
        sys.exit(0 if r["flat"] and r["status_429"] > 0 else 1)
    runs = throughput(a, queries, warm)
    out, summary = table(runs, a.levels)
    lines = machine_lines(a.synpref)
    lines.append(f"\n# /get_reward, one query per request, {len(queries)} requests per run "
                 f"({config['query_tokens']} tokens, 16..1024 each), {a.threads} threads, median of {a.rounds} rounds")
    print("\n".join(lines + out))
    config.update(levels=a.levels, rounds=a.rounds, only=a.only)
    save("throughput", {"runs": runs, "summary": summary}, config)
    print(f"results: {RESULTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
