#!/usr/bin/env python3
"""Tiny random Qwen3 / Llama / BERT checkpoints and transformers' outputs for them.

Writes, for each model, a Hugging Face folder (config.json + model.safetensors) in f32 and
in bf16 under Tests/SynprefModelsTests/Fixtures/<name>-<dtype>/, plus reference.json.gz
there: the token sequences and, computed by transformers in f32 one sequence at a time
(no padding), the logits and the final hidden states (last_hidden_state of the base
model). bf16 checkpoints are loaded with dtype=float32, i.e. the bf16 weights upcast, as
the Swift side computes. Also writes the real all-MiniLM-L6-v2's mean-pooled embeddings
for 20 fixed sequences (minilm-reference.json.gz) and the quickstart example checkpoint
examples/tiny-qwen3/ with examples/score-input.jsonl and its expected scores.

Run: /work/venv/bin/python scripts/reference/make_tiny_models.py  (torch 2.13, transformers 5.24)
"""
import gzip
import json
import os
import random
import shutil
import sys

import torch
import transformers
from transformers import (BertConfig, BertForSequenceClassification, BertModel, LlamaConfig,
                          LlamaForSequenceClassification, Qwen3Config, Qwen3ForSequenceClassification)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "Tests", "SynprefModelsTests", "Fixtures")
LENGTHS = [1, 2, 7, 31, 64, 65, 130, 203, 260]

torch.set_num_threads(2)


def qwen3_gqa():
    # head_dim 32 != hidden/heads = 16; GQA 4 query heads over 2 kv heads; pad token set.
    return Qwen3ForSequenceClassification, Qwen3Config(
        vocab_size=300, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=32, max_position_embeddings=512,
        rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=False, num_labels=1,
        pad_token_id=299, attention_bias=False)


def qwen3_mqa_bias():
    # MQA (1 kv head), attention_bias, head_dim 16 = hidden/heads, 2 labels.
    return Qwen3ForSequenceClassification, Qwen3Config(
        vocab_size=300, hidden_size=48, intermediate_size=80, num_hidden_layers=2,
        num_attention_heads=3, num_key_value_heads=1, head_dim=16, max_position_embeddings=512,
        rms_norm_eps=1e-6, rope_theta=10000.0, num_labels=2, pad_token_id=None, attention_bias=True)


def llama3_scaled():
    # llama3 rope scaling with original_max_position_embeddings 64 < sequence lengths up to
    # 260; GQA 6 over 2; attention and mlp biases.
    return LlamaForSequenceClassification, LlamaConfig(
        vocab_size=300, hidden_size=48, intermediate_size=112, num_hidden_layers=2,
        num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=512,
        rms_norm_eps=1e-5, rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                             "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                             "original_max_position_embeddings": 64},
        attention_bias=True, mlp_bias=True, num_labels=1, pad_token_id=0)


def bert_cls():
    return BertForSequenceClassification, BertConfig(
        vocab_size=300, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=512, type_vocab_size=2, num_labels=3,
        hidden_act="gelu", layer_norm_eps=1e-12, pad_token_id=0)


MODELS = {"qwen3-gqa": qwen3_gqa, "qwen3-mqa-bias": qwen3_mqa_bias, "llama3-scaled": llama3_scaled,
          "bert-cls": bert_cls}


def floats(t):
    return [float(x) for x in t.reshape(-1).tolist()]


def sequences(rng, vocab, pad, bert):
    seqs = []
    for i, n in enumerate(LENGTHS):
        ids = [rng.randrange(1, vocab - 1) for _ in range(n)]
        types = None
        if bert:
            ids[0] = 1  # a [CLS]-like first token
            split = n // 2
            types = [0] * split + [1] * (n - split)
        if pad is not None and n >= 7 and i % 2 == 0:
            ids[-2:] = [pad, pad]  # trailing pad tokens: transformers reads the last non-pad token
        seqs.append((ids, types))
    return seqs


def reference(model, seqs, bert):
    out = []
    base = model.bert if bert else model.model
    with torch.no_grad():
        for ids, types in seqs:
            x = torch.tensor([ids])
            kw = {"token_type_ids": torch.tensor([types])} if bert else {}
            logits = model(input_ids=x, **kw).logits[0]
            hidden = base(input_ids=x, **kw).last_hidden_state[0]
            row = {"input_ids": ids, "logits": floats(logits), "last_hidden_state": floats(hidden)}
            if bert:
                row["token_type_ids"] = types
            out.append(row)
    return out


