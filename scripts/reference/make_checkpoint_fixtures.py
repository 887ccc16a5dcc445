#!/usr/bin/env python3
"""Safetensors fixtures for Tests/SynprefModelsTests (Safetensors* tests).

Writes, with the reference `safetensors` library and transformers' save_pretrained:
  tiny.safetensors            F32 / BF16 / F16 / I64 tensors, a scalar, an empty tensor
  tiny.expected.json          what safetensors' safe_open reads back from it
  sharded-qwen3/              a tiny random Qwen3ForSequenceClassification saved by
                              transformers with a small max_shard_size (index + shards)
  sharded-qwen3.expected.json what safe_open reads from each shard (shape, dtype, sum)
  minilm.expected.json        names, dtypes, shapes, value sums and first values of the real
                              all-MiniLM-L6-v2 model.safetensors (the asset, not committed)
  manifest-llama/             a tiny random LlamaForSequenceClassification (MQA, head_dim !=
                              hidden/heads, attention and MLP biases) saved by transformers
  manifest-bert/              a tiny random BertForSequenceClassification saved by transformers
                              (the weight-manifest tests compare our tensor lists with these)

Usage: /work/venv/bin/python scripts/reference/make_checkpoint_fixtures.py
       (run from the repository root; needs the minilm asset from scripts/fetch-assets.sh)
"""
import json
import os
import shutil
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests/SynprefModelsTests/Fixtures/checkpoint"


def describe(path: Path, first: int) -> dict:
    """Every tensor of `path` as safe_open reads it: dtype, shape, float64 sum, first values."""
    result = {}
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata()
        for name in f.keys():
            t = f.get_tensor(name)
            dtype = str(t.dtype).replace("torch.", "")
            values = t.flatten()
            entry = {
                "dtype": {"float32": "F32", "bfloat16": "BF16", "float16": "F16", "int64": "I64"}[dtype],
                "shape": list(t.shape),
            }
            if t.is_floating_point():
                wide = values.to(torch.float64)
                entry["sum"] = float(wide.sum())
                entry["first"] = [float(v) for v in wide[:first]]
            else:
                entry["sum"] = int(values.sum())
                entry["first"] = [int(v) for v in values[:first]]
            result[name] = entry
    return {"metadata": metadata or {}, "tensors": result}


def tiny() -> None:
    g = torch.Generator().manual_seed(1234)
    tensors = {
        "weight.f32": torch.randn(2, 3, generator=g),
        "weight.bf16": torch.randn(4, generator=g).to(torch.bfloat16),
        "weight.f16": torch.randn(2, 2, generator=g).to(torch.float16),
        "position_ids": torch.arange(3, dtype=torch.int64).unsqueeze(0),
        "scalar": torch.tensor(0.5),
        "empty": torch.zeros(0, 4),
    }
    path = OUT / "tiny.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt"})
    (OUT / "tiny.expected.json").write_text(json.dumps(describe(path, first=16), indent=1) + "\n")


def sharded() -> None:
    from transformers import Qwen3Config, Qwen3ForSequenceClassification

    torch.manual_seed(0)
    config = Qwen3Config(
        vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=128,
        num_labels=1, pad_token_id=0, tie_word_embeddings=False,
    )
    model = Qwen3ForSequenceClassification(config).to(torch.bfloat16)
    folder = OUT / "sharded-qwen3"
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(str(folder), max_shard_size="2KB")
    shards = sorted(p.name for p in folder.glob("*.safetensors"))
    assert len(shards) > 1, "expected several shards"
    expected = {"shards": {}}
    for shard in shards:
        expected["shards"][shard] = describe(folder / shard, first=4)["tensors"]
    (OUT / "sharded-qwen3.expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


def manifests() -> None:
    from transformers import BertConfig, BertForSequenceClassification, LlamaConfig, LlamaForSequenceClassification

    torch.manual_seed(1)
    llama = LlamaConfig(
        vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=1, head_dim=6, attention_bias=True, mlp_bias=True, max_position_embeddings=64,
        num_labels=1, pad_token_id=0,
    )
    bert = BertConfig(
        vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=2, num_attention_heads=4,
        max_position_embeddings=16, num_labels=3,
    )
    for name, model in [("manifest-llama", LlamaForSequenceClassification(llama)),
                        ("manifest-bert", BertForSequenceClassification(bert))]:
        folder = OUT / name
        shutil.rmtree(folder, ignore_errors=True)
        model.to(torch.bfloat16).save_pretrained(str(folder))


def minilm() -> None:
    assets = Path(os.environ.get("SYNPREF_ASSETS", Path.home() / ".cache/synpref/assets"))
    path = assets / "minilm/model.safetensors"
    # safe_open cannot return I64 as floats; describe() handles ints separately.
    (OUT / "minilm.expected.json").write_text(json.dumps(describe(path, first=4), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    tiny()
    sharded()
    manifests()
    minilm()
    print(f"wrote fixtures to {OUT}")
