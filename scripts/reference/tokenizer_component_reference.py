#!/usr/bin/env python3
"""Small tokenizers that exercise every supported component, and their reference outputs.

    /work/venv/bin/python scripts/reference/tokenizer_component_reference.py

The three real tokenizers cover the hot paths; these cover the rest: Metaspace
(first/always/never, split or not), byte fallback and unk fusing, Prepend/Replace/Strip/
Lowercase/NFD/NFKC/NFKD/StripAccents normalizers and BertNormalizer options,
Split behaviours (Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous, invert),
Whitespace, WhitespaceSplit, Digits, Punctuation, CharDelimiterSplit, ByteLevel with
add_prefix_space and the GPT-2 regex, ignore_merges, continuing_subword_prefix,
end_of_word_suffix, added tokens with lstrip/rstrip/single_word/normalized, Template/Bert/
Roberta/ByteLevel/Sequence post-processors and all supported decoders.

Small models are trained with the library's own trainers on the parity corpus (the file
written is what is committed, so training determinism does not matter). For each config
writes Tests/SynprefTextTests/Fixtures/components/<name>.tokenizer.json and
<name>.jsonl.gz with, per corpus line used (every 8th line), the same fields as the
parity fixtures ("i" = corpus line, "ids", "pre"/"post", "d0", "d1").
"""
import copy
import gzip
import json
import os
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests/SynprefTextTests/Fixtures")
OUT = os.path.join(FIXTURES, "components")


def load_corpus():
    with gzip.open(os.path.join(FIXTURES, "parity/corpus.jsonl.gz"), "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def train_bpe(texts, pre, vocab_size, special, **kw):
    tok = Tokenizer(models.BPE(unk_token=kw.pop("unk_token", None), **{k: v for k, v in kw.items() if k in ("continuing_subword_prefix", "end_of_word_suffix")}))
    tok.pre_tokenizer = pre
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special, show_progress=False,
                                  **{k: v for k, v in kw.items() if k in ("limit_alphabet", "initial_alphabet", "continuing_subword_prefix", "end_of_word_suffix")})
    tok.train_from_iterator(texts, trainer)
    return json.loads(tok.to_str())


def train_wordpiece(texts, vocab_size, special):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer()
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=special, show_progress=False, limit_alphabet=200)
    tok.train_from_iterator(texts, trainer)
    return json.loads(tok.to_str())


