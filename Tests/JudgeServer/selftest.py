#!/usr/bin/env python3
"""Checks fault_server.py from a plain client (python3 standard library only):
answers from the headings, each fault near its probability, retries drawing again,
/stats counts, 64 concurrent connections, and the no-fault throughput.

    python3 Tests/JudgeServer/selftest.py [--throughput-seconds 5]

Ends with a line `N passed, N failed`; exits 1 if anything failed.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
results = {"passed": 0, "failed": 0}


def check(ok, what):
    results["passed" if ok else "failed"] += 1
    print(("ok   " if ok else "FAIL ") + what, flush=True)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fault_server.py"), "--port", "0", *args],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])

    def close(self):
        self.proc.terminate()
        self.proc.wait()

    def call(self, method, path, body=None, timeout=5):
        """(status, headers, parsed body) or (exception class name, None, None)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, json.loads(data) if data else None
        except Exception as e:  # resets, truncation, timeouts
            return type(e).__name__, None, None
        finally:
            conn.close()


def chat(text, n=0, **extra):
    return {"model": "m", "messages": [{"role": "system", "content": "judge"}, {"role": "user", "content": text}],
            "seed": n, **extra}


PREF = "# The pair\n**user**: q {n}\n\n### Candidate 1\n{a}\n\n### Candidate 2\n{b}\n\nAnswer with JSON."
VERIFY = "## Conversation\n**user**: q\n\n### Response\n{r}\n\nAnswer with JSON."
ATTRS = "## Conversation\n**user**: write code {n}\n\n### Response A\nGOOD\n\n### Response B\nbad\n\n## What to produce\nJSON (math, code, facts)"


def content(r):
    return r[2]["choices"][0]["message"]["content"]


