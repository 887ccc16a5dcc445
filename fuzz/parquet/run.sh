#!/usr/bin/env bash
# Fuzzes the Parquet reader with libFuzzer and AddressSanitizer for SECONDS (default 300),
# starting from the kept corpus (fuzz/parquet/corpus) and the reader's test fixtures; new
# inputs that reach new code are added to the corpus. A crash leaves crash-* files here.
#   fuzz/parquet/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
swift build --scratch-path .build-fuzz -c debug --product synpref-parquet-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSYNPREF_FUZZ
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
cp Tests/SynprefDataTests/Fixtures/parquet/*.parquet "$seeds"/
.build-fuzz/debug/synpref-parquet-fuzz fuzz/parquet/corpus "$seeds" -max_total_time="$seconds" -max_len=65536 \
    -timeout=10 -rss_limit_mb=4096 -artifact_prefix=fuzz/parquet/ -print_final_stats=1
