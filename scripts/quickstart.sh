#!/usr/bin/env bash
# Sets up a fresh machine, builds Synpref in release mode and runs the main job on the
# bundled defaults: scoring examples/score-input.jsonl with the tiny bundled Qwen3 reward
# model (examples/tiny-qwen3, random weights, made by scripts/reference/make_tiny_models.py).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product synpref
echo "== synpref score --model examples/tiny-qwen3 --input examples/score-input.jsonl" >&2
.build/release/synpref score --model examples/tiny-qwen3 --input examples/score-input.jsonl
echo "== transformers' scores for the same input (examples/score-expected.jsonl):" >&2
cat examples/score-expected.jsonl >&2
