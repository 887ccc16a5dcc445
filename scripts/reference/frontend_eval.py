#!/usr/bin/env python3
"""Reference scores for `synpref eval --model` on a small benchmark fixture.

    /work/venv/bin/python scripts/reference/frontend_eval.py   (torch 2.13, transformers 5.24)

The model is frontend_e2e.py's tiny Qwen3 reward model (weights from the shared PRNG, the
real Qwen tokenizer.json of scripts/fetch-assets.sh, qwen3.jinja). The data is a slice of
the benchmarks we hold (Tests/SynprefEvalTests/Fixtures/model-eval/data/, ODC-BY):
  rewardbench2/ties_sample_ref42_to_ref50.jsonl   the 17-row RewardBench 2 Ties sample
  rm-bench/chat_filtered.json                     the first 8 rows of RM-Bench chat
Requests are built as Synpref documents them (each response after its prompt:
[{"role": "user", "content": prompt}, {"role": "assistant", "content": response}], id =
SHA-256 of json.dumps(messages, ensure_ascii=False, separators=(",", ":"))) and scored with
the Skywork-Reward-V2 model-card recipe in transformers.

Writes Tests/SynprefEvalTests/Fixtures/model-eval/: data/ (the slices), model.json (the
model folder's files and generated tensors, as in frontend_e2e.py's fixture) and
scores.jsonl ({"id", "score"} per request, for `synpref eval --scores`).
"""
import hashlib
import json
import pathlib
import shutil
import sys
import tempfile

import torch
from transformers import AutoTokenizer, Qwen3ForSequenceClassification

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import frontend_e2e as e2e  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path("/work/shared/data/benchmarks")
OUT = ROOT / "Tests/SynprefEvalTests/Fixtures/model-eval"


def requests(rows):
    seen, out = set(), []
    for prompt, responses in rows:
        for r in responses:
            messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": r}]
            rid = hashlib.sha256(json.dumps(messages, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()
            if rid not in seen:
                seen.add(rid)
                out.append((rid, messages))
    return out


def main():
    data = OUT / "data"
    (data / "rewardbench2").mkdir(parents=True, exist_ok=True)
    (data / "rm-bench").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Tests/SynprefEvalTests/Fixtures/rewardbench2/ties_sample_ref42_to_ref50.jsonl",
                data / "rewardbench2/ties_sample_ref42_to_ref50.jsonl")
    chat = json.loads((SHARED / "rm-bench/chat_filtered.json").read_text())[:8]
    (data / "rm-bench/chat_filtered.json").write_text(json.dumps(chat, ensure_ascii=False, indent=1) + "\n")
    ties = [json.loads(line) for line in (data / "rewardbench2/ties_sample_ref42_to_ref50.jsonl").read_text().splitlines() if line.strip()]
    rows = [(r["prompt"], r["chosen"] + r["rejected"]) for r in ties] + [(r["prompt"], r["chosen"] + r["rejected"]) for r in chat]
    reqs = requests(rows)

    cfg = e2e.tiny_qwen3_config()
    model, case = e2e.decoder_case("qwen3", "qwen", "qwen3.jinja", cfg, Qwen3ForSequenceClassification, e2e.QWEN_TOKENIZER_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        tok = AutoTokenizer.from_pretrained(e2e.build_folder(tmp, "qwen3", case))
        scores, tokens = [], 0
        for rid, messages in reqs:
            text = tok.apply_chat_template(messages, tokenize=False)
            if tok.bos_token is not None and text.startswith(tok.bos_token):
                text = text[len(tok.bos_token):]
            ids = tok(text)["input_ids"]
            tokens += len(ids)
            scores.append((rid, e2e.score_decoder(model, ids)))
    (OUT / "model.json").write_text(json.dumps(case, ensure_ascii=False, indent=1) + "\n")
    with open(OUT / "scores.jsonl", "w", encoding="utf-8") as f:
        for rid, s in scores:
            f.write(json.dumps({"id": rid, "score": s}) + "\n")
    # How close the closest scores of one prompt are (a metric could flip on a near-tie).
    by_id = dict(scores)
    gap = min(abs(by_id[a[0]] - by_id[b[0]]) for prompt, responses in rows
              for a, b in [(x, y) for i, x in enumerate(requests([(prompt, responses)])) for y in requests([(prompt, responses)])[i + 1:]])
    print(f"{len(scores)} requests, {tokens} tokens; closest scores within a prompt differ by {gap:.2e}", file=sys.stderr)


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