def answers():
    s = Server()
    try:
        for a, b, want in [("GOOD x", "y", "Candidate 1"), ("x", "GOOD y", "Candidate 2"), ("GOOD", "GOOD", "tie"), ("x", "y", "tie")]:
            r = s.call("POST", "/v1/chat/completions", chat(PREF.format(n=0, a=a, b=b)))
            check(r[0] == 200 and json.loads(content(r))["verdict"] == want, f"preference {a!r} vs {b!r} -> {want}")
        # A candidate section ends at the next "### " heading, and the last headings count.
        text = "### Candidate 1\nGOOD\n### Candidate 2\nno\n" + PREF.format(n=1, a="no", b="GOOD") + "\n### Notes\nGOOD"
        r = s.call("POST", "/chat/completions", chat(text))
        check(json.loads(content(r))["verdict"] == "Candidate 2", "the last headings are read; /chat/completions works")
        r = s.call("POST", "/v1/chat/completions", chat(VERIFY.format(r="GOOD: 4")))
        check(json.loads(content(r)) == {"rationale": "The response is marked GOOD.", "correct": True}, "verify GOOD -> true")
        r = s.call("POST", "/v1/chat/completions", chat(VERIFY.format(r="5")))
        check(json.loads(content(r))["correct"] is False, "verify without GOOD -> false")
        r = s.call("POST", "/v1/chat/completions", chat(ATTRS.format(n=0)))
        a = json.loads(content(r))
        check(a["task_category"] == "coding" and a["objectivity"] == "objective" and len(a) == 5, f"attributes {a}")
        r = s.call("POST", "/v1/chat/completions", chat("## Conversation\nhello\n## What to produce\ncode GOOD"))
        a = json.loads(content(r))
        check(a["task_category"] == "other" and a["objectivity"] == "subjective", "attributes read the conversation only")
        schema = {"type": "json_object", "schema": {"type": "object", "properties": {"task_category": {"type": "string"}}}}
        r = s.call("POST", "/v1/chat/completions", chat(PREF.format(n=0, a="GOOD", b="x"), response_format=schema))
        check("task_category" in json.loads(content(r)), "a schema with task_category asks for attributes")
        body = r[2]
        check(body["object"] == "chat.completion" and body["model"] == "m" and body["id"].startswith("chatcmpl-")
              and body["choices"][0]["finish_reason"] == "stop" and body["usage"]["total_tokens"]
              == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"] > 0, "OpenAI response shape")
        r = s.call("POST", "/v1/chat/completions", {"model": "m"})
        check(r[0] == 400 and "error" in r[2], "a request without messages is a 400")
        st = s.call("GET", "/stats")[2]
        check(st["requests"] == 11 and st["ok_200"] == 10 and st["successes"] == 10 and st["faults"] == {}, f"stats {st['requests']} {st['ok_200']}")
        s.call("POST", "/reset")
        st = s.call("GET", "/stats")[2]
        check(st["requests"] == 0 and st["by_key"] == {}, "reset clears the counters")
    finally:
        s.close()


SPEC = {"429": 0.2, "500": 0.1, "503": 0.05, "400": 0.02, "reset": 0.05, "truncated": 0.05,
        "prose": 0.1, "fence": 0.1, "invalid": 0.05, "badverdict": 0.05, "ctrlchar": 0.03}


def classify(r):
    status, headers, body = r
    if isinstance(status, str):
        return "reset" if status in ("ConnectionResetError", "RemoteDisconnected", "BrokenPipeError") else \
            "truncated" if status == "IncompleteRead" else status
    if status != 200:
        return str(status)
    c = content(r)
    if c.startswith("Sure!"):
        return "prose"
    if "```json" in c:
        return "fence"
    if not c.startswith("{"):
        return "invalid"
    try:
        obj = json.loads(c)
    except ValueError:
        return "ctrlchar" if "\n\t" in json.loads(c, strict=False)["rationale"] else "unparsed"
    return "badverdict" if obj["verdict"] == "Candidate 3" else "ok"


def faults(n=2000):
    spec = ",".join(f"{k}={v}" for k, v in SPEC.items())
    s = Server("--faults", spec, "--seed", "7", "--error-shape", "both")
    try:
        bodies = [chat(PREF.format(n=i, a="GOOD", b="no")) for i in range(n)]
        with ThreadPoolExecutor(32) as pool:
            first = list(pool.map(lambda b: s.call("POST", "/v1/chat/completions", b), bodies))
        seen = {}
        for r in first:
            seen[classify(r)] = seen.get(classify(r), 0) + 1
        for name, p in list(SPEC.items()) + [("ok", 1 - sum(SPEC.values()))]:
            got = seen.get(name, 0) / n
            check(abs(got - p) < 4 * (p * (1 - p) / n) ** 0.5 + 0.005, f"fault {name}: {got:.3f} of requests (p={p})")
        st = s.call("GET", "/stats")[2]
        check(st["requests"] == n and sum(st["faults"].values()) == n - seen.get("ok", 0), "stats count requests and faults")
        check(all(st["faults"].get(k, 0) == seen.get(k, 0) for k in SPEC), f"stats faults match what the client saw {st['faults']}")
        twos = sum(seen.get(k, 0) for k in ("ok", "prose", "fence", "invalid", "badverdict", "ctrlchar"))
        check(st["ok_200"] == twos and st["successes"] == seen.get("ok", 0), "stats ok_200 and successes")
        # Headers and error shapes by attempt parity.
        r429 = [r for r in first if r[0] == 429]
        check(all(r[1].get("retry-after-ms") == "50" and "error" in r[2] for r in r429), "first-attempt 429s: retry-after-ms 50, OpenAI shape")
        check(all(isinstance(r[2]["error"]["code"], str) for r in first if r[0] in (500, 503, 400)), "first-attempt errors: OpenAI shape")
        r500 = [r for r in first if r[0] == 500]
        nr = sum(r[1].get("x-should-retry") == "false" for r in r500)
        check(0.1 < nr / len(r500) < 0.4, f"x-should-retry: false on {nr} of {len(r500)} 500s")
        # Second attempts of the same bodies draw again, deterministically by attempt.
        with ThreadPoolExecutor(32) as pool:
            second = list(pool.map(lambda b: s.call("POST", "/v1/chat/completions", b), bodies))
        differ = sum(classify(a) != classify(b) for a, b in zip(first, second))
        check(differ > n * 0.3, f"second attempts differ from the first on {differ} of {n}")
        r429 = [r for r in second if r[0] == 429]
        check(all(r[1].get("retry-after") == "1" and r[2]["object"] == "error" and isinstance(r[2]["code"], int) for r in r429),
              "second-attempt 429s: retry-after 1, vLLM shape")
        st = s.call("GET", "/stats")[2]
        check(all(v["requests"] == 2 for v in st["by_key"].values()) and len(st["by_key"]) == n, "by_key counts two requests per body")
        # A fresh server with the same seed draws the same faults.
        s2 = Server("--faults", spec, "--seed", "7")
        try:
            again = [classify(s2.call("POST", "/v1/chat/completions", b)) for b in bodies[:200]]
            check(again == [classify(r) for r in first[:200]], "the same seed draws the same faults")
        finally:
            s2.close()
    finally:
        s.close()


def timeouts_and_delay():
    s = Server("--faults", "timeout=1.0")
    try:
        t = time.time()
        r = s.call("POST", "/v1/chat/completions", chat("x"), timeout=0.5)
        check(r[0] in ("TimeoutError", "timeout") and time.time() - t < 2, f"timeout fault: the client times out ({r[0]})")
    finally:
        s.close()
    s = Server("--delay-ms", "300")
    try:
        t = time.time()
        r = s.call("POST", "/v1/chat/completions", chat("x"))
        check(r[0] == 200 and 0.29 < time.time() - t < 1.5, f"--delay-ms 300: answered in {time.time() - t:.2f} s")
    finally:
        s.close()
    s = Server("--error-shape", "vllm", "--faults", "500=1")
    try:
        r = s.call("POST", "/v1/chat/completions", chat("x"))
        check(r[0] == 500 and r[2]["object"] == "error" and r[2]["code"] == 500, "--error-shape vllm")
    finally:
        s.close()
    s = Server("--faults", "ctrlchar=1")
    try:
        a = json.loads(content(s.call("POST", "/v1/chat/completions", chat(ATTRS.format(n=0)))), strict=False)
        check(a["task_category"] == "coding" and a["annotation_guideline"].startswith("Line one.\n\t"),
              "ctrlchar: a raw newline and tab in the attributes' guideline, other values intact")
    finally:
        s.close()


def concurrency(clients=64, seconds=5.0):
    """64 keep-alive clients at once: all answered; then requests per second."""
    s = Server("--delay-ms", "200")
    try:
        barrier = threading.Barrier(clients)

        def one(i):
            barrier.wait()
            return s.call("POST", "/v1/chat/completions", chat(PREF.format(n=i, a="GOOD", b="x")), timeout=10)[0]
        t = time.time()
        with ThreadPoolExecutor(clients) as pool:
            statuses = list(pool.map(one, range(clients)))
        took = time.time() - t
        check(statuses == [200] * clients and took < 2.0, f"{clients} concurrent connections answered together in {took:.2f} s (200 ms delay each)")
    finally:
        s.close()

    s = Server()
    try:
        body = json.dumps(chat(PREF.format(n=0, a="GOOD", b="x")))
        stop = time.time() + seconds
        counts = [0] * clients

        def loop(i):
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            while time.time() < stop:
                conn.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    counts[i] += 1
            conn.close()
        t = time.time()
        threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        rate = sum(counts) / (time.time() - t)
        st = s.call("GET", "/stats")[2]
        check(st["ok_200"] == sum(counts), f"throughput: {rate:.0f} requests/s with {clients} keep-alive clients ({sum(counts)} answers)")
    finally:
        s.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--throughput-seconds", type=float, default=5.0)
    args = ap.parse_args()
    answers()
    faults()
    timeouts_and_delay()
    concurrency(seconds=args.throughput_seconds)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