def write_gz(path, obj):
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        json.dump(obj, f, separators=(",", ":"))


def make(name, factory, seed):
    cls, config = factory()
    torch.manual_seed(seed)
    model = cls(config).eval()
    # Random init scales are tiny (std 0.02); widen norms/biases so they matter.
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "norm" in pname.lower() or pname.endswith("bias"):
                p.add_(torch.randn_like(p) * 0.3)
            else:
                p.mul_(5.0)
    bert = cls is BertForSequenceClassification
    rng = random.Random(seed)
    seqs = sequences(rng, config.vocab_size, config.pad_token_id, bert)
    for dtype_name, dtype in [("f32", torch.float32), ("bf16", torch.bfloat16)]:
        folder = os.path.join(FIXTURES, f"{name}-{dtype_name}")
        shutil.rmtree(folder, ignore_errors=True)
        model.to(dtype).save_pretrained(folder)
        model.to(torch.float32)
        for extra in os.listdir(folder):
            if extra not in ("config.json", "model.safetensors"):
                os.remove(os.path.join(folder, extra))
        # Reload exactly as a user would, computing in f32 (bf16 weights upcast).
        loaded = cls.from_pretrained(folder, dtype=torch.float32).eval()
        ref = {"transformers": transformers.__version__, "torch": torch.__version__,
               "sequences": reference(loaded, seqs, bert)}
        if not bert:
            ref["inv_freq"] = floats(loaded.model.rotary_emb.inv_freq)
        write_gz(os.path.join(folder, "reference.json.gz"), ref)
        print(folder, os.path.getsize(os.path.join(folder, "model.safetensors")), "bytes", file=sys.stderr)


def minilm():
    assets = os.environ.get("SYNPREF_ASSETS", os.path.expanduser("~/.cache/synpref/assets"))
    folder = os.path.join(assets, "minilm")
    if not os.path.exists(os.path.join(folder, "model.safetensors")):
        print("minilm: assets missing; run scripts/fetch-assets.sh", file=sys.stderr)
        return
    model = BertModel.from_pretrained(folder, dtype=torch.float32).eval()
    rng = random.Random(7)
    rows = []
    with torch.no_grad():
        for i in range(20):
            n = [1, 3, 8, 17, 40, 128, 300, 510][i % 8] if i < 16 else rng.randrange(2, 200)
            ids = [101] + [rng.randrange(1000, 30000) for _ in range(max(0, n - 2))] + ([102] if n > 1 else [])
            x = torch.tensor([ids])
            h = model(input_ids=x).last_hidden_state[0]
            rows.append({"input_ids": ids, "mean_pooled": floats(h.mean(0)), "cls": floats(h[0])})
    write_gz(os.path.join(FIXTURES, "minilm-reference.json.gz"),
             {"transformers": transformers.__version__, "torch": torch.__version__, "sequences": rows})


def example():
    """The quickstart's bundled checkpoint: a tiny random bf16 Qwen3 reward model."""
    cls, config = qwen3_gqa()
    config.pad_token_id = None
    torch.manual_seed(1234)
    model = cls(config).eval()
    folder = os.path.join(ROOT, "examples", "tiny-qwen3")
    shutil.rmtree(folder, ignore_errors=True)
    model.to(torch.bfloat16).save_pretrained(folder)
    for extra in os.listdir(folder):
        if extra not in ("config.json", "model.safetensors"):
            os.remove(os.path.join(folder, extra))
    loaded = cls.from_pretrained(folder, dtype=torch.float32).eval()
    rng = random.Random(99)
    lines, expected = [], []
    with torch.no_grad():
        for i, n in enumerate([5, 12, 40, 3, 100, 25]):
            ids = [rng.randrange(1, 299) for _ in range(n)]
            lines.append(json.dumps({"id": f"example-{i + 1}", "input_ids": ids}))
            expected.append({"id": f"example-{i + 1}", "score": float(loaded(input_ids=torch.tensor([ids])).logits[0, 0])})
    with open(os.path.join(ROOT, "examples", "score-input.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(ROOT, "examples", "score-expected.jsonl"), "w") as f:
        f.write("\n".join(json.dumps(e) for e in expected) + "\n")


if __name__ == "__main__":
    os.makedirs(FIXTURES, exist_ok=True)
    for i, (name, factory) in enumerate(MODELS.items()):
        make(name, factory, seed=100 + i)
    minilm()
    example()
