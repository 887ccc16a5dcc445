#!/usr/bin/env python3
"""Reference fixtures for SynprefData's readers, content hash and decontamination.

Independent Python implementations decide what Synpref must produce:

* Samples of the real data in ../shared/data (HH-RLHF harmless-base test, RMB pairwise and
  best-of-N with their spaces in file names, RewardBench 2, RM-Bench, JudgeBench) are copied
  into Tests/SynprefDataTests/Fixtures/ (small: a few rows each), plus small hand-written TRL,
  OpenRLHF and RewardBench files.
* For every sample file, `expected/<name>.jsonl` lists the pairs each record must give, in
  order: {"line", "context", "chosen", "rejected", "hash"}, or {"line", "error": field} for
  records that must be rejected. HH-RLHF uses TRL's extraction (examples/datasets/
  hh-rlhf-helpful-base.py: the prompt is the common start of both transcripts cut at the last
  "\\n\\nAssistant: ", split on the turn markers); rows whose transcripts differ before the final
  Assistant turn are expected to be rejected. RMB best-of-N gives best-vs-each-loser pairs.
* `hash` is SHA-256 of json.dumps({"history", "chosen", "rejected"}, ensure_ascii=False,
  separators=(",", ":")) with messages {"role", "content"[, "reasoning_content"]}.
* Decontamination: a benchmark folder sample (`benchmarks/`, one subfolder per benchmark) and
  `decontam-pairs.jsonl` (pairs built around 13-word and 12-word windows of benchmark
  prompts, case and punctuation changed, plus clean pairs); `expected/decontam.jsonl` gives
  for each pair the benchmarks it shares a 13-gram with, by this rule: lowercase every code
  point (per code point, no context rules), words are maximal runs of code points in
  Unicode categories L* or N*, n-grams of 13 consecutive words over the context turns.

Run: /work/venv/bin/python scripts/reference/data_format_fixtures.py [--data ../shared/data]
"""
import argparse
import gzip
import hashlib
import json
import pathlib
import random
import shutil
import unicodedata

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "Tests/SynprefDataTests/Fixtures"


def msg(role, content, reasoning=None):
    m = {"role": role, "content": content}
    if reasoning is not None:
        m["reasoning_content"] = reasoning
    return m


