#!/usr/bin/env python3
"""An OpenAI-compatible chat-completions server that answers like a perfect judge and
misbehaves on demand, for testing SynprefJudge's client (python3 standard library only).

    python3 Tests/JudgeServer/fault_server.py --port 0 [--faults SPEC] [--seed N]
        [--delay-ms D] [--error-shape openai|vllm|both] [--exit-on-stdin-eof]

With --exit-on-stdin-eof the server exits when its standard input closes: a parent that
holds the other end of a pipe takes the server with it when it ends, however it ends.

The first line on stdout is `listening on http://127.0.0.1:PORT` (nothing else is printed
there, so a parent that reads only that line never blocks the server on a full pipe).

Answers come from the last user message, by its markdown headings:
  preference  lines `### Candidate 1` and `### Candidate 2`: the candidate whose text
              contains GOOD wins (both or neither: "tie").
  verify      a line `### Response`: "correct" is true iff the response contains GOOD.
  attributes  anything else, or a response_format schema with a `task_category` property:
              coding iff the conversation (from a `## Conversation` line to the next `## `
              heading, else the whole message) contains "code"; objective iff it has GOOD.

Faults are deterministic. SPEC is `name=probability,...` with names 429, 500, 503, 400,
timeout, reset, truncated, prose, fence, invalid, badverdict, ctrlchar. Each request's key
is the sha256 of its body as canonical JSON and its attempt is how often that exact body
came before; r = hash(seed, key, attempt) in [0, 1) picks a fault by cumulative probability,
so a retry of the same body draws again and a rerun of the whole test draws the same.

    429        status 429; `retry-after-ms: 50` on even attempts, `retry-after: 1` on odd
    500, 503   that status; one in four 500s (by hash) also sends `x-should-retry: false`
    400        status 400 (a client error: not to be retried)
    timeout    sleeps 30 s, then answers normally if the client is still there
    reset      closes the connection without an answer (RST: SO_LINGER 0)
    truncated  a Content-Length larger than the body, then closes
    prose      200, the JSON answer inside a sentence
    fence      200, the JSON answer inside a ```json code fence
    invalid    200, content that is no JSON at all
    badverdict 200, valid JSON with a wrong value: verdict "Candidate 3", correct "maybe",
               or (attributes) no annotation_guideline key
    ctrlchar   200, the JSON answer with a raw newline and tab inside a string value, as
               llama-cpp-python 0.3.16's schema grammar lets SmolLM2 write (strict JSON
               parsers reject it; lenient ones such as Python's strict=False read it)

Error bodies: --error-shape openai `{"error": {"message", "type", "param", "code": str}}`,
vllm `{"object": "error", "message", "type", "param", "code": int}`, both (the default)
alternates by attempt parity (openai on even attempts).

GET /stats -> {"requests", "ok_200" (every 200 answer), "successes" (200 answers without a
fault), "by_key": {key: {"requests", "ok_200"}}, "faults": {name: count}}.
POST /reset clears the counters and the attempt memory. GET /v1/models lists one model.
"""

import argparse
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("429", "500", "503", "400", "timeout", "reset", "truncated", "prose", "fence", "invalid", "badverdict", "ctrlchar")
TIMEOUT_SECONDS = 30.0

# status -> (OpenAI type, OpenAI code, vLLM type, message)
ERRORS = {
    400: ("invalid_request_error", "invalid_request", "BadRequestError", "The request was rejected (injected fault)."),
    404: ("invalid_request_error", "not_found", "NotFoundError", "No such route."),
    429: ("requests", "rate_limit_exceeded", "TooManyRequestsError", "Rate limit reached; retry after the given delay (injected fault)."),
    500: ("server_error", "internal_error", "InternalServerError", "The server had an error while processing the request (injected fault)."),
    503: ("server_error", "service_unavailable", "ServiceUnavailableError", "The server is overloaded (injected fault)."),
}


def parse_faults(spec):
    """`429=0.2,prose=0.1` -> [("429", 0.2), ("prose", 0.1)], in the order given."""
    out = []
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in FAULTS:
            raise ValueError(f"bad fault {part!r}: use name=probability with a name among {', '.join(FAULTS)}")
        p = float(value)
        if not 0 <= p <= 1:
            raise ValueError(f"fault {name}: probability {p} is not in [0, 1]")
        out.append((name, p))
    if sum(p for _, p in out) > 1 + 1e-9:
        raise ValueError(f"fault probabilities add up to {sum(p for _, p in out)} > 1")
    return out


