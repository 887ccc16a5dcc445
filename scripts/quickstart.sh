#!/usr/bin/env bash
# Sets up a fresh machine, builds Synpref in release mode and runs the main job on the
# bundled defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product synpref
.build/release/synpref --help