def content_hash(context, chosen, rejected):
    text = json.dumps({"history": context, "chosen": chosen, "rejected": rejected}, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def expected_pair(line, context, chosen, rejected):
    return {"line": line, "context": context, "chosen": chosen, "rejected": rejected, "hash": content_hash(context, chosen, rejected)}


def write_jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- HH-RLHF (TRL's extraction)

def common_start(a, b):
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


def trl_extract(example):
    import re
    prompt_text = common_start(example["chosen"], example["rejected"])
    if not prompt_text.endswith("\n\nAssistant: "):
        prompt_text = prompt_text[: prompt_text.rfind("\n\nAssistant: ")] + "\n\nAssistant: "
    chosen_line = example["chosen"][len(prompt_text):]
    rejected_line = example["rejected"][len(prompt_text):]
    prompt_text = prompt_text[: -len("\n\nAssistant: ")]
    parts = re.split(r"(\n\nAssistant: |\n\nHuman: )", prompt_text)[1:]
    prompt = []
    for i in range(0, len(parts), 2):
        prompt.append(msg("user" if parts[i] == "\n\nHuman: " else "assistant", parts[i + 1]))
    return prompt, msg("assistant", chosen_line), msg("assistant", rejected_line)


def hh(data):
    rows = [json.loads(l) for l in gzip.open(data / "hh-rlhf/harmless-base/test.jsonl.gz", "rt", encoding="utf-8")]
    odd = [i for i, r in enumerate(rows) if r["chosen"][: r["chosen"].rfind("\n\nAssistant: ")] != r["rejected"][: r["rejected"].rfind("\n\nAssistant: ")]]
    keep = list(range(150)) + odd
    sample = [rows[i] for i in keep]
    out = FIX / "formats/hh-rlhf/harmless-base-sample.jsonl.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as f:
        for r in sample:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    expected = []
    for line, r in enumerate(sample, start=1):
        c, j = r["chosen"], r["rejected"]
        if c[: c.rfind("\n\nAssistant: ")] != j[: j.rfind("\n\nAssistant: ")]:
            expected.append({"line": line, "error": "rejected"})
            continue
        prompt, chosen, rejected = trl_extract(r)
        # App. C.1: pairs with an empty response are dropped.
        if not chosen["content"].strip():
            expected.append({"line": line, "error": "chosen.content"})
        elif not rejected["content"].strip():
            expected.append({"line": line, "error": "rejected.content"})
        else:
            expected.append(expected_pair(line, prompt, chosen, rejected))
    write_jsonl(FIX / "expected/hh-rlhf.jsonl", expected)


# ---------------------------------------------------------------- RMB

def rmb_context(row):
    return [msg(m["role"], m["content"]) for m in row["conversation_input"]]


def rmb(data):
    base = data / "benchmarks/rmb/RMB_dataset"
    picks = [("Pairwise_set/Helpfulness/Open QA/Factual.json", 6), ("Pairwise_set/Harmlessness/S1.json", 4),
             ("BoN_set/Helpfulness/Open QA/Factual.json", 6), ("BoN_set/Harmlessness/S1.json", 3)]
    for rel, n in picks:
        rows = json.load(open(base / rel, encoding="utf-8"))[:n]
        # Keep the original pretty-printed array layout (elements start on their own lines).
        dest = FIX / "formats/rmb" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(rows, ensure_ascii=False, indent=1)
        dest.write_text(text, encoding="utf-8")
        # The line of each element's opening brace in the written file.
        lines = [i + 1 for i, l in enumerate(text.split("\n")) if l == " {"]
        expected = []
        for line, r in zip(lines, rows):
            ctx = rmb_context(r)
            if "bon_best" in r:
                for loser in r["loser_list"]:
                    expected.append(expected_pair(line, ctx, msg("assistant", r["bon_best"]["answer"]), msg("assistant", loser["answer"])))
            else:
                expected.append(expected_pair(line, ctx, msg("assistant", r["chosen"]["answer"]), msg("assistant", r["reject"]["answer"])))
        name = rel.replace("/", "__").replace(" ", "_")
        write_jsonl(FIX / f"expected/rmb__{name}.jsonl", expected)


# ---------------------------------------------------------------- RewardBench 2 (lists) and hand-written files

def rewardbench2(data):
    rows = [json.loads(l) for l in open(data / "benchmarks/rewardbench2/ties_sample_ref42_to_ref50.jsonl", encoding="utf-8")][:2]
    dest = FIX / "formats/rewardbench2/ties-sample.jsonl"
    write_jsonl(dest, rows)
    expected = []
    for line, r in enumerate(rows, start=1):
        for c in r["chosen"]:
            for j in r["rejected"]:
                expected.append(expected_pair(line, [msg("user", r["prompt"])], msg("assistant", c), msg("assistant", j)))
    write_jsonl(FIX / "expected/rewardbench2.jsonl", expected)


def handwritten():
    # TRL conversational, implicit prompt (with a system turn, multi-turn and a margin).
    trl_conv = [
        {"chosen": [msg("user", "What is 2+2?"), msg("assistant", "4")], "rejected": [msg("user", "What is 2+2?"), msg("assistant", "5")]},
        {"chosen": [msg("system", "Be terse."), msg("user", "Hi"), msg("assistant", "Hello."), msg("user", "Name a color \"quoted\"\n"), msg("assistant", "Blue\u00e9 \U0001F600")],
         "rejected": [msg("system", "Be terse."), msg("user", "Hi"), msg("assistant", "Hello."), msg("user", "Name a color \"quoted\"\n"), msg("assistant", "I can't.")], "margin": 1.5},
        {"chosen": [msg("user", "Same?"), msg("assistant", "yes")], "rejected": [msg("user", "Same?"), msg("assistant", "yes")]},
        {"chosen": [msg("user", "Think first"), msg("assistant", "42", "6*7=42")], "rejected": [msg("user", "Think first"), msg("assistant", "41", "guess")]},
        {"chosen": [msg("user", "Empty?"), msg("assistant", "Full answer")], "rejected": [msg("user", "Empty?"), msg("assistant", "   ")]},
        {"chosen": [msg("user", "Roles"), msg("assistant", "ok")], "rejected": [msg("user", "Roles"), msg("robot", "beep")]},
    ]
    write_jsonl(FIX / "formats/trl/conversational.jsonl", trl_conv)
    expected = []
    for line, r in enumerate(trl_conv, start=1):
        c, j = r["chosen"], r["rejected"]
        if c == j:
            expected.append({"line": line, "error": "chosen"})
        elif any(m["role"] not in ("system", "user", "assistant", "tool") for m in c + j):
            expected.append({"line": line, "error": "rejected[1].role"})
        elif not j[-1]["content"].strip():
            expected.append({"line": line, "error": "rejected.content"})
        else:
            expected.append(expected_pair(line, c[:-1], c[-1], j[-1]))
    write_jsonl(FIX / "expected/trl-conversational.jsonl", expected)

    # TRL explicit prompt: strings, and message lists.
    trl_explicit = [
        {"prompt": "The sky is", "chosen": " blue.", "rejected": " green."},
        {"prompt": [msg("user", "What color is the sky?")], "chosen": [msg("assistant", "Blue.")], "rejected": [msg("assistant", "Green.")], "margin": 0.25},
        {"prompt": [msg("user", "Hi"), msg("assistant", "Hello")], "chosen": [msg("assistant", "ok")], "rejected": [msg("assistant", "no")]},
        {"prompt": "Missing rejected", "chosen": "a"},
    ]
    write_jsonl(FIX / "formats/trl/explicit.jsonl", trl_explicit)
    expected = [
        expected_pair(1, [msg("user", "The sky is")], msg("assistant", " blue."), msg("assistant", " green.")),
        expected_pair(2, [msg("user", "What color is the sky?")], msg("assistant", "Blue."), msg("assistant", "Green.")),
        {"line": 3, "error": "context[1].role"},
        {"line": 4, "error": "rejected"},
    ]
    write_jsonl(FIX / "expected/trl-explicit.jsonl", expected)

    # OpenRLHF with custom keys (read with --prompt-key question --chosen-key good --rejected-key bad).
    openrlhf = [
        {"question": "Capital of France?", "good": "Paris", "bad": "Lyon", "margin": 2.0},
        {"question": [msg("user", "Capital of Spain?")], "good": [msg("assistant", "Madrid")], "bad": [msg("assistant", "Rome")]},
    ]
    write_jsonl(FIX / "formats/openrlhf/custom-keys.jsonl", openrlhf)
    write_jsonl(FIX / "expected/openrlhf.jsonl", [
        expected_pair(1, [msg("user", "Capital of France?")], msg("assistant", "Paris"), msg("assistant", "Lyon")),
        expected_pair(2, [msg("user", "Capital of Spain?")], msg("assistant", "Madrid"), msg("assistant", "Rome")),
    ])

    # RewardBench v1 rows as a JSON array, one of them with a null response.
    rb = [
        {"prompt": "Say hi", "chosen": "Hi!", "rejected": "Bye.", "subset": "alpacaeval-easy", "id": 1},
        {"prompt": "Add 1+1", "chosen": "2", "rejected": None, "subset": "math-prm", "id": 2},
    ]
    dest = FIX / "formats/rewardbench/sample.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(rb, indent=2), encoding="utf-8")
    write_jsonl(FIX / "expected/rewardbench.jsonl", [
        expected_pair(2, [msg("user", "Say hi")], msg("assistant", "Hi!"), msg("assistant", "Bye.")),
        {"line": 9, "error": "rejected"},
    ])


# ---------------------------------------------------------------- decontamination

def words(text):
    out, cur = [], []
    for ch in text:
        for lower in ch.lower():
            if unicodedata.category(lower)[0] in "LN":
                cur.append(lower)
            elif cur:
                out.append("".join(cur))
                cur = []
    if cur:
        out.append("".join(cur))
    return out


def ngrams(text, n=13):
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def first_turn_prompt(r):
    if isinstance(r.get("conversation_input"), list):
        for m in r["conversation_input"]:
            if m.get("role") == "user":
                return m.get("content")
        return None
    if isinstance(r.get("question"), str):
        return r["question"]
    p = r.get("prompt")
    if isinstance(p, str):
        return p
    if isinstance(p, list):
        for m in p:
            if m.get("role") == "user":
                return m.get("content")
    return None


def decontamination(data):
    bench = FIX / "benchmarks"
    if bench.exists():
        shutil.rmtree(bench)
    copies = [
        ("judgebench/dataset=judgebench,response_model=gpt-4o-2024-05-13.jsonl", "jsonl", 4),
        ("rm-bench/chat_filtered.json", "array", 4),
        ("rmb/RMB_dataset/Pairwise_set/Helpfulness/Open QA/Factual.json", "array", 4),
        ("rewardbench2/ties_sample_ref42_to_ref50.jsonl", "jsonl", 3),
    ]
    prompts = {}
    for rel, kind, n in copies:
        src = data / "benchmarks" / rel
        if kind == "jsonl":
            rows = [json.loads(l) for l in open(src, encoding="utf-8")][:n]
            write_jsonl(bench / rel, rows)
        else:
            rows = json.load(open(src, encoding="utf-8"))[:n]
            (bench / rel).parent.mkdir(parents=True, exist_ok=True)
            (bench / rel).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        name = rel.split("/")[0]
        for r in rows:
            p = first_turn_prompt(r)
            if p:
                prompts.setdefault(name, []).append(p)
    index = {}
    for name, ps in prompts.items():
        for p in ps:
            for g in ngrams(p):
                index.setdefault(g, set()).add(name)

    rng = random.Random(7)
    pairs = []
    filler = "Please help me with the following request and explain your reasoning clearly."
    for name, ps in sorted(prompts.items()):
        for p in ps[:2]:
            w = p.split()
            if len(w) < 20:
                continue
            start = rng.randrange(0, len(w) - 13)
            window13 = " ".join(w[start:start + 13])
            window12 = " ".join(w[start:start + 12])
            pairs.append({"prompt": f"{filler} {window13.upper()}!", "chosen": "Sure.", "rejected": "No."})
            pairs.append({"prompt": f"{filler} {window12}", "chosen": "Sure.", "rejected": "No."})
            pairs.append({"prompt": [msg("user", "Hello there"), msg("assistant", "Hi"), msg("user", f"{window13.replace(' ', ' -- ')}")], "chosen": "A", "rejected": "B"})
    pairs.append({"prompt": "A completely unrelated question about gardening tomatoes in the spring season with compost and water.", "chosen": "Ok.", "rejected": "No."})
    write_jsonl(FIX / "decontam-pairs.jsonl", pairs)
    expected = []
    for line, r in enumerate(pairs, start=1):
        turns = [r["prompt"]] if isinstance(r["prompt"], str) else [m["content"] for m in r["prompt"]]
        hit = set()
        for t in turns:
            for g in ngrams(t):
                hit |= index.get(g, set())
        expected.append({"line": line, "benchmarks": sorted(hit)})
    write_jsonl(FIX / "expected/decontam.jsonl", expected)
    # Word tokenization cases, checked one by one.
    samples = ["Hello, World! It's 2024_10: ÉCOLE naïve façade", "İstanbul ΣΟΦΊΑ straße ǅemal", "数据模型 偏好 ١٢٣ ⅻ ½ x²", "emoji😀split tab\tnew\nline", "Hindi हिन्दी test"]
    write_jsonl(FIX / "expected/words.jsonl", [{"text": s, "words": words(s)} for s in samples])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data"))
    args = ap.parse_args()
    data = pathlib.Path(args.data)
    for sub in ("formats", "expected"):
        if (FIX / sub).exists():
            shutil.rmtree(FIX / sub)
    hh(data)
    rmb(data)
    rewardbench2(data)
    handwritten()
    decontamination(data)
    total = sum(f.stat().st_size for f in FIX.rglob("*") if f.is_file())
    print(f"wrote fixtures under {FIX} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
