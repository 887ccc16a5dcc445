#!/usr/bin/env python3
"""End-to-end reference for the text front end: conversations -> transformers' token ids
and scores, the Skywork-Reward-V2 model-card recipe, on tiny models with REAL tokenizers
and REAL chat templates.

    /work/venv/bin/python scripts/reference/frontend_e2e.py   (torch 2.13, transformers 5.24)

Models (each a Hugging Face folder built in a temporary directory, exactly as the Swift
test builds it from the fixture):
- qwen3: Qwen3ForSequenceClassification, real vocabulary size 151936, hidden 16, 2 layers,
  2 heads over 1 kv head, head_dim 8; the real Qwen tokenizer.json of scripts/fetch-assets.sh
  with Qwen3-0.6B's tokenizer_config.json fields (Qwen2Tokenizer, no BOS) and qwen3.jinja.
- llama3: LlamaForSequenceClassification, vocabulary 128256, hidden 16, llama3 rope scaling;
  the real Llama 3 tokenizer.json + tokenizer_config.json and llama-3.1-instruct.jinja.
- minilm: the REAL all-MiniLM-L6-v2 weights as a BertForSequenceClassification with a
  generated 1-label classifier; no chat template, so the front end's text-pair layout
  (context lines "User: ..." etc. and the last message, through tokenizer(context, response)).

Weights are not committed: both sides generate them from the same PRNG (defined here and in
Tests/SynprefModelsTests/GeneratedWeights.swift), in bf16-exact values:
  seed  = FNV-1a 64 of the tensor name's UTF-8 bytes
  z_i   = SplitMix64 at state seed + (i+1) * 0x9E3779B97F4A7C15 (mod 2^64), i = 0..count-1 in
          row-major order: z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
          z *= 0x94D049BB133111EB; z ^= z >> 31
  u_i   = z_i >> 40
  value = 1 + ((u % 65) - 32) / 128 for names ending in "norm.weight" (case-insensitive),
          else ((u % 255) - 127) / 256
The Swift test stores them as bf16 (exact), transformers computes in f32 from the same values.

Scoring (model card): text = apply_chat_template(conv, tokenize=False); strip a leading
tokenizer.bos_token; ids = tokenizer(text)["input_ids"]; score = model(ids).logits[0][0].
Also: truncation references (tokenizer(text, truncation=True, max_length=N) with
truncation_side left/right) and, for MiniLM, tokenizer(context, response,
truncation="only_first", max_length=512) with truncation_side "left" for inputs over 512.

Writes Tests/SynprefModelsTests/Fixtures/frontend/reference.json.gz.
"""
import gzip
import hashlib
import json
import os
import pathlib
import shutil
import sys
import tempfile

import numpy as np
import torch
import transformers
from safetensors import safe_open
from transformers import (AutoTokenizer, BertConfig, BertForSequenceClassification, LlamaConfig,
                          LlamaForSequenceClassification, Qwen3Config, Qwen3ForSequenceClassification)

ROOT = pathlib.Path(__file__).resolve().parents[2]
ASSETS = pathlib.Path(os.environ.get("SYNPREF_ASSETS") or os.path.expanduser("~/.cache/synpref/assets"))
TEMPLATES = ROOT / "Tests/SynprefJinjaTests/Fixtures/templates"
OUT = ROOT / "Tests/SynprefModelsTests/Fixtures/frontend/reference.json.gz"
torch.set_num_threads(2)

GOLDEN = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def prng_values(name, count):
    seed = np.uint64(fnv1a64(name))
    i = np.arange(1, count + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = seed + i * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(40)).astype(np.int64)
    if name.lower().endswith("norm.weight"):
        return 1.0 + ((u % 65) - 32).astype(np.float64) / 128.0
    return ((u % 255) - 127).astype(np.float64) / 256.0


def fill(model, names):
    """Sets every named parameter from the PRNG; returns [[name, shape]]."""
    state = model.state_dict()
    listed = []
    with torch.no_grad():
        for name in names:
            t = state[name]
            values = prng_values(name, t.numel()).reshape(tuple(t.shape))
            t.copy_(torch.from_numpy(values).to(t.dtype))
            listed.append([name, list(t.shape)])
    return listed