def unit_hash(*parts):
    """A number in [0, 1) from the sha256 of the parts."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def text_of(content):
    """A message's content as text (a string, or OpenAI's list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def section(lines, start, stop_prefix="### "):
    """The lines after index `start` up to the next line starting with stop_prefix."""
    out = []
    for line in lines[start + 1:]:
        if line.startswith(stop_prefix):
            break
        out.append(line)
    return "\n".join(out)


def last_index(lines, heading):
    found = [i for i, line in enumerate(lines) if line.rstrip() == heading]
    return found[-1] if found else None


def schema_properties(response_format):
    """The property names of the response_format's schema (json_object with "schema", or
    json_schema with {"json_schema": {"schema": ...}})."""
    if not isinstance(response_format, dict):
        return set()
    schema = response_format.get("schema")
    if schema is None and isinstance(response_format.get("json_schema"), dict):
        schema = response_format["json_schema"].get("schema")
    props = schema.get("properties") if isinstance(schema, dict) else None
    return set(props) if isinstance(props, dict) else set()


def answer(body, bad):
    """The judge's answer object for a request: (task, object). `bad` breaks one value."""
    messages = body.get("messages") or []
    users = [text_of(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    text = users[-1] if users else ""
    lines = text.split("\n")
    c1, c2, resp = last_index(lines, "### Candidate 1"), last_index(lines, "### Candidate 2"), last_index(lines, "### Response")
    if "task_category" not in schema_properties(body.get("response_format")):
        if c1 is not None and c2 is not None and c1 < c2:
            first, second = "\n".join(lines[c1 + 1:c2]), section(lines, c2)
            good1, good2 = "GOOD" in first, "GOOD" in second
            verdict = "Candidate 1" if good1 and not good2 else "Candidate 2" if good2 and not good1 else "tie"
            why = {"Candidate 1": "Candidate 1 is marked GOOD and Candidate 2 is not.",
                   "Candidate 2": "Candidate 2 is marked GOOD and Candidate 1 is not.",
                   "tie": "Both or neither candidate is marked GOOD."}[verdict]
            return "preference", {"rationale": why, "verdict": "Candidate 3" if bad else verdict}
        if resp is not None:
            correct = "GOOD" in section(lines, resp)
            why = "The response is marked GOOD." if correct else "The response is not marked GOOD."
            return "verify", {"rationale": why, "correct": "maybe" if bad else correct}
    conv = last_index(lines, "## Conversation")
    scope = section(lines, conv, "## ") if conv is not None else text
    attrs = {"task_category": "coding" if "code" in scope else "other",
             "objectivity": "objective" if "GOOD" in scope else "subjective",
             "controversiality": "low",
             "desired_attributes": ["accuracy", "clarity"],
             "annotation_guideline": "Prefer the response that is marked GOOD; when neither is, prefer the more accurate and clearer one."}
    if bad:
        del attrs["annotation_guideline"]
    return "attributes", attrs


def with_raw_control(obj):
    """The answer as JSON with a raw newline and tab inside its rationale (or guideline)."""
    key = "rationale" if "rationale" in obj else "annotation_guideline"
    marked = dict(obj, **{key: "@RAW@" + str(obj.get(key, ""))})
    return json.dumps(marked).replace("@RAW@", "Line one.\n\tLine two. ")


class State:
    """Counters and attempt memory shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.attempts = {}
            self.requests = 0
            self.ok_200 = 0
            self.successes = 0
            self.by_key = {}
            self.faults = {}

    def arrive(self, key):
        """Counts a request; returns its attempt number (0 for the first of this body)."""
        with self.lock:
            self.requests += 1
            attempt = self.attempts.get(key, 0)
            self.attempts[key] = attempt + 1
            self.by_key.setdefault(key, {"requests": 0, "ok_200": 0})["requests"] += 1
            return attempt

    def fault(self, name):
        with self.lock:
            self.faults[name] = self.faults.get(name, 0) + 1

    def answered_200(self, key, clean):
        with self.lock:
            self.ok_200 += 1
            self.successes += int(clean)
            if key in self.by_key:
                self.by_key[key]["ok_200"] += 1

    def snapshot(self):
        with self.lock:
            return {"requests": self.requests, "ok_200": self.ok_200, "successes": self.successes,
                    "by_key": {k: dict(v) for k, v in self.by_key.items()}, "faults": dict(self.faults)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "synpref-fault-server/1"
    sys_version = ""

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # quiet: stdout belongs to the `listening` line
        pass

    # Responses are written in one piece (headers and body), so Nagle never holds a tail.
    def send(self, status, obj=None, headers=(), raw=None, content_length=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        head = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}",
                "Content-Type: application/json",
                f"Content-Length: {len(body) if content_length is None else content_length}"]
        head += [f"{k}: {v}" for k, v in headers]
        if self.close_connection:
            head.append("Connection: close")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)

    def error_body(self, status, attempt):
        otype, ocode, vtype, message = ERRORS[status]
        shape = self.server.error_shape
        if shape == "both":
            shape = "openai" if attempt % 2 == 0 else "vllm"
        if shape == "openai":
            return {"error": {"message": message, "type": otype, "param": None, "code": ocode}}
        return {"object": "error", "message": message, "type": vtype, "param": None, "code": status}

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/")
        if path == "/stats":
            self.send(200, self.server.state.snapshot())
        elif path in ("/v1/models", "/models"):
            self.send(200, {"object": "list", "data": [{"id": "fault-model", "object": "model", "created": 0, "owned_by": "synpref"}]})
        elif path == "/health":
            self.send(200, {"status": "ok"})
        else:
            self.send(404, self.error_body(404, 0))

    def do_POST(self):
        path = self.path.split("?")[0].rstrip("/")
        raw = self.read_body()
        if path == "/reset":
            self.server.state.reset()
            self.send(200, {"reset": True})
        elif path in ("/v1/chat/completions", "/chat/completions"):
            self.chat(raw)
        else:
            self.send(404, self.error_body(404, 0))

    def chat(self, raw):
        state = self.server.state
        try:
            body = json.loads(raw)
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                raise ValueError("the body needs a messages array")
        except ValueError as e:  # a real client error, not an injected fault
            with state.lock:
                state.requests += 1
            self.send(400, {"error": {"message": f"invalid request: {e}", "type": "invalid_request_error", "param": None, "code": "invalid_request"}})
            return
        key = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        attempt = state.arrive(key)
        fault = None
        r, edge = unit_hash(self.server.seed, key, attempt), 0.0
        for name, p in self.server.faults:
            edge += p
            if r < edge:
                fault = name
                break
        if fault:
            state.fault(fault)
        if self.server.delay > 0:
            time.sleep(self.server.delay)

        if fault in ("429", "500", "503", "400"):
            status = int(fault)
            headers = []
            if status == 429:
                headers.append(("retry-after-ms", "50") if attempt % 2 == 0 else ("retry-after", "1"))
            if status == 500 and unit_hash(self.server.seed, key, attempt, "x-should-retry") < 0.25:
                headers.append(("x-should-retry", "false"))
            self.send(status, self.error_body(status, attempt), headers)
            return
        if fault == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if fault == "timeout":
            time.sleep(TIMEOUT_SECONDS)

        _, obj = answer(body, bad=fault == "badverdict")
        js = json.dumps(obj)
        content = {"prose": f"Sure! Here is my answer: {js} Hope this helps.",
                   "fence": f"Here is the JSON you asked for:\n```json\n{json.dumps(obj, indent=2)}\n```",
                   "invalid": "I think both responses have merit, and I cannot decide between them.",
                   "ctrlchar": with_raw_control(obj)}.get(fault, js)
        prompt_tokens = sum(len(text_of(m.get("content")).split()) for m in body["messages"] if isinstance(m, dict))
        completion_tokens = len(content.split())
        response = {"id": "chatcmpl-" + hashlib.sha256(f"{key}:{attempt}".encode()).hexdigest()[:24],
                    "object": "chat.completion", "created": int(time.time()), "model": body.get("model", "fault-model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                              "total_tokens": prompt_tokens + completion_tokens}}
        if fault == "truncated":
            self.close_connection = True
            data = json.dumps(response).encode()
            self.send(200, raw=data[: len(data) // 2], content_length=len(data))
            return
        try:
            self.send(200, response)
        except OSError:  # the client gave up (a timeout fault, usually)
            self.close_connection = True
            return
        state.answered_200(key, clean=fault in (None, "timeout"))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # 64+ clients connecting at once are not refused
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # client disconnects are expected here
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port (printed)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--faults", default="", help="e.g. 429=0.2,500=0.1,prose=0.1 (see the module doc)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0, help="sleep this long before every chat answer")
    ap.add_argument("--error-shape", choices=("openai", "vllm", "both"), default="both")
    ap.add_argument("--exit-on-stdin-eof", action="store_true", help="exit when standard input closes (the parent is gone)")
    args = ap.parse_args()
    try:
        faults = parse_faults(args.faults)
    except ValueError as e:
        ap.error(str(e))
    server = Server((args.host, args.port), Handler)
    server.state, server.faults, server.seed = State(), faults, args.seed
    server.delay, server.error_shape = args.delay_ms / 1000.0, args.error_shape
    if args.exit_on_stdin_eof:
        def exit_with_parent():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=exit_with_parent, daemon=True).start()
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
