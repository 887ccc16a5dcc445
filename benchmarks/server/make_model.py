#!/usr/bin/env python3
"""Makes the server benchmark's model folder: a Qwen3-0.6B-width reward model (hidden 1024,
16 heads, 8 KV heads, intermediate 3072, the real 151,936-token vocabulary) with fewer
layers (4 by default, so a load run on 2 cores takes minutes), random bf16 weights, and the
real Qwen tokenizer and chat template, so request texts tokenize as they would in use.

  config.json, model.safetensors   benchmarks/runtime/make_checkpoint.py --layers N
  tokenizer.json                   $SYNPREF_ASSETS/qwen/tokenizer.json
                                   (default ~/.cache/synpref/assets/qwen/tokenizer.json)
  chat_template.jinja,             the qwen3 entry of the front-end fixture
  tokenizer_config.json            (Tests/SynprefModelsTests/Fixtures/frontend/reference.json.gz)

usage: make_model.py [OUT_DIR] [--layers 4]      (OUT_DIR: .build-bench/serve-qwen3)
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_OUT = os.path.join(ROOT, ".build-bench", "serve-qwen3")
FIXTURE = os.path.join(ROOT, "Tests", "SynprefModelsTests", "Fixtures", "frontend", "reference.json.gz")


def qwen_tokenizer_json():
    assets = os.environ.get("SYNPREF_ASSETS") or os.path.expanduser("~/.cache/synpref/assets")
    path = os.path.join(assets, "qwen", "tokenizer.json")
    if not os.path.isfile(path):
        sys.exit(f"make_model.py: {path} is missing; set SYNPREF_ASSETS to the folder holding qwen/tokenizer.json")
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=DEFAULT_OUT)
    ap.add_argument("--layers", type=int, default=4)
    a = ap.parse_args()
    config = os.path.join(a.out, "config.json")
    if os.path.isfile(config) and json.load(open(config)).get("num_hidden_layers") != a.layers:
        sys.exit(f"make_model.py: {a.out} holds a model with another layer count; remove it or pick another folder")
    # Weights and config.json come from the generated model (make_checkpoint.py skips an existing one).
    subprocess.check_call([sys.executable, os.path.join(ROOT, "benchmarks", "runtime", "make_checkpoint.py"),
                           a.out, "--layers", str(a.layers)])
    shutil.copyfile(qwen_tokenizer_json(), os.path.join(a.out, "tokenizer.json"))
    files = json.load(gzip.open(FIXTURE))["models"]["qwen3"]["files"]
    for name in ("chat_template.jinja", "tokenizer_config.json"):  # never the fixture's config.json
        with open(os.path.join(a.out, name), "w") as f:
            f.write(files[name])
    print(f"{a.out}: Qwen3 width, {a.layers} layers, random bf16 weights, Qwen tokenizer + chat template",
          file=sys.stderr)


if __name__ == "__main__":
    main()
