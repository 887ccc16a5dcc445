#!/usr/bin/env bash
# The curation experiment (`synpref curate experiment`, what scripts/quickstart.sh runs) at
# several noise levels and seeds, on the bundled RMB harmlessness sample with reward models
# on frozen all-MiniLM-L6-v2 (pooler and classifier trained; EXTRA="--train head" for a
# linear head) and simulated annotators (100 answers per round, 2 rounds, 5% wrong), no LLM
# judges. Prints one row per run and the mean per noise level; each run's
# numbers stay in OUT/noise-N-seed-S/experiment.json.
#
# Usage: benchmarks/curation/run.sh [OUT] (default /tmp/synpref-curation-bench)
#        NOISES="0.1 0.3 0.45" SEEDS="0 1 2" EXTRA="--recycle" to change the grid.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-/tmp/synpref-curation-bench}"
NOISES="${NOISES:-0.1 0.3 0.45}"
SEEDS="${SEEDS:-0 1 2}"
swift build -c release --product synpref >&2
BIN="$(swift build -c release --show-bin-path)/synpref"
MODEL="${SYNPREF_ASSETS:-$HOME/.cache/synpref/assets}/minilm"
[ -f "$MODEL/model.safetensors" ] || scripts/fetch-assets.sh minilm >&2
python3 benchmarks/machine.py >&2 || true
mkdir -p "$OUT"
for noise in $NOISES; do
    for seed in $SEEDS; do
        dir="$OUT/noise-$noise-seed-$seed"
        rm -rf "$dir"
        echo "== noise $noise seed $seed" >&2
        # shellcheck disable=SC2086
        "$BIN" curate experiment --input examples/data/rmb-harmlessness/pairwise-harmlessness-sample.json.gz \
            --output "$dir" --model "$MODEL" --noise "$noise" --seed "$seed" ${EXTRA:-} >&2 2>"$dir.log" || { cat "$dir.log" >&2; exit 1; }
    done
done
python3 benchmarks/curation/summarize.py "$OUT"
