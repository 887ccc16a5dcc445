#!/usr/bin/env python3
"""Reference embeddings for the embeddings module (issue 13): sentence-transformers'
SentenceTransformer.encode on >= 500 texts, for the real all-MiniLM-L6-v2 and for a tiny
random Qwen3 embedder in the Qwen3-Embedding layout.

    HF_HUB_OFFLINE=1 /work/venv/bin/python scripts/reference/embeddings_reference.py [--data ../shared/data]
    (sentence-transformers 6.3.0, transformers 5.24, torch 2.13; under a minute on one core)

Texts (deterministic, random.Random(13)): edge cases (empty string, whitespace only,
zero-width and control characters, special-token strings), 1-3 word texts, sentences drawn
from HH-RLHF helpful-base test (MIT, ../shared/data/hh-rlhf), long texts far beyond 256
tokens (so both models truncate), unicode (CJK, emoji ZWJ sequences, flags, accents, RTL,
combining marks, Thai, Devanagari), and texts built to sit exactly around each model's
maximum (255/256/257 tokens for MiniLM, 63/64/65 for the Qwen3 embedder).

Models (loaded with SentenceTransformer(folder, device="cpu") from a folder on disk):
- minilm: the real all-MiniLM-L6-v2 of scripts/fetch-assets.sh (~/.cache/synpref/assets/minilm):
  Transformer (BertModel, max_seq_length 256 from sentence_bert_config.json) -> Pooling (mean)
  -> Normalize (modules.json lists 2_Normalize; the folder has no 2_Normalize/ directory, and
  none is needed). encode(..., normalize_embeddings=False) still returns unit vectors because
  the Normalize module runs.
- qwen3: a tiny random Qwen3 in the Qwen/Qwen3-Embedding-0.6B layout, built in a temporary
  folder exactly as the Swift test rebuilds it from the fixture:
    config.json          Qwen3 config (hidden 64, 2 layers, 4 heads over 2 kv heads, head_dim 16,
                         intermediate 128, vocab 151669 = the Qwen tokenizer's size, tied
                         embeddings, dtype float32); architectures ["Qwen3ForCausalLM"] like the
                         real checkpoint, whose weights nevertheless carry the base model's flat
                         names (embed_tokens.weight, layers.N.*, norm.weight) and no lm_head
    model.safetensors    every tensor of transformers' Qwen3Model, f32, values from the PRNG below
    tokenizer.json       the real Qwen tokenizer.json (assets/qwen) with its post_processor
                         replaced by the TemplateProcessing that Qwen3-Embedding ships
                         ("$A <|endoftext|>": id 151643 is appended to every text, after truncation)
    tokenizer_config.json  Qwen2Tokenizer, eos <|im_end|>, pad <|endoftext|>, padding_side "left"
    modules.json, sentence_bert_config.json (max_seq_length 64), 1_Pooling/config.json
                         (pooling_mode_lasttoken), config_sentence_transformers.json (the real
                         prompts: "query" = "Instruct: Given a web search query, retrieve relevant
                         passages that answer the query\\nQuery:", "document" = "")
  Every text is encoded without a prompt, and a subset again with prompt_name="query" (the
  prompt string is prepended to the text before tokenization; include_prompt is true, so the
  prompt tokens stay in the pooled sequence).

Weights come from the PRNG of frontend_e2e.py (`prng_values`), the same numbers as
`SyntheticWeights.values(name:count:)` in SynprefModels; stored as f32 (`SyntheticWeights.write(..., dtype: .float32)`).

Embeddings are stored as JSON numbers, each float32 written as its shortest decimal that
round-trips to the same float32 (exact). Writes Tests/SynprefModelsTests/Fixtures/embeddings/reference.json.gz.
"""
import argparse
import gzip
import hashlib
import json
import os
import pathlib
import random
import shutil
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import sentence_transformers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402
from transformers import AutoTokenizer, Qwen3Config, Qwen3Model  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import frontend_e2e as e2e  # noqa: E402  (prng_values: the SyntheticWeights generator)

ROOT = pathlib.Path(__file__).resolve().parents[2]
ASSETS = e2e.ASSETS
HH = "hh-rlhf/helpful-base/test.jsonl.gz"
OUT = ROOT / "Tests/SynprefModelsTests/Fixtures/embeddings/reference.json.gz"
torch.set_num_threads(1)

