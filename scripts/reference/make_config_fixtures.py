#!/usr/bin/env python3
"""config.json fixtures for Tests/SynprefModelsTests (Config* tests), parsed by transformers.

Inputs (committed): Tests/SynprefModelsTests/Fixtures/checkpoint/configs/published/*.json,
config.json files in the transformers-4 layout written from published model configs (see
the README there), and the all-MiniLM-L6-v2 config.json asset (not committed).

Outputs:
  configs/v5/<name>.json     the same configs as transformers 5.24 writes them back
                             (AutoConfig.from_pretrained + save_pretrained: `dtype`,
                             `rope_parameters`), so both layouts are tested
  configs/variants/<name>.json  small configs for the cases the published ones miss (MQA,
                             head_dim != hidden/heads, legacy rope `type`, defaults, labels)
  configs/expected.json      for every file above: the values transformers' AutoConfig
                             parses, as the runtime uses them

Usage: /work/venv/bin/python scripts/reference/make_config_fixtures.py   (from the repo root)
"""
import json
import os
import shutil
import tempfile
from pathlib import Path

from transformers import AutoConfig

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "Tests/SynprefModelsTests/Fixtures/checkpoint/configs"
ASSETS = Path(os.environ.get("SYNPREF_ASSETS", Path.home() / ".cache/synpref/assets"))

TINY_LLAMA = {
    "architectures": ["LlamaForSequenceClassification"], "model_type": "llama", "vocab_size": 128,
    "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4,
}
TINY_QWEN3 = {
    "architectures": ["Qwen3ForSequenceClassification"], "model_type": "qwen3", "vocab_size": 128,
    "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 2, "num_attention_heads": 4,
}
TINY_BERT = {
    "architectures": ["BertForSequenceClassification"], "model_type": "bert", "vocab_size": 100,
    "hidden_size": 32, "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
}
LLAMA3_SCALING = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 64, "rope_type": "llama3"}

# name -> config.json contents. Each exercises something the published configs do not.
VARIANTS = {
    # MQA, head_dim different from hidden/heads (64/4 = 16), both biases, a pad token.
    "llama-mqa-headdim": {**TINY_LLAMA, "num_key_value_heads": 1, "head_dim": 24, "attention_bias": True,
                          "mlp_bias": True, "pad_token_id": 3, "num_labels": 1, "torch_dtype": "float32",
                          "max_position_embeddings": 256, "rope_theta": 10000.0, "rms_norm_eps": 1e-5},
    # Llama defaults: no kv heads (-> heads), no head_dim (-> hidden/heads), no labels (-> 2).
    "llama-defaults": dict(TINY_LLAMA),
    # Legacy `type` key instead of `rope_type`; original_max_position_embeddings absent
    # (-> max_position_embeddings); integer-valued factors.
    "llama-rope-legacy-type": {**TINY_LLAMA, "max_position_embeddings": 128, "rope_theta": 500000.0,
                               "rope_scaling": {"type": "llama3", "factor": 4, "low_freq_factor": 1,
                                                "high_freq_factor": 4}},
    # transformers-5 layout written by hand: rope_parameters with its own theta, dtype.
    "llama-rope-parameters": {**TINY_LLAMA, "max_position_embeddings": 256, "dtype": "bfloat16",
                              "rope_parameters": {**LLAMA3_SCALING, "rope_theta": 250000.0}},
    # Both layouts at once: rope_scaling wins over rope_parameters, dtype over torch_dtype,
    # rope_theta inside the dict over the top-level one.
    "llama-both-layouts": {**TINY_LLAMA, "max_position_embeddings": 256, "dtype": "float16",
                           "torch_dtype": "bfloat16", "rope_theta": 1.0,
                           "rope_scaling": {**LLAMA3_SCALING, "rope_theta": 20000.0},
                           "rope_parameters": {"rope_type": "default", "rope_theta": 30000.0}},
    # An empty rope_scaling falls back to rope_parameters.
    "llama-empty-rope-scaling": {**TINY_LLAMA, "rope_scaling": {},
                                 "rope_parameters": {"rope_type": "default", "rope_theta": 40000.0}},
    # num_labels given with a contradicting id2label: num_labels wins.
    "llama-labels-override": {**TINY_LLAMA, "id2label": {"0": "A", "1": "B"}, "num_labels": 1},
    # Qwen3 defaults: head_dim 128 and 32 kv heads (Qwen3Config's field defaults).
    "qwen3-defaults": {**TINY_QWEN3, "num_attention_heads": 64},
    # GQA with num_key_value_heads null (-> heads), tied embeddings, 3 labels from id2label.
    "qwen3-null-kv": {**TINY_QWEN3, "num_key_value_heads": None, "head_dim": 16, "tie_word_embeddings": True,
                      "id2label": {"0": "a", "1": "b", "2": "c"}, "rope_theta": 1000000,
                      "use_sliding_window": False, "sliding_window": 4096},
    # Sliding window configured but off for every layer (max_window_layers >= layers).
    "qwen3-sliding-unused": {**TINY_QWEN3, "num_key_value_heads": 2, "head_dim": 16,
                             "use_sliding_window": True, "sliding_window": 32, "max_window_layers": 2},
    # A BERT classifier without id2label (-> 2 labels), no pad_token_id (-> 0).
    "bert-two-labels": dict(TINY_BERT),
    # BertModel with a null pad token and a custom layer-norm epsilon.
    "bert-model-null-pad": {**TINY_BERT, "architectures": ["BertModel"], "pad_token_id": None,
                            "layer_norm_eps": 1e-7, "type_vocab_size": 1, "max_position_embeddings": 128},
}