def added(content, id_, special, **kw):
    d = {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": not special, "special": special}
    d.update(kw)
    return d


def with_byte_tokens(cfg):
    """SentencePiece-style <0xXX> tokens appended to the model vocabulary."""
    vocab = cfg["model"]["vocab"]
    next_id = max(vocab.values()) + 1
    for b in range(256):
        tok = f"<0x{b:02X}>"
        if tok not in vocab:
            vocab[tok] = next_id
            next_id += 1
    return cfg


def configs(texts):
    out = {}
    meta = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    spm = train_bpe(texts, meta, 700, ["<unk>", "<s>", "</s>"], unk_token="<unk>", limit_alphabet=150)
    spm = with_byte_tokens(spm)
    specials = [added("<unk>", spm["model"]["vocab"]["<unk>"], True), added("<s>", spm["model"]["vocab"]["<s>"], True),
                added("</s>", spm["model"]["vocab"]["</s>"], True)]
    llama2_decoder = {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
        {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    template_bos = {"type": "TemplateProcessing",
                    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                    "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                             {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                    "special_tokens": {"<s>": {"id": "<s>", "ids": [spm["model"]["vocab"]["<s>"]], "tokens": ["<s>"]}}}

    # Llama 2 (transformers' non-legacy conversion): Metaspace first, no split, byte fallback.
    c = copy.deepcopy(spm)
    c.update(normalizer=None, pre_tokenizer={"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False},
             post_processor=template_bos, decoder=llama2_decoder, added_tokens=specials)
    c["model"].update(byte_fallback=True, fuse_unk=True, unk_token="<unk>")
    out["llama2_metaspace_first"] = c

    # Llama 2 legacy: Prepend + Replace normalizers, no pre-tokenizer; unknowns become <unk>.
    c = copy.deepcopy(spm)
    c.update(normalizer={"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                             {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
             pre_tokenizer=None, post_processor=template_bos, decoder=llama2_decoder,
             added_tokens=specials + [added("[NEW]", max(c["model"]["vocab"].values()) + 1, False)])
    c["model"].update(byte_fallback=False, fuse_unk=False, unk_token="<unk>")
    out["llama2_legacy_normalizer"] = c

    # Metaspace always + split, fused unks, Metaspace decoder, NFKD + StripAccents.
    c = copy.deepcopy(spm)
    c.update(normalizer={"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "StripAccents"}]},
             pre_tokenizer={"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
             post_processor={"type": "BertProcessing", "sep": ["</s>", c["model"]["vocab"]["</s>"]], "cls": ["<s>", c["model"]["vocab"]["<s>"]]},
             decoder={"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
             added_tokens=specials)
    c["model"].update(byte_fallback=False, fuse_unk=True, unk_token="<unk>")
    out["metaspace_always_split"] = c

    # Metaspace never (legacy add_prefix_space false), Strip + Lowercase, ByteFallback decoder.
    c = copy.deepcopy(spm)
    c.update(normalizer={"type": "Sequence", "normalizers": [{"type": "Strip", "strip_left": True, "strip_right": False}, {"type": "Lowercase"}]},
             pre_tokenizer={"type": "Metaspace", "replacement": "\u2581", "add_prefix_space": False, "prepend_scheme": "never", "split": True},
             post_processor=None,
             decoder={"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never"}]},
             added_tokens=specials)
    c["model"].update(byte_fallback=True, fuse_unk=False, unk_token="<unk>")
    out["metaspace_never_lowercase"] = c

    # GPT-2 style byte-level BPE: ByteLevel(add_prefix_space, GPT-2 regex), ignore_merges,
    # Roberta post-processor, ByteLevel decoder.
    gpt2 = train_bpe(texts, pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True), 900, ["<s>", "</s>", "<|endoftext|>"],
                     initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    v = gpt2["model"]["vocab"]
    c = copy.deepcopy(gpt2)
    c.update(normalizer=None, pre_tokenizer={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
             post_processor={"type": "RobertaProcessing", "sep": ["</s>", v["</s>"]], "cls": ["<s>", v["<s>"]], "trim_offsets": True, "add_prefix_space": True},
             decoder={"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
             added_tokens=[added("<s>", v["<s>"], True), added("</s>", v["</s>"], True), added("<|endoftext|>", v["<|endoftext|>"], True),
                           added(" hello", max(v.values()) + 1, False, lstrip=True)])
    c["model"]["ignore_merges"] = True
    out["gpt2_bytelevel"] = c

    # Byte-level BPE behind NFKC + Digits + ByteLevel(no prefix), ByteLevel and Template
    # post-processors in a Sequence.
    c = copy.deepcopy(gpt2)
    c.update(normalizer={"type": "NFKC"},
             pre_tokenizer={"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": False},
                                                                  {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}]},
             post_processor={"type": "Sequence", "processors": [
                 {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
                 {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                  "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                  "special_tokens": {"</s>": {"id": "</s>", "ids": [v["</s>"]], "tokens": ["</s>"]}}}]},
             decoder={"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
             added_tokens=[added("<s>", v["<s>"], True), added("</s>", v["</s>"], True), added("<|endoftext|>", v["<|endoftext|>"], True)])
    out["bytelevel_nfkc_digits"] = c

    # BPE with a continuing-subword prefix (##) and an end-of-word suffix, unk, Whitespace.
    pre_ws = pre_tokenizers.Whitespace()
    c = train_bpe(texts, pre_ws, 800, ["[UNK]", "[CLS]", "[SEP]"], unk_token="[UNK]", continuing_subword_prefix="##", limit_alphabet=120)
    c.update(normalizer={"type": "NFD"}, pre_tokenizer={"type": "Whitespace"},
             post_processor={"type": "BertProcessing", "sep": ["[SEP]", c["model"]["vocab"]["[SEP]"]], "cls": ["[CLS]", c["model"]["vocab"]["[CLS]"]]},
             decoder={"type": "WordPiece", "prefix": "##", "cleanup": True},
             added_tokens=[added(t, c["model"]["vocab"][t], True) for t in ["[UNK]", "[CLS]", "[SEP]"]])
    out["bpe_subword_prefix"] = c
    c = train_bpe(texts, pre_tokenizers.WhitespaceSplit(), 800, ["<unk>"], unk_token="<unk>", end_of_word_suffix="</w>", limit_alphabet=120)
    c.update(normalizer={"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}, {"type": "Lowercase"}]},
             pre_tokenizer={"type": "Sequence", "pretokenizers": [
                 {"type": "Split", "pattern": {"Regex": "'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"}, "behavior": "Removed", "invert": True}]},
             post_processor=None, decoder={"type": "BPEDecoder", "suffix": "</w>"},
             added_tokens=[added("<unk>", c["model"]["vocab"]["<unk>"], True)])
    out["bpe_word_suffix"] = c

    # WordPiece with custom pipeline and every added-token option.
    wp = train_wordpiece(texts, 900, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    wv = wp["model"]["vocab"]
    n = max(wv.values()) + 1
    c = copy.deepcopy(wp)
    c.update(normalizer={"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"},
                                                             {"type": "Strip", "strip_left": True, "strip_right": True}]},
             pre_tokenizer={"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "MergedWithPrevious"},
                                                                  {"type": "Digits", "individual_digits": True}]},
             post_processor={"type": "BertProcessing", "sep": ["[SEP]", wv["[SEP]"]], "cls": ["[CLS]", wv["[CLS]"]]},
             decoder={"type": "WordPiece", "prefix": "##", "cleanup": False},
             added_tokens=[added(t, wv[t], True) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]] + [
                 added("[MASK]", wv["[MASK]"], True, lstrip=True),
                 added("<mask>", n, True, lstrip=True, rstrip=True),
                 added("[NEW]", n + 1, False),
                 added("the", n + 2, False, single_word=True),
                 added("Hello World", n + 3, False, normalized=False, rstrip=True),
                 added("é", n + 4, False, normalized=True),
                 added("'s", n + 5, False, single_word=True, normalized=False)])
    c["model"]["max_input_chars_per_word"] = 12
    out["wordpiece_added_tokens"] = c

    # Every Split behaviour, invert, CharDelimiterSplit, BertNormalizer without lowercasing.
    c = copy.deepcopy(wp)
    c.update(normalizer={"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": False, "strip_accents": True, "lowercase": False},
             pre_tokenizer={"type": "Sequence", "pretokenizers": [
                 {"type": "Split", "pattern": {"String": "-"}, "behavior": "MergedWithNext", "invert": False},
                 {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": False},
                 {"type": "Split", "pattern": {"Regex": "[aeiou]+"}, "behavior": "MergedWithPrevious", "invert": False},
                 {"type": "Split", "pattern": {"Regex": "\\p{N}"}, "behavior": "Contiguous", "invert": False},
                 {"type": "Split", "pattern": {"Regex": "[A-Z][a-z]*"}, "behavior": "Isolated", "invert": True},
                 {"type": "CharDelimiterSplit", "delimiter": "x"},
                 {"type": "Punctuation", "behavior": "Isolated"}]},
             post_processor={"type": "TemplateProcessing",
                             "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                        {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                             "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                             "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [wv["[CLS]"]], "tokens": ["[CLS]"]},
                                                "[SEP]": {"id": "[SEP]", "ids": [wv["[SEP]"]], "tokens": ["[SEP]"]}}},
             decoder={"type": "Sequence", "decoders": [{"type": "Strip", "content": "s", "start": 0, "stop": 1},
                                                       {"type": "WordPiece", "prefix": "##", "cleanup": True},
                                                       {"type": "Replace", "pattern": {"Regex": "[0-9]"}, "content": "#"},
                                                       # (a stop on an empty token, or start and stop
                                                       # overlapping, panics in the crate)
                                                       {"type": "Strip", "content": "a", "start": 2, "stop": 0}]},
             added_tokens=[added(t, wv[t], True) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]])
    out["split_behaviours"] = c

    # BERT with BertPreTokenizer, Chinese handling, no accent stripping, Whitespace later.
    c = copy.deepcopy(wp)
    c.update(normalizer={"type": "BertNormalizer", "clean_text": False, "handle_chinese_chars": True, "strip_accents": False, "lowercase": True},
             pre_tokenizer={"type": "Sequence", "pretokenizers": [{"type": "BertPreTokenizer"}, {"type": "Whitespace"}]},
             post_processor={"type": "BertProcessing", "sep": ["[SEP]", wv["[SEP]"]], "cls": ["[CLS]", wv["[CLS]"]]},
             decoder={"type": "WordPiece", "prefix": "##", "cleanup": True},
             added_tokens=[added(t, wv[t], True) for t in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]])
    out["bert_chinese_no_strip"] = c
    return out


def main():
    corpus = load_corpus()
    texts = [x["t"] for x in corpus]
    os.makedirs(OUT, exist_ok=True)
    for name, cfg in configs(texts).items():
        cfg.setdefault("version", "1.0")
        cfg["truncation"] = None
        cfg["padding"] = None
        path = os.path.join(OUT, f"{name}.tokenizer.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(cfg, f, ensure_ascii=False)
        tok = Tokenizer.from_file(path)
        lines = [{"tokenizer": name, "vocab_size": tok.get_vocab_size(with_added_tokens=True)}]
        for i, item in enumerate(corpus):
            if i % 8 != 0 or (item["k"] == "long" and i % 16 != 0):
                continue
            text = item["t"]
            ids = tok.encode(text, add_special_tokens=False).ids
            full = tok.encode(text, add_special_tokens=True).ids
            for s in range(len(full) - len(ids) + 1):
                if full[s:s + len(ids)] == ids:
                    pre, post = full[:s], full[s + len(ids):]
                    break
            else:
                sys.exit(f"{name}: special-token ids do not wrap the plain ids for line {i}")
            out = {"i": i, "ids": ids}
            if pre:
                out["pre"] = pre
            if post:
                out["post"] = post
            d0 = tok.decode(ids, skip_special_tokens=False)
            d1 = tok.decode(full, skip_special_tokens=True)
            if d0 != text:
                out["d0"] = d0
            if d1 != text:
                out["d1"] = d1
            lines.append(out)
        gz = os.path.join(OUT, f"{name}.jsonl.gz")
        with gzip.GzipFile(gz, "wb", mtime=0) as f:
            for item in lines:
                f.write((json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
        print(f"{name}: {len(lines) - 1} strings, {os.path.getsize(path)} + {os.path.getsize(gz)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