BATCH_SIZE = 32
QWEN_MAX_SEQ_LENGTH = 64
QUERY_PROMPT = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"

# Qwen3-Embedding's tokenizer.json post-processor: appends <|endoftext|> (151643) to every
# sequence (QwenLM/Qwen3-Embedding issues 54 and 122; llama.cpp reads it as the EOS override).
QWEN_EMBEDDING_POST_PROCESSOR = {
    "type": "TemplateProcessing",
    "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
    "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
             {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "<|endoftext|>", "type_id": 1}}],
    "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [151643], "tokens": ["<|endoftext|>"]}},
}

QWEN_TOKENIZER_CONFIG = {**e2e.QWEN_TOKENIZER_CONFIG, "padding_side": "left"}


# ---------------------------------------------------------------------------------------------
# Texts

EDGE = [
    "", " ", "   ", "\n", "\t", "\r\n", " \n \t ", "\u00a0", "\u3000", "\u200b", "\u200b\u200c\u200d", "\ufeff",
    "a", "I", "Hi", "OK!", "?", "...", "42", "3.14159", "-1", "#", "@user", "e", "A.",
    "hello", "Hello", "HELLO", "hello world", "Hello, world!", "  padded both sides  ", "trailing newline\n",
    "\nleading newline", "tabs\tbetween\twords", "many     spaces     between", "line one\nline two\n\nline four",
    "windows\r\nline\r\nendings", "non\u00a0breaking\u00a0spaces", "em\u2003space and thin\u2009space",
    "zero\u200bwidth\u200bspace", "zero\u200cwidth\u200dnon-joiner and joiner", "soft\u00adhyphen",
    "byte order mark \ufeff inside", "bell \u0007 and escape \u001b chars", "replacement \ufffd char",
    "👍", "👍🏿", "👨\u200d👩\u200d👧\u200d👦", "🇯🇵🇫🇷🇧🇷", "❤️", "🏳️\u200d🌈", "日", "日本語", "中文", "한국어", "ไทย",
    "é", "e\u0301", "Å", "A\u030a", "ñ", "n\u0303", "ﬁ ligature", "Ⅻ roman", "①②③", "½ ¼ ¾", "x² + y³ = z⁴",
    "مرحبا", "שלום", "Ελληνικά", "Привет", "नमस्ते", "Tiếng Việt", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "[CLS]", "[SEP]", "[MASK]", "[PAD] [UNK]", "[CLS] text between [SEP] markers [SEP]",
    "<|endoftext|>", "<|im_end|>", "<|im_start|>assistant", "text then <|endoftext|>", "<|endoftext|> then text",
    "https://example.com/path?q=1&r=2#frag", "user@example.org", "C:\\Program Files\\App", "/usr/local/bin",
    "def f(x):\n    return x * 2", "SELECT * FROM t WHERE id = 1;", "{\"key\": [1, 2, 3], \"n\": null}",
    "supercalifragilisticexpialidocious", "antidisestablishmentarianism", "a" * 150, "1234567890" * 12,
    "DON'T shout. i'Ll WE'VE they'RE it's", "¿¡Qué!? «quotes» „low“ ‘single’", "—–-‐ dashes",
]

SHORT_WORDS = [
    "apple", "river", "quantum", "blue", "running", "café", "tree", "Mountain", "silence", "jumped", "data", "Paris",
    "glacier", "whisper", "ZEBRA", "naïve", "lamp", "orbit", "coffee", "thunder", "Ünïcödé", "résumé", "北京", "東京",
    "서울", "Москва", "القاهرة", "ירושלים", "🙂", "42", "2024", "x", "über", "straße", "piñata", "fjord", "quiz",
    "rhythm", "oxygen", "velvet", "harbor", "ember", "delta", "nimbus", "prism", "saffron", "tundra", "umbra",
]

