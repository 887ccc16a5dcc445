#!/usr/bin/env bash
# Preference-data benchmark (issue #4 §6), release build:
#   1. parse + validate 1M generated pairs (a >= 1 GB JSON Lines file, made here, not
#      committed) vs. the paired reference, Python + orjson reading the same file line by
#      line (parse only); runs are interleaved, rates are medians, the ratio is ours/theirs;
#   2. import into SQLite and into PostgreSQL (default --on-error fail: a check pass, then
#      the storing pass): pairs/s and peak RSS, and peak RSS for a 10x smaller file;
#   3. decontaminate the 1M-pair store against every held benchmark prompt: seconds, RSS
#      (deduplication happens during the import and is counted there).
# Timing on a shared machine is noisy: the load average is printed with every phase.
#
# Usage: benchmarks/data/run.sh   (env: PAIRS=1000000 ROUNDS=3 BENCH_DIR=/tmp/synpref-data-bench
#        PYTHON=/work/venv/bin/python BENCHMARKS=../shared/data/benchmarks SYNPREF_TEST_POSTGRES_URL=...)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PAIRS="${PAIRS:-1000000}"
ROUNDS="${ROUNDS:-3}"
DIR="${BENCH_DIR:-/tmp/synpref-data-bench}"
PY="${PYTHON:-/work/venv/bin/python}"
BENCHMARKS="${BENCHMARKS:-$ROOT/../shared/data/benchmarks}"
[ -d "$BENCHMARKS" ] || BENCHMARKS=/work/shared/data/benchmarks
mkdir -p "$DIR"

swift build -c release --product synpref >&2
BIN="$ROOT/.build/release/synpref"
FILE="$DIR/pairs-$PAIRS.jsonl"
SMALL="$DIR/pairs-$((PAIRS / 10)).jsonl"
if [ ! -s "$FILE" ]; then
    echo "generating $PAIRS pairs into $FILE ..." >&2
    "$PY" benchmarks/data/generate_pairs.py "$FILE.tmp" --pairs "$PAIRS" --benchmarks "$BENCHMARKS" --contaminate-rate 0.001
    mv "$FILE.tmp" "$FILE"
fi
[ -s "$SMALL" ] || head -n $((PAIRS / 10)) "$FILE" >"$SMALL"
BYTES=$(stat -c %s "$FILE")
"$PY" benchmarks/machine.py --synpref "$BIN"
load() { cut -d' ' -f1-3 /proc/loadavg; }
# Runs a command under /usr/bin/time; writes "wall_s rss_kb cpu_s" to $DIR/time.
timed() {
    /usr/bin/time -f "%e %M %U %S" -o "$DIR/time.raw" "$@"
    awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$DIR/time.raw" >"$DIR/time"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "## Preference data benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
echo "file: $FILE, $PAIRS pairs, $((BYTES / 1000000)) MB; load average at start: $(load)"
echo
echo "### 1. Parse + validate vs. orjson (interleaved, $ROUNDS rounds)"
: >"$DIR/ours"; : >"$DIR/theirs"; : >"$DIR/ratios"
for r in $(seq 1 "$ROUNDS"); do
    "$PY" benchmarks/data/orjson_reference.py "$FILE" >"$DIR/orjson.json"
    theirs=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['records_per_second'])" "$DIR/orjson.json")
    trss=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['peak_rss_mb'])" "$DIR/orjson.json")
    timed "$BIN" data import "$FILE" --dry-run >"$DIR/dry.out" 2>/dev/null
    read -r wall rss cpu <"$DIR/time"
    # Both sides time themselves from the first record to the last (no process start-up).
    ours=$(grep -oE '[0-9]+ records/s' "$DIR/dry.out" | tail -n 1 | cut -d' ' -f1)
    ratio=$(awk -v a="$ours" -v b="$theirs" 'BEGIN {printf "%.2f", a / b}')
    echo "$ours" >>"$DIR/ours"; echo "$theirs" >>"$DIR/theirs"; echo "$ratio" >>"$DIR/ratios"
    echo "round $r: synpref $ours records/s (${cpu} CPU-s, peak RSS $((rss / 1024)) MB), orjson $theirs records/s (peak RSS $trss MB), ratio ${ratio}x; load $(load)"
done
o=$(median <"$DIR/ours"); t=$(median <"$DIR/theirs")
echo "median: synpref $o records/s, orjson $t records/s; median of the per-round ratios $(median <"$DIR/ratios")x"
timed "$BIN" data import "$SMALL" --dry-run >/dev/null 2>&1
read -r _ rss_small _ <"$DIR/time"
echo "check peak RSS: $((rss / 1024)) MB for $PAIRS pairs, $((rss_small / 1024)) MB for $((PAIRS / 10))"
echo

import_into() {  # name url
    local name="$1" url="$2"
    echo "### 2. Import into $name"
    echo "load before: $(load)"
    timed "$BIN" data import "$FILE" --store "$url" --source bench >"$DIR/import-$name.out" 2>/dev/null
    read -r wall rss cpu <"$DIR/time"
    tail -n 3 "$DIR/import-$name.out"
    echo "$PAIRS records in ${wall}s: $(awk -v n="$PAIRS" -v w="$wall" 'BEGIN {printf "%.0f", n / w}') records/s (check pass + storing pass), ${cpu} CPU-s in synpref, peak RSS $((rss / 1024)) MB; load after: $(load)"
}

rm -f "$DIR"/bench.db* "$DIR"/small.db*
import_into sqlite "sqlite:$DIR/bench.db"
timed "$BIN" data import "$SMALL" --store "sqlite:$DIR/small.db" --source bench >/dev/null 2>&1
read -r _ rss_small _ <"$DIR/time"
echo "peak RSS importing $((PAIRS / 10)) pairs into SQLite: $((rss_small / 1024)) MB"
echo

if [ -z "${SYNPREF_TEST_POSTGRES_URL:-}" ]; then
    # shellcheck source=/dev/null
    source scripts/with-postgres.sh
fi
PG="$SYNPREF_TEST_POSTGRES_URL"
PG_BENCH="$PG$([[ "$PG" == *\?* ]] && echo '&' || echo '?')schema=bench_$$"
import_into postgresql "$PG_BENCH"
echo

echo "### 3. Decontaminate the $PAIRS-pair SQLite store against $BENCHMARKS"
echo "load before: $(load)"
timed "$BIN" data decontaminate --store "sqlite:$DIR/bench.db" --benchmarks "$BENCHMARKS" >"$DIR/decon.out" 2>"$DIR/decon.err"
read -r wall rss cpu <"$DIR/time"
cat "$DIR/decon.out"
grep -E "indexed" "$DIR/decon.err" || true
echo "${wall}s (loading the benchmark prompts included), ${cpu} CPU-s, peak RSS $((rss / 1024)) MB; load after: $(load)"
"$BIN" data stats --store "sqlite:$DIR/bench.db" | head -n 1