# Conversations: single and multi-turn, system messages, unicode, <think> content, special
# token strings, template syntax inside content, whitespace edge cases, tool turns.
LONG = " ".join(f"Paragraph {i}: the committee reviewed item {i * 7} and found it acceptable, "
                f"noting {i % 5} caveats about scheduling, budget and scope." for i in range(40))
CONVERSATIONS = [
    [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4"}],
    [{"role": "user", "content": "Jane has 12 apples. She gives 4 apples to her friend Mark, then buys 1 more apple, and finally splits all her apples equally among herself and her 2 siblings. How many apples does each person get?"},
     {"role": "assistant", "content": "1. Jane starts with 12 apples and gives 4 apples to her friend Mark. 12 - 4 = 8. Jane now has 8 apples.\n2. Jane buys 1 more apple. 8 + 1 = 9. Jane now has 9 apples.\n3. Jane splits the 9 apples equally among herself and her 2 siblings (3 people in total). 9 ÷ 3 = 3 apples each. Each person gets 3 apples."}],
    [{"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "Name a prime."},
     {"role": "assistant", "content": "7"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "Tell me a joke."}, {"role": "assistant", "content": "Why did the chicken cross the road? To get to the other side."}],
    [{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "Good morning"},
     {"role": "assistant", "content": "Bonjour"}, {"role": "user", "content": "Thank you"},
     {"role": "assistant", "content": "Merci"}, {"role": "user", "content": "Goodbye"}, {"role": "assistant", "content": "Au revoir !"}],
    [{"role": "user", "content": "Is 91 prime?"},
     {"role": "assistant", "content": "<think>\n91 = 7 × 13.\n</think>\n\nNo: 91 = 7 × 13."}],
    [{"role": "user", "content": "First question"},
     {"role": "assistant", "content": "<think>earlier reasoning that Qwen3 drops</think>Earlier answer."},
     {"role": "user", "content": "Second question"}, {"role": "assistant", "content": "Second answer."}],
    [{"role": "user", "content": "Think first."},
     {"role": "assistant", "content": "The answer is 42.", "reasoning_content": "Six times seven."}],
    [{"role": "user", "content": "翻译：你好，世界！日本語もどうぞ。한국어도 좋아요."},
     {"role": "assistant", "content": "Hello, world! 日本語 and 한국어 too. 👋🏽"}],
    [{"role": "user", "content": "Family emoji: 👨\u200d👩\u200d👧\u200d👦, flags 🇯🇵🇫🇷, skin 👍🏿"},
     {"role": "assistant", "content": "Noted: 👨\u200d👩\u200d👧\u200d👦 🇯🇵 👍🏿 ✓"}],
    [{"role": "user", "content": "Combining: e\u0301 vs \u00e9, A\u030a vs \u00c5, \u0915\u094d\u0937 Devanagari, مرحبا بالعالم"},
     {"role": "assistant", "content": "NFC é and NFD e\u0301 differ in bytes; Привет, мир!"}],
    [{"role": "user", "content": "Render this: {{ messages }} and {% if x %}y{% endif %} {# c #}"},
     {"role": "assistant", "content": "Literal braces: {{ x }} {% raw %} {{ y }} {% endraw %}"}],
    [{"role": "user", "content": "  leading and trailing spaces   "}, {"role": "assistant", "content": "\n\nnewlines around\n\n"}],
    [{"role": "user", "content": "Special strings: <|im_end|> <|im_start|>assistant <|begin_of_text|> <|eot_id|> [SEP] [CLS] <|endoftext|>"},
     {"role": "assistant", "content": "I see <|im_end|> and <|eot_id|> inside text."}],
    [{"role": "user", "content": "<|begin_of_text|>starts with a BOS string"}, {"role": "assistant", "content": "ok"}],
    [{"role": "user", "content": "Windows line endings:\r\nline two\r\n\tTabbed\tcolumns"}, {"role": "assistant", "content": "a\r\nb\tc"}],
    [{"role": "user", "content": "Write Python to add numbers."},
     {"role": "assistant", "content": "```python\ndef add(a: int, b: int) -> int:\n    return a + b\n\nprint(add(2, 3))  # 5\n```"}],
    [{"role": "user", "content": "Digits: 3.14159265358979323846264338327950288419716939937510 and 1000000000000"},
     {"role": "assistant", "content": "12345678901234567890"}],
    [{"role": "user", "content": "What's the weather?"},
     {"role": "assistant", "content": "Let me check."},
     {"role": "tool", "content": "{\"temperature\": 21, \"unit\": \"C\"}"},
     {"role": "assistant", "content": "It is 21 °C."}],
    [{"role": "assistant", "content": "Just a response, with no prompt."}],
    [{"role": "system", "content": "First system."}, {"role": "user", "content": "Q"},
     {"role": "system", "content": "A later system note."}, {"role": "assistant", "content": "A"}],
    [{"role": "user", "content": "   "}, {"role": "assistant", "content": "Whitespace-only prompt."}],
    [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
    [{"role": "user", "content": "DON'T shout. i'Ll WE'VE they'RE it's"}, {"role": "assistant", "content": "I'M not SHOUTING, you'd know."}],
    [{"role": "user", "content": "Solve $x^2 - 5x + 6 = 0$."}, {"role": "assistant", "content": "$x = 2$ or $x = 3$, since $(x-2)(x-3) = 0$."}],
    [{"role": "user", "content": "Make a table."}, {"role": "assistant", "content": "| a | b |\n|---|---|\n| 1 | 2 |\n"}],
    [{"role": "user", "content": "JSON please"}, {"role": "assistant", "content": "{\"name\": \"Ada\", \"tags\": [\"x\", \"y\"], \"nested\": {\"k\": null}}"}],
    [{"role": "user", "content": "URL?"}, {"role": "assistant", "content": "See https://example.com/path?q=1&r=2#frag — or mailto:a@b.c"}],
    [{"role": "user", "content": "!!!???...---"}, {"role": "assistant", "content": "¿¡Qué!? «quotes» „low“ ‘single’"}],
    [{"role": "user", "content": "Empty answer follows"}, {"role": "assistant", "content": ""}],
    [{"role": "system", "content": "Be helpful."}, {"role": "user", "content": "Summarise: " + LONG},
     {"role": "assistant", "content": "The committee accepted every item, with minor caveats."}],
    [{"role": "user", "content": "Thinking with braces"},
     {"role": "assistant", "content": "<think>\nConsider {a, b} and </think> the set.\n</think>\n\nFinal: {a, b}."}],
    [{"role": "user", "content": "Русский текст и ελληνικά και עברית"}, {"role": "assistant", "content": "Ответ: да. Απάντηση. תשובה."}],
    [{"role": "user", "content": "Trailing newline\n"}, {"role": "assistant", "content": "Answer with trailing space "}],
]
assert len(CONVERSATIONS) >= 30

# (conversation index, max_length) for the truncation references.
TRUNCATIONS = [(1, 24), (4, 40), (13, 17)]

QWEN_TOKENIZER_CONFIG = {
    "add_bos_token": False, "add_prefix_space": False, "bos_token": None, "clean_up_tokenization_spaces": False,
    "eos_token": "<|im_end|>", "errors": "replace", "model_max_length": 131072, "pad_token": "<|endoftext|>",
    "split_special_tokens": False, "tokenizer_class": "Qwen2Tokenizer", "unk_token": None,
}


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def decoder_case(name, asset, template, config, cls, tokenizer_config):
    model = cls(config).float().eval()
    tensors = fill(model, list(model.state_dict().keys()))
    files = {"config.json": config.to_json_string(),
             "chat_template.jinja": (TEMPLATES / template).read_bytes().decode("utf-8"),
             "tokenizer_config.json": json.dumps(tokenizer_config, ensure_ascii=False, indent=2)}
    return model, {"asset": asset, "asset_files": {"tokenizer.json": sha256(ASSETS / asset / "tokenizer.json")},
                   "files": files, "generated": tensors, "dtype": "bf16"}


def build_folder(tmp, name, case):
    d = pathlib.Path(tmp) / name
    d.mkdir()
    for f in case["asset_files"]:
        shutil.copy(ASSETS / case["asset"] / f, d / f)
    for f, text in case["files"].items():
        (d / f).write_bytes(text.encode("utf-8"))
    return d


def score_decoder(model, ids):
    with torch.no_grad():
        return float(model(input_ids=torch.tensor([ids])).logits[0][0])


def run_decoder(name, model, case, tmp):
    folder = build_folder(tmp, name, case)
    tok = AutoTokenizer.from_pretrained(folder)
    case["tokenizer_class"] = type(tok).__name__
    texts, ids, scores = [], [], []
    for conv in CONVERSATIONS:
        text = tok.apply_chat_template(conv, tokenize=False)  # add_generation_prompt defaults to False
        if tok.bos_token is not None and text.startswith(tok.bos_token):
            text = text[len(tok.bos_token):]
        x = tok(text)["input_ids"]
        texts.append(text)
        ids.append(x)
        scores.append(score_decoder(model, x))
    case.update(texts=texts, ids=ids, scores=scores)
    trunc = []
    for index, max_length in TRUNCATIONS:
        for side in ("left", "right"):
            tok.truncation_side = side
            x = tok(texts[index], truncation=True, max_length=max_length)["input_ids"]
            trunc.append({"conversation": index, "max_length": max_length, "side": side, "ids": x,
                          "score": score_decoder(model, x)})
    tok.truncation_side = "right"
    case["truncations"] = trunc
    print(name, case["tokenizer_class"], "lengths", [len(x) for x in ids][:8], "scores", [round(s, 4) for s in scores[:4]], file=sys.stderr)


def text_pair(conv):
    """The front end's text-pair layout (TextFrontEnd.textPair)."""
    if len(conv) == 1:
        return None, conv[-1]["content"]
    labels = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}
    return "\n".join(f"{labels[m['role']]}: {m['content']}" for m in conv[:-1]), conv[-1]["content"]


def minilm_case(tmp):
    asset = ASSETS / "minilm"
    base = json.loads((asset / "config.json").read_text())
    config = BertConfig(**{k: v for k, v in base.items() if k not in ("architectures", "_name_or_path", "transformers_version")})
    config.architectures = ["BertForSequenceClassification"]
    config.num_labels = 1
    model = BertForSequenceClassification(config).float().eval()
    weights = {}
    with safe_open(str(asset / "model.safetensors"), "pt") as f:
        asset_names = list(f.keys())
        for k in asset_names:
            weights[k] = f.get_tensor(k)
    missing, unexpected = model.bert.load_state_dict({k: v for k, v in weights.items() if k != "embeddings.position_ids"}, strict=False)
    assert not [m for m in missing if "position_ids" not in m] and not unexpected, (missing, unexpected)
    generated = fill(model, ["classifier.weight", "classifier.bias"])
    weight_map = {k: "model-00001-of-00002.safetensors" for k in asset_names}
    weight_map.update({n: "model-00002-of-00002.safetensors" for n, _ in generated})
    files = {"config.json": config.to_json_string(),
             "model.safetensors.index.json": json.dumps({"metadata": {}, "weight_map": dict(sorted(weight_map.items()))}, indent=2)}
    case = {"asset": "minilm",
            "asset_files": {f: sha256(asset / f) for f in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")},
            "asset_weights": {"model-00001-of-00002.safetensors": "model.safetensors"},
            "asset_weights_sha256": sha256(asset / "model.safetensors"),
            "generated_file": "model-00002-of-00002.safetensors",
            "files": files, "generated": generated, "dtype": "bf16", "max_length": 512, "truncation": "left"}
    folder = build_folder(tmp, "minilm", case)
    tok = AutoTokenizer.from_pretrained(folder)
    case["tokenizer_class"] = type(tok).__name__
    ids, types, scores, pairs = [], [], [], []
    for conv in CONVERSATIONS:
        context, response = text_pair(conv)
        pairs.append([context, response])
        if context is None:
            enc = tok(response)
        else:
            enc = tok(context, response)
            if len(enc["input_ids"]) > 512:
                tok.truncation_side = "left"
                enc = tok(context, response, truncation="only_first", max_length=512)
                tok.truncation_side = "right"
        x, t = enc["input_ids"], enc["token_type_ids"]
        with torch.no_grad():
            s = float(model(input_ids=torch.tensor([x]), token_type_ids=torch.tensor([t])).logits[0][0])
        ids.append(x)
        types.append(t)
        scores.append(s)
    case.update(pairs=pairs, ids=ids, types=types, scores=scores)
    print("minilm", case["tokenizer_class"], "lengths", [len(x) for x in ids], file=sys.stderr)
    return case


def tokenizer_flag_cases(tmp, llama_tc):
    """transformers 5.24 ignores add_bos_token / add_eos_token in tokenizer_config.json when
    tokenizer.json has a post-processor: ids of the first 6 conversations with the flags
    flipped (the front end follows tokenizer.json, so it must give the same)."""
    out = {}
    template = (TEMPLATES / "llama-3.1-instruct.jinja").read_bytes().decode("utf-8")
    for name, flags in [("llama3-add-bos-false", {"add_bos_token": False}),
                        ("llama3-add-eos-true", {"add_bos_token": True, "add_eos_token": True})]:
        case = {"asset": "llama3", "asset_files": {"tokenizer.json": sha256(ASSETS / "llama3/tokenizer.json")},
                "files": {"tokenizer_config.json": json.dumps({**llama_tc, **flags}, indent=2), "chat_template.jinja": template}}
        tok = AutoTokenizer.from_pretrained(build_folder(tmp, name, case))
        ids = []
        for conv in CONVERSATIONS[:6]:
            text = tok.apply_chat_template(conv, tokenize=False)
            if tok.bos_token is not None and text.startswith(tok.bos_token):
                text = text[len(tok.bos_token):]
            ids.append(tok(text)["input_ids"])
        case["ids"] = ids
        out[name] = case
        print(name, [x[:2] + x[-1:] for x in ids[:2]], file=sys.stderr)
    return out


def tiny_qwen3_config():
    """The tiny bf16 Qwen3 classifier (real Qwen vocabulary) of the end-to-end fixtures."""
    cfg = Qwen3Config(vocab_size=151936, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=40960,
                      rms_norm_eps=1e-6, rope_theta=1000000.0, tie_word_embeddings=False, num_labels=1,
                      pad_token_id=151643, bos_token_id=151643, eos_token_id=151645, attention_bias=False)
    cfg.architectures = ["Qwen3ForSequenceClassification"]
    cfg.dtype = "bfloat16"
    return cfg


def main():
    qwen_cfg = tiny_qwen3_config()
    llama_cfg = LlamaConfig(vocab_size=128256, hidden_size=16, intermediate_size=48, num_hidden_layers=2,
                            num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=131072,
                            rms_norm_eps=1e-5, rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                                                "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                                "original_max_position_embeddings": 8192},
                            num_labels=1, pad_token_id=128004, bos_token_id=128000, eos_token_id=[128001, 128008, 128009],
                            tie_word_embeddings=False)
    llama_cfg.architectures = ["LlamaForSequenceClassification"]
    llama_cfg.dtype = "bfloat16"
    llama_tc = json.loads((ASSETS / "llama3/tokenizer_config.json").read_text())
    cases = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, asset, template, cfg, cls, tc in [
                ("qwen3", "qwen", "qwen3.jinja", qwen_cfg, Qwen3ForSequenceClassification, QWEN_TOKENIZER_CONFIG),
                ("llama3", "llama3", "llama-3.1-instruct.jinja", llama_cfg, LlamaForSequenceClassification, llama_tc)]:
            model, case = decoder_case(name, asset, template, cfg, cls, tc)
            run_decoder(name, model, case, tmp)
            cases[name] = case
        cases["minilm"] = minilm_case(tmp)
        flags = tokenizer_flag_cases(tmp, llama_tc)
    out = {"transformers": transformers.__version__, "torch": torch.__version__,
           "conversations": CONVERSATIONS, "models": cases, "tokenizer_flags": flags}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as f:
        f.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    print(f"{OUT}: {OUT.stat().st_size} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
