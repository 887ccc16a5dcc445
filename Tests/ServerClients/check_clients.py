#!/usr/bin/env python3
"""Checks a running `synpref serve` with the request code of the clients people point at it.

    python3 Tests/ServerClients/check_clients.py --url http://127.0.0.1:8000 --cases CASES.json

CASES.json holds conversations with their expected raw logits, computed elsewhere (e.g. by
PyTorch on the same model):

    {"model": "NAME", "tolerance": 1e-4,
     "conversations": [{"messages": [{"role": "user", "content": "..."}, ...],
                        "templated": "<the chat template's rendering of messages>",
                        "score": -0.63}, ...]}

Each client function below sends what the named client sends (same path, body shape and
headers), so a pass means that client works against synpref unchanged:

  vLLM        GET /v1/models, POST /pooling (messages; use_activation), POST /classify (input)
  OpenRLHF    POST /get_reward (query: chat-templated texts)
  TEI         POST /rerank (query, texts, raw_scores, return_text)
  synpref     POST /v1/score (inputs: messages), GET /health

Numbers are compared as |got - expected| <= tolerance * max(1, |expected|). One line per
check, then "check_clients: N passed, N failed"; the exit status is 1 if anything failed,
including a missing or empty cases file (nothing passes vacuously). Needs `requests`.
"""
import argparse
import json
import math
import os
import sys

try:
    import requests
except ImportError:
    sys.exit("check_clients.py: needs the `requests` package: python3 -m pip install requests")

TIMEOUT = 180  # seconds; OpenRLHF's own value, used for every client here


# --- the clients ----------------------------------------------------------------------------

class HTTPFailure(Exception):
    """A request that did not come back as 2xx JSON; the message says what came back."""


def _json_or_fail(response, what):
    if not 200 <= response.status_code < 300:
        raise HTTPFailure(f"{what}: HTTP {response.status_code}: {response.text[:300]!r}")
    try:
        return response.json()
    except ValueError:
        raise HTTPFailure(f"{what}: HTTP {response.status_code} but the body is not JSON: "
                          f"{response.text[:300]!r}")


def auth_headers(api_key):
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def vllm_first_model_id(base, api_key):
    """Mirrors vLLM examples/pooling/reward/sequence_reward_online.py (vLLM main, 2025):
    the model name is the `id` of the first entry GET /v1/models lists."""
    r = requests.get(base + "/v1/models", headers=auth_headers(api_key), timeout=TIMEOUT)
    body = _json_or_fail(r, "GET /v1/models")
    return body["data"][0]["id"], body


def vllm_post(api_url, payload, api_key):
    """Mirrors `post_http_request` of vLLM examples/pooling/pooling/openai_pooling_client.py
    and examples/pooling/classify/openai_classification_client.py (vLLM main, 2025): a JSON
    body through requests with only a User-Agent header of "Test Client". (The examples set
    no timeout; one is added here so a hung server fails the check instead of hanging it.)"""
    headers = {"User-Agent": "Test Client", **auth_headers(api_key)}
    return requests.post(api_url, headers=headers, json=payload, timeout=TIMEOUT)


def openrlhf_remote_rm(api_url, queries, api_key, score_key="rewards"):
    """Mirrors `remote_rm_fn` -> `request_api_wrapper` of OpenRLHF
    openrlhf/utils/remote_rm_utils.py (OpenRLHF main, 2025): POST {"query": queries} with a
    JSON Content-Type header and a 180 s timeout, raise on a non-2xx status, require
    `score_key` in the reply and hand back its value (which OpenRLHF feeds to torch.tensor,
    so it must be a flat list of numbers). OpenRLHF retries five times with a 1 s pause and
    logs the errors; a checker must not hide a failure, so this tries once."""
    headers = {"Content-Type": "application/json", **auth_headers(api_key)}
    r = requests.post(url=api_url, json={"query": queries}, headers=headers, timeout=TIMEOUT)
    body = _json_or_fail(r, "POST /get_reward")
    if score_key not in body:
        raise HTTPFailure(f"POST /get_reward: {score_key!r} not in reply {str(body)[:300]}")
    return body[score_key], body


