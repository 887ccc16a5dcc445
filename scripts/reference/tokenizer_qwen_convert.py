#!/usr/bin/env python3
"""Builds a Qwen2/Qwen3 tokenizer.json from the real BPE ranks in `qwen.tiktoken`.

Plain python3, no third-party packages (scripts/fetch-assets.sh runs it on CI).

    python3 scripts/reference/tokenizer_qwen_convert.py QWEN.tiktoken OUT/tokenizer.json

What it writes is the layout of Qwen3's published tokenizer.json: NFC normalizer; a
Sequence pre-tokenizer of Split(Qwen2's regex, Isolated) and ByteLevel(add_prefix_space
false, use_regex false); ByteLevel post-processor and decoder; a byte-level BPE model;
and the 26 added tokens of Qwen3's tokenizer_config.json `added_tokens_decoder`
(151643 <|endoftext|> ... 151668 </think>).

Merges are recovered from the ranks the standard way (tiktoken's and transformers'
TikTokenConverter): for the token of rank r, run byte-pair merging on its bytes using only
merges of rank < r; the two parts left are its merge, and merges are ordered by r. With
these merges, BPE reproduces tiktoken's encoding. The merges are written in the
`[left, right]` pair form (the Llama 3 file uses the "left right" string form, so both
forms are exercised).
"""
import base64
import json
import sys

# Qwen2/Qwen2.5/Qwen3 pre-tokenization regex (tokenizer.json `pre_tokenizer`): like Llama 3's
# but `\p{N}` single digits instead of `\p{N}{1,3}`.
QWEN_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

# Qwen3 tokenizer_config.json `added_tokens_decoder` (content, special), ids 151643.. in order.
ADDED_TOKENS = [
    ("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True),
    ("<|object_ref_start|>", True), ("<|object_ref_end|>", True), ("<|box_start|>", True),
    ("<|box_end|>", True), ("<|quad_start|>", True), ("<|quad_end|>", True),
    ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
    ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False),
    ("</tool_call>", False), ("<|fim_prefix|>", False), ("<|fim_middle|>", False),
    ("<|fim_suffix|>", False), ("<|fim_pad|>", False), ("<|repo_name|>", False),
    ("<|file_sep|>", False), ("<tool_response>", False), ("</tool_response>", False),
    ("<think>", False), ("</think>", False),
]
FIRST_ADDED_ID = 151643


def bytes_to_unicode():
    """GPT-2's byte -> printable character table (the ByteLevel alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def load_ranks(path):
    ranks = {}
    with open(path, "rb") as f:
        for line_number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                token_b64, rank = line.split()
                ranks[base64.b64decode(token_b64)] = int(rank)
            except ValueError as e:
                sys.exit(f"{path}:{line_number}: expected '<base64> <rank>' ({e})")
    return ranks


def recover_merge(ranks, token, max_rank):
    parts = [bytes([b]) for b in token]
    while True:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and r < max_rank and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        parts[i:i + 2] = [parts[i] + parts[i + 1]]
    return parts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    ranks = load_ranks(src)
    if sorted(ranks.values()) != list(range(len(ranks))):
        sys.exit(f"{src}: ranks are not 0..{len(ranks) - 1} without gaps")
    if len(ranks) != FIRST_ADDED_ID:
        sys.exit(f"{src}: {len(ranks)} ranks, expected {FIRST_ADDED_ID} (Qwen2/Qwen3)")
    byte_char = bytes_to_unicode()

    def to_str(b):
        return "".join(byte_char[x] for x in b)

    vocab = {}
    merges = []
    for token, rank in sorted(ranks.items(), key=lambda kv: kv[1]):
        vocab[to_str(token)] = rank
        if len(token) == 1:
            continue
        parts = recover_merge(ranks, token, rank)
        if len(parts) != 2:
            sys.exit(f"{src}: cannot recover the merge of token rank {rank} ({token!r}): {parts!r}")
        merges.append([to_str(parts[0]), to_str(parts[1])])
    for b in range(256):
        if bytes([b]) not in ranks:
            sys.exit(f"{src}: byte {b} has no token")

    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": FIRST_ADDED_ID + i, "content": content, "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": special}
            for i, (content, special) in enumerate(ADDED_TOKENS)
        ],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": QWEN_PATTERN}, "behavior": "Isolated", "invert": False},
            byte_level,
        ]},
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
            "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": vocab, "merges": merges,
        },
    }
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    print(f"{dst}: {len(vocab)} tokens, {len(merges)} merges, {len(ADDED_TOKENS)} added tokens", file=sys.stderr)


if __name__ == "__main__":
    main()
