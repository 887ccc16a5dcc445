#!/usr/bin/env bash
# Load test of the annotation app's claim/answer API with wrk: ANNOTATORS signed-in people
# (one wrk thread and connection each) claim a pair and answer it, over and over, for
# DURATION, on a store of PAIRS pairs. Release build; SQLite and PostgreSQL in turn.
#
#   benchmarks/annotation/run.sh [ANNOTATORS=16] [DURATION=20s] [PAIRS=20000]
#
# Prints wrk's rate and latency percentiles per store and counts the answers in the store.
set -euo pipefail
cd "$(dirname "$0")/../.."
annotators=${1:-16}
duration=${2:-20s}
pairs=${3:-20000}
bin=.build/release/synpref
[ -x "$bin" ] || swift build -c release --product synpref
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 - "$pairs" > "$work/pairs.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"prompt": f"Question {i}: which answer is better?", "chosen": f"A careful answer number {i}.", "rejected": f"A careless answer number {i}."}))
PY
if [ -z "${SYNPREF_TEST_POSTGRES_URL:-}" ]; then source scripts/with-postgres.sh >/dev/null; fi
schema="bench_$$"
for store in "sqlite:$work/bench.db" "${SYNPREF_TEST_POSTGRES_URL}$( [[ $SYNPREF_TEST_POSTGRES_URL == *\?* ]] && echo '&' || echo '?')schema=$schema"; do
  kind=${store%%:*}
  "$bin" data import "$work/pairs.jsonl" --store "$store" >/dev/null
  echo admin-password-1 | "$bin" users add admin --role admin --store "$store" --password-stdin >/dev/null
  for i in $(seq 0 $((annotators - 1))); do
    echo annotator-password-1 | "$bin" users add "ann$i" --store "$store" --password-stdin >/dev/null
  done
  port=$((20000 + RANDOM % 20000))
  "$bin" serve --annotation --store "$store" --port "$port" --log-level warning 2>"$work/serve-$kind.log" &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
  python3 benchmarks/annotation/setup.py "http://127.0.0.1:$port" admin admin-password-1 ann "$annotators" annotator-password-1 "$work/sessions-$kind"
  echo "== $kind: $annotators annotators, $duration, $pairs pairs"
  SYNPREF_WRK_SESSIONS="$work/sessions-$kind" wrk -t "$annotators" -c "$annotators" -d "$duration" --latency \
      -s benchmarks/annotation/claim_answer.lua "http://127.0.0.1:$port" | sed -n '/Thread Stats/,$p'
  kill "$server"; wait "$server" 2>/dev/null || true
  python3 - "$bin" "$store" <<'PY'
import subprocess, sys, json
bin_, store = sys.argv[1:3]
out = subprocess.run([bin_, "data", "stats", "--store", store], capture_output=True, text=True).stdout
print("store after the run:", " ".join(l.strip() for l in out.splitlines() if l.strip().split(" ")[0] in ("gold", "unverified")))
PY
done