UNICODE_FRAGMENTS = [
    "我们今天去公园散步。", "机器学习正在改变世界", "東京は日本の首都です。", "ひらがなとカタカナ", "今日はいい天気ですね",
    "한국어 문장을 토큰화합니다.", "안녕하세요", "สวัสดีครับ ภาษาไทยไม่มีช่องว่าง", "नमस्ते दुनिया, यह हिंदी है।",
    "क्षत्रिय", "مرحبا بالعالم، هذا نص عربي.", "שלום עולם, זה טקסט בעברית.", "Привет, мир! Это русский текст.",
    "Γειά σου Κόσμε", "Ελληνικά γράμματα", "Crème brûlée à la française", "naïve café résumé", "Tiếng Việt có dấu",
    "Ærøskøbing og Åland", "Łódź, Gdańsk, Kraków", "İstanbul ve Çanakkale", "e\u0301te\u0301 (NFD)", "été (NFC)",
    "A\u030angstro\u0308m", "👨\u200d👩\u200d👧\u200d👦", "👩🏽\u200d💻", "🇺🇳🇪🇺🇯🇵", "🎉🎊✨", "🤖 + 🧠 = 💡", "👍🏻👍🏼👍🏽👍🏾👍🏿",
    "∑ᵢ xᵢ² ≤ ∞", "∀x ∃y: x < y", "→ ← ↑ ↓ ⇒", "™ © ®", "€100 £50 ¥1000 ₹500", "½ ⅓ ¼", "ℕ ℤ ℚ ℝ ℂ",
    "zero\u200bwidth", "join\u200dme", "non\u200cjoin", "\u202eright-to-left override\u202c", "\u2066isolate\u2069",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙", "𝐁𝐨𝐥𝐝", "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "ｶﾀｶﾅ", "〜〜〜", "「括弧」", "《书名号》",
]
SEPARATORS = [" ", " ", " ", "", "\n", "\u200b", "\u00a0", ", ", " — ", "\t"]

CJK_PARAGRAPH = ("自然语言处理是人工智能的一个重要分支，它研究如何让计算机理解和生成人类语言。"
                 "近年来，随着深度学习的发展，预训练语言模型在各种任务上取得了显著的进步。")
JA_PARAGRAPH = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。"


def hh_dialogues(data):
    """The chosen dialogues of HH-RLHF helpful-base test, in file order."""
    with gzip.open(pathlib.Path(data) / HH, "rt", encoding="utf-8") as f:
        return [json.loads(line)["chosen"] for line in f]


def turns(dialogues):
    out = []
    for dialogue in dialogues:
        for part in dialogue.replace("\n\nAssistant:", "\n\nHuman:").split("\n\nHuman:"):
            part = part.strip()
            if part:
                out.append(part)
    return out


def build_texts(data):
    """[(kind, text)], deterministic."""
    rng = random.Random(13)
    dialogues = hh_dialogues(data)
    utterances = turns(dialogues)
    texts = [("edge", t) for t in EDGE]

    for _ in range(60):
        n = rng.choice([1, 1, 2, 2, 3])
        words = [rng.choice(SHORT_WORDS) for _ in range(n)]
        t = " ".join(words)
        t = rng.choice([t, t, t.lower(), t.capitalize(), t + ".", t + "?"])
        texts.append(("short", t))

    medium = [u for u in utterances if 20 <= len(u) <= 400]
    for t in rng.sample(medium, 260):
        texts.append(("medium", t))

    long_dialogues = [d for d in dialogues if len(d) >= 1800]
    for t in rng.sample(long_dialogues, 40):
        texts.append(("long", t))
    for _ in range(25):
        parts = rng.sample(utterances, rng.randint(8, 30))
        texts.append(("long", " ".join(parts)))
    for k in range(5):  # very long: tens of thousands of characters, still truncated at the maximum
        parts = rng.sample(utterances, 150 + 50 * k)
        texts.append(("long", "\n".join(parts)))

    for _ in range(60):
        parts = [rng.choice(UNICODE_FRAGMENTS) for _ in range(rng.randint(1, 8))]
        text = parts[0]
        for p in parts[1:]:
            text += rng.choice(SEPARATORS) + p
        texts.append(("unicode", text))
    texts.append(("unicode-long", CJK_PARAGRAPH * 6))
    texts.append(("unicode-long", JA_PARAGRAPH * 8))
    texts.append(("unicode-long", "".join(rng.choice(["😀", "🚀", "👨\u200d👩\u200d👧", "🇫🇷", "👍🏽", "🌍"]) for _ in range(300))))
    texts.append(("unicode-long", " ".join(rng.choice(UNICODE_FRAGMENTS) for _ in range(120))))
    texts.append(("unicode-long", "مرحبا بالعالم، هذا نص عربي طويل جدا. " * 40))
    texts.append(("unicode-long", ("e\u0301" * 5 + " ") * 200))
    texts.append(("unicode-long", "\u200b".join(["word"] * 400)))
    texts.append(("unicode-long", "Crème brûlée, naïve café, résumé, Ærøskøbing, Łódź. " * 40))

    seen, unique = set(), []
    for kind, t in texts:
        if t not in seen:
            seen.add(t)
            unique.append((kind, t))
    return unique