def tei_rerank(base, query, texts, api_key, raw_scores=None, return_text=None):
    """Mirrors the documented text-embeddings-inference /rerank call (TEI README and OpenAPI,
    v1.x): POST {"query", "texts"[, "raw_scores", "return_text"]} as JSON with a JSON
    Content-Type; the reply is a list of {"index", "score"[, "text"]}, best first."""
    payload = {"query": query, "texts": texts}
    if raw_scores is not None:
        payload["raw_scores"] = raw_scores
    if return_text is not None:
        payload["return_text"] = return_text
    headers = {"Content-Type": "application/json", **auth_headers(api_key)}
    r = requests.post(base + "/rerank", json=payload, headers=headers, timeout=TIMEOUT)
    return _json_or_fail(r, "POST /rerank")


def synpref_score(base, inputs, api_key):
    """synpref's own batch endpoint: raw logits, one per input."""
    r = requests.post(base + "/v1/score", json={"inputs": inputs}, headers=auth_headers(api_key),
                      timeout=TIMEOUT)
    return _json_or_fail(r, "POST /v1/score")


# --- the checks ------------------------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class Report:
    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.passed = 0
        self.failed = 0

    def ok(self, name, detail=""):
        self.passed += 1
        print(f"PASS {name}" + (f": {detail}" if detail else ""))

    def fail(self, name, detail):
        self.failed += 1
        print(f"FAIL {name}: {detail}")

    def close(self, got, expected):
        return is_number(got) and abs(got - expected) <= self.tolerance * max(1.0, abs(expected))

    def number(self, name, got, expected):
        """One numeric comparison as one check line."""
        if self.close(got, expected):
            self.ok(name, f"got {got:.6g}, expected {expected:.6g}")
        else:
            self.fail(name, f"got {got!r}, expected {expected:.6g}")


def load_cases(path):
    """The cases file, or exit 1 saying what is wrong with it."""
    def die(msg):
        print(f"FAIL cases file {path}: {msg}")
        print("check_clients: 0 passed, 1 failed")
        sys.exit(1)
    if not path or not os.path.isfile(path):
        die("missing")
    try:
        with open(path) as f:
            cases = json.load(f)
    except ValueError as e:
        die(f"not JSON ({e})")
    if not isinstance(cases, dict) or not isinstance(cases.get("model"), str) or not cases["model"]:
        die('needs a "model" string')
    convs = cases.get("conversations")
    if not isinstance(convs, list) or not convs:
        die('"conversations" is missing or empty: there would be nothing to check')
    for i, c in enumerate(convs):
        if not isinstance(c, dict) or not isinstance(c.get("messages"), list) or not c["messages"] \
                or not isinstance(c.get("templated"), str) or not is_number(c.get("score")):
            die(f'conversation {i} needs "messages" (non-empty list), "templated" (string) and "score" (number)')
    tol = cases.get("tolerance", 1e-4)
    if not is_number(tol) or tol <= 0:
        die('"tolerance" must be a positive number')
    return cases


def guarded(report, name):
    """Runs one check body; an HTTP or shape error becomes a FAIL line naming the check."""
    class _Guard:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            if exc is None:
                return False
            if isinstance(exc, (HTTPFailure, requests.RequestException, KeyError, IndexError,
                                TypeError, ValueError, AssertionError)):
                report.fail(name, f"{type(exc).__name__}: {exc}")
                return True
            return False
    return _Guard()


def check_health_and_models(base, cases, key, report):
    with guarded(report, "GET /health"):
        r = requests.get(base + "/health", headers=auth_headers(key), timeout=TIMEOUT)
        if r.status_code == 200:
            report.ok("GET /health", "200")
        else:
            report.fail("GET /health", f"HTTP {r.status_code}, expected 200: {r.text[:200]!r}")
    model = cases["model"]
    with guarded(report, "GET /v1/models"):
        mid, body = vllm_first_model_id(base, key)
        if body.get("object") == "list" and body["data"][0].get("object") == "model" and mid == model:
            report.ok("GET /v1/models", f"id {mid!r}")
        else:
            report.fail("GET /v1/models", f"got id {mid!r} object {body.get('object')!r}/"
                                          f"{body['data'][0].get('object')!r}, expected id {model!r}, list/model")
            # Use the id the server lists (as the vLLM example does), so later checks still run.
        model = mid
    return model


