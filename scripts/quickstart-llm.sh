#!/usr/bin/env bash
# The quickstart with LLM judges: a local llama.cpp server (scripts/llm-server.sh: SmolLM2-
# 135M-Instruct, OpenAI-compatible, on 127.0.0.1) as the curation's judge for attributes,
# the seed remainder's verification and the labelling of retrieved pairs. A 135M model
# judges near chance, so this shows the pipeline's LLM steps at work (calls, answers kept in
# the store, position bias, agreement with the humans), not better curation; a strong judge
# is a judges file away (docs/judges.md). On 2 CPU cores an attribute call takes about 6 s
# and a labelling call (up to 8 human-labelled examples, ~3,000 prompt tokens) about 20 s, so
# it runs on 60 pairs of the sample (SYNPREF_LIMIT to change): 87 calls, 20 minutes here.
#
# Usage: scripts/quickstart-llm.sh [OUTPUT_DIR]   (default: synpref-quickstart-llm)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-synpref-quickstart-llm}"
PORT="${SYNPREF_LLM_PORT:-18090}"
# 8192 tokens of context: the labelling prompt holds up to 8 human-labelled examples.
URL=$(SYNPREF_LLM_CTX=8192 scripts/llm-server.sh start "$PORT")
trap 'scripts/llm-server.sh stop "$PORT" >/dev/null 2>&1 || true' EXIT
mkdir -p "$(dirname "$OUT")"
JUDGES="$(mktemp -d)/judges.json"
cat > "$JUDGES" <<JSON
[{"name": "smollm2", "endpoint": "$URL", "model": "smollm2", "samples": 1, "max_concurrency": 1,
  "structured_output": "json_object", "timeout_seconds": 300}]
JSON
SYNPREF_JUDGES="$JUDGES" SYNPREF_LIMIT="${SYNPREF_LIMIT:-60}" scripts/quickstart.sh "$OUT"
