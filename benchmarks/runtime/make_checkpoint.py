#!/usr/bin/env python3
"""Makes a Qwen3-0.6B-configuration Qwen3ForSequenceClassification with random weights,
saved as bf16 safetensors (not committed; ~1.2 GB). No download: the config is written out
here with the published Qwen3-0.6B sizes.

usage: make_checkpoint.py OUT_DIR [--layers N] [--hidden H --intermediate I --heads A --kv-heads K]
"""
import argparse
import os
import sys

import torch
from transformers import Qwen3Config, Qwen3ForSequenceClassification


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--layers", type=int, default=28)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--intermediate", type=int, default=3072)
    p.add_argument("--heads", type=int, default=16)
    p.add_argument("--kv-heads", type=int, default=8)
    p.add_argument("--vocab", type=int, default=151936)
    a = p.parse_args()
    if os.path.exists(os.path.join(a.out, "model.safetensors")):
        print(f"{a.out}: exists", file=sys.stderr)
        return
    config = Qwen3Config(
        vocab_size=a.vocab, hidden_size=a.hidden, intermediate_size=a.intermediate,
        num_hidden_layers=a.layers, num_attention_heads=a.heads, num_key_value_heads=a.kv_heads,
        head_dim=128, max_position_embeddings=40960, rms_norm_eps=1e-6, rope_theta=1000000.0,
        tie_word_embeddings=False, num_labels=1, pad_token_id=151643, attention_bias=False,
        bos_token_id=151643, eos_token_id=151645)
    torch.manual_seed(0)
    with torch.device("meta"):
        model = Qwen3ForSequenceClassification(config)
    model = model.to_empty(device="cpu").to(torch.bfloat16)
    with torch.no_grad():
        for name, t in model.named_parameters():
            if "norm" in name:
                t.fill_(1.0)
            else:
                t.normal_(0.0, 0.02)
    model.eval().save_pretrained(a.out)
    print(f"{a.out}: written", file=sys.stderr)


if __name__ == "__main__":
    main()