def boundary_texts(tokenizer, targets, seed_words):
    """Texts of single-token words whose untruncated token count (specials included) is exactly
    each target, so the cut lands just inside, on and just past the maximum."""
    out = []
    for target in targets:
        n = max(1, target - 4)
        while True:
            text = " ".join(seed_words[i % len(seed_words)] for i in range(n))
            count = len(tokenizer(text)["input_ids"])
            if count == target:
                break
            if count > target:
                raise SystemExit(f"boundary text for {target} tokens overshoots ({count})")
            n += 1
        out.append(("boundary", text))
    return out


# ---------------------------------------------------------------------------------------------
# Encoding

def shortest_f32(values):
    """float32 values as Python floats whose repr is the shortest decimal of that float32."""
    return [float(str(v)) for v in np.asarray(values, dtype=np.float32)]


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def module_names(model):
    return [f"{type(m).__module__}.{type(m).__name__}" for m in model]


def encode_case(model, texts, prompt_name=None):
    """ids (ST's own preprocessing, one text at a time, so no padding), token counts,
    embeddings of encode(batch_size=32), norms before Normalize, and the batch invariance."""
    prompt = model.prompts.get(prompt_name) if prompt_name else None
    ids = [model.preprocess([t], prompt=prompt)["input_ids"][0].tolist() for t in texts]
    emb = model.encode(texts, prompt_name=prompt_name, batch_size=BATCH_SIZE, normalize_embeddings=False,
                       convert_to_numpy=True, show_progress_bar=False)
    assert emb.dtype == np.float32
    # The pooled vector before Normalize: encode with the modules up to Pooling.
    pooled_model = SentenceTransformer(modules=list(model)[:2], device="cpu")
    pooled_model.prompts = dict(model.prompts)
    pooled = pooled_model.encode(texts, prompt_name=prompt_name, batch_size=BATCH_SIZE, normalize_embeddings=False,
                                 convert_to_numpy=True, show_progress_bar=False)
    norms = np.linalg.norm(pooled.astype(np.float64), axis=1)
    assert np.allclose(pooled / norms[:, None], emb, atol=1e-6), "Normalize is not pooled / |pooled|"
    # Batch invariance: the same texts one at a time (no padding) against the batched run.
    sample = list(range(0, len(texts), max(1, len(texts) // 40)))
    single = np.stack([model.encode([texts[i]], prompt_name=prompt_name, batch_size=1, normalize_embeddings=False,
                                    convert_to_numpy=True, show_progress_bar=False)[0] for i in sample])
    return {
        "ids": ids,
        "token_counts": [len(x) for x in ids],
        "embeddings": [shortest_f32(row) for row in emb],
        "pooled_norms": [float(f"{n:.9g}") for n in norms],
        "batch_invariance": {"indices": sample, "batch_size": 1,
                             "max_abs_diff": float(np.abs(single - emb[sample]).max())},
    }


def small_files(folder, names):
    return {n: (folder / n).read_text(encoding="utf-8") for n in names}


def minilm_case(texts):
    asset = ASSETS / "minilm"
    model = SentenceTransformer(str(asset), device="cpu")
    assert model[0].auto_model.dtype == torch.float32
    tok = model[0].tokenizer
    modules = json.loads((asset / "modules.json").read_text())
    pooling = json.loads((asset / "1_Pooling/config.json").read_text())
    case = {
        "asset": "minilm",
        "asset_files": {f: sha256(asset / f) for f in (
            "modules.json", "1_Pooling/config.json", "sentence_bert_config.json", "config_sentence_transformers.json",
            "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "vocab.txt")},
        "files": small_files(asset, ["modules.json", "1_Pooling/config.json", "sentence_bert_config.json",
                                     "config_sentence_transformers.json"]),
        "modules_json": [m["type"] for m in modules],
        "modules_ran": module_names(model),
        "normalize": any(m["type"].endswith("Normalize") for m in modules),
        "normalize_dir_exists": (asset / "2_Normalize").exists(),
        "max_seq_length": model.max_seq_length,
        "pooling": pooling,
        "pooling_mode": model[1].pooling_mode,
        "include_prompt": model[1].include_prompt,
        "embedding_dimension": model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension")
        else model.get_sentence_embedding_dimension(),
        "prompts": model.prompts,
        "default_prompt_name": model.default_prompt_name,
        "similarity_fn_name": model.similarity_fn_name,
        "tokenizer": {"class": type(tok).__name__, "padding_side": tok.padding_side,
                      "truncation_side": tok.truncation_side, "model_max_length": tok.model_max_length},
        "encode": {"batch_size": BATCH_SIZE, "normalize_embeddings": False, "convert_to_numpy": True, "prompt_name": None},
    }
    case.update(encode_case(model, texts))
    print("minilm", case["modules_ran"], "max", case["max_seq_length"],
          "truncated", sum(c == case["max_seq_length"] for c in case["token_counts"]),
          "batch diff", case["batch_invariance"]["max_abs_diff"], file=sys.stderr)
    return case


def tiny_qwen3_embedding_config(vocab_size):
    """A tiny Qwen3 with the real Qwen vocabulary, shaped like Qwen3-Embedding-0.6B's config."""
    cfg = Qwen3Config(vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=32768,
                      rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=True, attention_bias=False,
                      bos_token_id=151643, eos_token_id=151643, pad_token_id=None, use_cache=True)
    cfg.architectures = ["Qwen3ForCausalLM"]  # as in Qwen/Qwen3-Embedding-0.6B; the weights are Qwen3Model's
    cfg.dtype = "float32"
    return cfg


def qwen3_folder(tmp):
    """Builds the Qwen3-Embedding-layout folder; returns (folder, fixture description)."""
    asset_tokenizer = ASSETS / "qwen/tokenizer.json"
    tokenizer_json = json.loads(asset_tokenizer.read_text(encoding="utf-8"))
    vocab_size = max(max(tokenizer_json["model"]["vocab"].values()),
                     max(t["id"] for t in tokenizer_json["added_tokens"])) + 1
    tokenizer_json["post_processor"] = QWEN_EMBEDDING_POST_PROCESSOR

    config = tiny_qwen3_embedding_config(vocab_size)
    base = Qwen3Model(config).float().eval()
    tensors = e2e.fill(base, list(base.state_dict().keys()))
    assert not [n for n, _ in tensors if n.startswith("model.") or n.startswith("lm_head")], tensors[:3]

    files = {
        "config.json": config.to_json_string(),
        "tokenizer_config.json": json.dumps(QWEN_TOKENIZER_CONFIG, ensure_ascii=False, indent=2),
        "modules.json": json.dumps([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], indent=2),
        "sentence_bert_config.json": json.dumps({"max_seq_length": QWEN_MAX_SEQ_LENGTH, "do_lower_case": False}, indent=2),
        "1_Pooling/config.json": json.dumps({
            "word_embedding_dimension": config.hidden_size, "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": True, "include_prompt": True}, indent=2),
        "config_sentence_transformers.json": json.dumps({
            "prompts": {"query": QUERY_PROMPT, "document": ""}, "default_prompt_name": None,
            "similarity_fn_name": "cosine"}, ensure_ascii=False, indent=2),
    }
    folder = pathlib.Path(tmp) / "qwen3-embedding"
    (folder / "1_Pooling").mkdir(parents=True)
    (folder / "2_Normalize").mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer_json, ensure_ascii=False), encoding="utf-8")
    state = {k: v.detach().to(torch.float32).contiguous() for k, v in base.state_dict().items()}
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    desc = {
        "asset": "qwen",
        "asset_files": {"tokenizer.json": sha256(asset_tokenizer)},
        "tokenizer_json_replace": {"post_processor": QWEN_EMBEDDING_POST_PROCESSOR},
        "files": files,
        "empty_dirs": ["2_Normalize"],
        "generated": tensors,
        "generated_file": "model.safetensors",
        "dtype": "f32",
    }
    return folder, desc, config


def qwen3_case(texts, query_indices, tmp):
    folder, case, config = qwen3_folder(tmp)
    model = SentenceTransformer(str(folder), device="cpu")
    auto = model[0].auto_model
    assert type(auto).__name__ == "Qwen3Model" and auto.dtype == torch.float32, (type(auto), auto.dtype)
    name, shape = case["generated"][0]
    want = torch.from_numpy(e2e.prng_values(name, int(np.prod(shape))).reshape(shape)).float()
    assert torch.equal(auto.state_dict()[name], want), f"{name} did not load as written"
    tok = model[0].tokenizer
    assert tok("test")["input_ids"][-1] == 151643, "the post-processor did not append <|endoftext|>"
    case.update({
        "modules_ran": module_names(model),
        "architecture": type(auto).__name__,
        "max_seq_length": model.max_seq_length,
        "pooling_mode": model[1].pooling_mode,
        "include_prompt": model[1].include_prompt,
        "embedding_dimension": config.hidden_size,
        "prompts": model.prompts,
        "default_prompt_name": model.default_prompt_name,
        "similarity_fn_name": model.similarity_fn_name,
        "tokenizer": {"class": type(tok).__name__, "padding_side": tok.padding_side,
                      "truncation_side": tok.truncation_side, "model_max_length": tok.model_max_length,
                      "eos_token": tok.eos_token, "pad_token": tok.pad_token},
        "encode": {"batch_size": BATCH_SIZE, "normalize_embeddings": False, "convert_to_numpy": True, "prompt_name": None},
    })
    case.update(encode_case(model, texts))
    query_texts = [texts[i] for i in query_indices]
    query = encode_case(model, query_texts, prompt_name="query")
    prompt_ids = model.preprocess([QUERY_PROMPT])["input_ids"][0].tolist()
    case["query"] = {"prompt_name": "query", "prompt": QUERY_PROMPT, "indices": query_indices,
                     "prompt_ids": prompt_ids[:-1], "prompt_length": model[0]._get_prompt_length(QUERY_PROMPT),
                     "encode": {**case["encode"], "prompt_name": "query"}, **query}
    print("qwen3", case["modules_ran"], "max", case["max_seq_length"],
          "truncated", sum(c == case["max_seq_length"] for c in case["token_counts"]),
          "query truncated", sum(c == case["max_seq_length"] for c in query["token_counts"]),
          "batch diff", case["batch_invariance"]["max_abs_diff"], query["batch_invariance"]["max_abs_diff"], file=sys.stderr)
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data"), help="the shared data folder (HH-RLHF)")
    args = ap.parse_args()
    kinds_texts = build_texts(args.data)
    minilm_tok = AutoTokenizer.from_pretrained(str(ASSETS / "minilm"))
    words = ["the", "cat", "sat", "on", "a", "warm", "mat", "and", "dog", "ran", "to", "it"]
    kinds_texts += boundary_texts(minilm_tok, [255, 256, 257], words)
    with tempfile.TemporaryDirectory() as tmp:
        folder, _, _ = qwen3_folder(tmp)
        qwen_tok = AutoTokenizer.from_pretrained(str(folder))
        kinds_texts += boundary_texts(qwen_tok, [QWEN_MAX_SEQ_LENGTH - 1, QWEN_MAX_SEQ_LENGTH, QWEN_MAX_SEQ_LENGTH + 1], words)
    kinds = [k for k, _ in kinds_texts]
    texts = [t for _, t in kinds_texts]
    assert len(texts) >= 500 and len(set(texts)) == len(texts), len(texts)
    print(len(texts), "texts:", {k: kinds.count(k) for k in dict.fromkeys(kinds)}, file=sys.stderr)

    # The prompt subset: every kind, about 130 texts.
    query_indices = [i for i in range(len(texts)) if i % 4 == 0 or kinds[i] in ("boundary", "unicode-long")]

    models = {"minilm": minilm_case(texts)}
    with tempfile.TemporaryDirectory() as tmp:
        models["qwen3"] = qwen3_case(texts, query_indices, tmp)

    out = {"sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
           "torch": torch.__version__, "embedding_format": "float32, shortest round-trip decimal",
           "texts": texts, "kinds": kinds, "models": models}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        f.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    print(f"{OUT}: {OUT.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
