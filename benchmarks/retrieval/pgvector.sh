#!/usr/bin/env bash
# pgvector at scale through the PostgreSQL store (see PgvectorBench/main.swift): a throwaway
# PostgreSQL 18 + pgvector 0.8 (scripts/with-postgres.sh) with maintenance_work_mem = 4GB
# so that the 1M-vector HNSW graph is built in memory, then the benchmark.
#
# usage: benchmarks/retrieval/pgvector.sh [--n 1000000] [--queries 1000]
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product synpref-pgvector-bench >&2
python3 benchmarks/machine.py 2>/dev/null || true
exec scripts/with-postgres.sh bash -c '
    port=${SYNPREF_TEST_POSTGRES_URL##*:}; port=${port%%/*}
    "$SYNPREF_PG_BINDIR/psql" -q -h 127.0.0.1 -p "$port" -U synpref -d postgres \
        -c "ALTER SYSTEM SET maintenance_work_mem = '"'"'4GB'"'"'" -c "SELECT pg_reload_conf()" >/dev/null
    .build/release/synpref-pgvector-bench --store "$SYNPREF_TEST_POSTGRES_URL?schema=bench" "$@"
' bench "$@"