def parsed(config) -> dict:
    """The values the runtime uses, as transformers settles them."""
    out = {"model_type": config.model_type, "architecture": (config.architectures or [None])[0],
           "num_labels": config.num_labels,
           "dtype": None if config.dtype is None else str(config.dtype).replace("torch.", "")}
    common = ["vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
              "max_position_embeddings", "pad_token_id"]
    for key in common:
        out[key] = getattr(config, key)
    if config.model_type == "bert":
        for key in ["hidden_act", "type_vocab_size", "layer_norm_eps"]:
            out[key] = getattr(config, key)
        return out
    for key in ["num_key_value_heads", "head_dim", "rms_norm_eps", "attention_bias", "tie_word_embeddings",
                "hidden_act"]:
        out[key] = getattr(config, key)
    # Qwen3MLP is built with bias=False whatever the config holds.
    out["mlp_bias"] = getattr(config, "mlp_bias", False) if config.model_type == "llama" else False
    rope = dict(config.rope_parameters)
    out["rope_theta"] = float(rope["rope_theta"])
    out["rope_type"] = rope["rope_type"]
    if rope["rope_type"] == "llama3":
        out["rope_llama3"] = {k: rope[k] for k in ["factor", "low_freq_factor", "high_freq_factor",
                                                   "original_max_position_embeddings"]}
    if config.model_type == "qwen3":
        out["layer_types"] = list(config.layer_types)
    return out


def load(path: Path):
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(path, Path(folder) / "config.json")
        return AutoConfig.from_pretrained(folder)


def main() -> None:
    expected = {}
    (CONFIGS / "v5").mkdir(parents=True, exist_ok=True)
    (CONFIGS / "variants").mkdir(parents=True, exist_ok=True)
    sources = {p.stem: p for p in sorted((CONFIGS / "published").glob("*.json"))}
    sources["all-minilm-l6-v2"] = ASSETS / "minilm/config.json"
    for name, path in sources.items():
        config = load(path)
        expected[f"published/{name}"] = parsed(config)
        with tempfile.TemporaryDirectory() as folder:
            config.save_pretrained(folder)
            shutil.copy(Path(folder) / "config.json", CONFIGS / "v5" / f"{name}.json")
        expected[f"v5/{name}"] = parsed(load(CONFIGS / "v5" / f"{name}.json"))
    for name, contents in VARIANTS.items():
        path = CONFIGS / "variants" / f"{name}.json"
        path.write_text(json.dumps(contents, indent=2) + "\n")
        expected[f"variants/{name}"] = parsed(load(path))
    (CONFIGS / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(expected)} expectations to {CONFIGS / 'expected.json'}")


if __name__ == "__main__":
    main()