def check_pooling(base, model, convs, key, report):
    url = base + "/pooling"
    for i, c in enumerate(convs):
        for activation in (None, False):
            name = f"/pooling messages case {i}" + (" use_activation=false" if activation is False else "")
            payload = {"model": model, "messages": c["messages"]}
            if activation is not None:
                payload["use_activation"] = activation
            with guarded(report, name):
                body = _json_or_fail(vllm_post(url, payload, key), f"POST /pooling case {i}")
                item = body["data"][0]
                assert body.get("object") == "list" and item.get("object") == "pooling" and item.get("index") == 0, \
                    f"envelope object/index wrong: {str(body)[:200]}"
                assert is_number(body["usage"]["prompt_tokens"]) and body["usage"]["prompt_tokens"] > 0, \
                    f"usage.prompt_tokens missing or 0: {body.get('usage')}"
                assert len(item["data"]) == 1, f"data has {len(item['data'])} numbers, expected 1"
                want = c["score"] if activation is False else sigmoid(c["score"])
                report.number(name, item["data"][0], want)
    # vLLM's example sends content as a list of typed parts; the chat template sees the joined text.
    for i, c in enumerate(convs):
        if not all(isinstance(m.get("content"), str) for m in c["messages"]):
            continue
        name = f"/pooling messages (content parts, as the vLLM example) case {i}"
        parts = [dict(m, content=[{"type": "text", "text": m["content"]}]) for m in c["messages"]]
        with guarded(report, name):
            body = _json_or_fail(vllm_post(url, {"model": model, "messages": parts}, key), f"POST /pooling case {i}")
            report.number(name, body["data"][0]["data"][0], sigmoid(c["score"]))
        break  # one case shows the form is accepted


def check_classify(base, model, convs, key, report):
    name = "/classify input=[templated]"
    with guarded(report, name):
        payload = {"model": model, "input": [c["templated"] for c in convs]}
        body = _json_or_fail(vllm_post(base + "/classify", payload, key), "POST /classify")
        data = body["data"]
        assert len(data) == len(convs), f"{len(data)} results for {len(convs)} inputs"
        for i, c in enumerate(convs):
            item = next((d for d in data if d.get("index") == i), None)
            if item is None:
                report.fail(f"{name} case {i}", "no result with this index")
                continue
            if item.get("num_classes") != 1 or not isinstance(item.get("label"), str) or len(item.get("probs", [])) != 1:
                report.fail(f"{name} case {i}", f"expected num_classes 1, a label and one prob, got {item}")
                continue
            report.number(f"{name} case {i}", item["probs"][0], sigmoid(c["score"]))


def check_get_reward(base, convs, key, report):
    name = "/get_reward query=[templated]"
    with guarded(report, name):
        rewards, body = openrlhf_remote_rm(base + "/get_reward", [c["templated"] for c in convs], key)
        assert isinstance(rewards, list) and len(rewards) == len(convs), \
            f"rewards is {str(rewards)[:200]}, expected a list of {len(convs)} numbers"
        assert isinstance(body.get("scores"), list) and len(body["scores"]) == len(convs), \
            f"scores is {str(body.get('scores'))[:200]}"
        assert isinstance(body.get("extra_logs"), dict), f"extra_logs is {body.get('extra_logs')!r}, expected an object"
        for i, c in enumerate(convs):
            report.number(f"{name} rewards case {i}", rewards[i], c["score"])
            report.number(f"{name} scores case {i}", body["scores"][i], c["score"])


def rerank_groups(convs):
    """Two-message (user, assistant) conversations grouped by their user text: each group is
    one /rerank request whose texts are the assistant replies. Messages with keys beyond
    role and content (reasoning_content) are left out: a rerank text carries only content."""
    groups = {}
    for i, c in enumerate(convs):
        m = c["messages"]
        plain = all(set(x) <= {"role", "content"} for x in m)
        if len(m) == 2 and plain and m[0].get("role") == "user" and m[1].get("role") == "assistant" \
                and isinstance(m[0].get("content"), str) and isinstance(m[1].get("content"), str):
            groups.setdefault(m[0]["content"], []).append(i)
    return groups


def check_rerank(base, convs, key, report):
    groups = rerank_groups(convs)
    if not groups:
        report.fail("/rerank", "no 2-message (user, assistant) conversation in the cases: nothing to rerank")
        return
    for query, idx in groups.items():
        texts = [convs[i]["messages"][1]["content"] for i in idx]
        for raw in (None, True):
            name = f"/rerank cases {idx}" + (" raw_scores=true" if raw else "")
            with guarded(report, name):
                reply = tei_rerank(base, query, texts, key, raw_scores=raw, return_text=True)
                assert isinstance(reply, list) and len(reply) == len(texts), \
                    f"expected a list of {len(texts)} results, got {str(reply)[:200]}"
                assert sorted(r["index"] for r in reply) == list(range(len(texts))), \
                    f"indices {[r['index'] for r in reply]} are not a permutation of 0..{len(texts) - 1}"
                scores = [r["score"] for r in reply]
                if any(a < b for a, b in zip(scores, scores[1:])):
                    report.fail(f"{name} order", f"scores not sorted descending: {scores}")
                else:
                    report.ok(f"{name} order", f"indices {[r['index'] for r in reply]}")
                for r in reply:
                    case = idx[r["index"]]
                    if r.get("text") != texts[r["index"]]:
                        report.fail(f"{name} case {case} text", f"got {str(r.get('text'))[:60]!r}, "
                                                                 f"expected {texts[r['index']][:60]!r} (return_text)")
                    want = convs[case]["score"] if raw else sigmoid(convs[case]["score"])
                    report.number(f"{name} case {case}", r["score"], want)


def check_v1_score(base, convs, key, report):
    name = "/v1/score messages"
    with guarded(report, name):
        body = synpref_score(base, [{"messages": c["messages"]} for c in convs], key)
        scores = body["scores"]
        assert isinstance(scores, list) and len(scores) == len(convs), f"{str(scores)[:200]} for {len(convs)} inputs"
        assert is_number(body["usage"]["prompt_tokens"]) and body["usage"]["prompt_tokens"] > 0, \
            f"usage.prompt_tokens missing or 0: {body.get('usage')}"
        for i, c in enumerate(convs):
            report.number(f"{name} case {i}", scores[i], c["score"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    ap.add_argument("--cases", required=True, help="CASES.json (see the top of this file)")
    ap.add_argument("--api-key-env", help="name of an environment variable holding the bearer token, "
                                          "when the server was started with --api-key-env")
    a = ap.parse_args()
    cases = load_cases(a.cases)
    key = None
    if a.api_key_env:
        key = os.environ.get(a.api_key_env)
        if not key:
            sys.exit(f"check_clients.py: ${a.api_key_env} is empty or unset")
    base = a.url.rstrip("/")
    convs = cases["conversations"]
    report = Report(cases.get("tolerance", 1e-4))
    print(f"# {base}: {len(convs)} conversations, model {cases['model']!r}, tolerance {report.tolerance:g}")
    try:
        requests.get(base + "/health", timeout=TIMEOUT)
    except requests.RequestException as e:
        print(f"FAIL {base}: not reachable ({e})")
        print("check_clients: 0 passed, 1 failed")
        sys.exit(1)
    model = check_health_and_models(base, cases, key, report)
    check_pooling(base, model, convs, key, report)
    check_classify(base, model, convs, key, report)
    check_get_reward(base, convs, key, report)
    check_rerank(base, convs, key, report)
    check_v1_score(base, convs, key, report)
    if report.passed == 0 and report.failed == 0:
        report.fail("check_clients", "no check ran")
    print(f"check_clients: {report.passed} passed, {report.failed} failed")
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
