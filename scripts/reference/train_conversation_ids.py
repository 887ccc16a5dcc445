#!/usr/bin/env python3
"""Token ids a reward model reads for a conversation, the paper's way (system.md §5), from
transformers: apply_chat_template(tokenize=False, add_generation_prompt=False), strip a
leading BOS string, tokenize with the default special tokens.

Tokenizers: the real Llama 3 and Qwen tokenizer.json assets (scripts/fetch-assets.sh) with
the Llama 3.1 Instruct and Qwen3 chat templates of SynprefJinjaTests' fixtures. Writes
Tests/SynprefTrainingTests/Fixtures/conversation-ids.json (conversations, template file,
expected ids); ConversationEncoderTests builds the same folders and compares.

Run: /work/venv/bin/python scripts/reference/train_conversation_ids.py
"""
import json
import os
import pathlib
import shutil
import tempfile

from transformers import AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[2]
ASSETS = pathlib.Path(os.environ.get("SYNPREF_ASSETS") or os.path.expanduser("~/.cache/synpref/assets"))
TEMPLATES = ROOT / "Tests/SynprefJinjaTests/Fixtures/templates"
OUT = ROOT / "Tests/SynprefTrainingTests/Fixtures/conversation-ids.json"

CONVERSATIONS = [
    [{"role": "user", "content": "What is 2 + 2?"}, {"role": "assistant", "content": "4."}],
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name a prime."},
     {"role": "assistant", "content": "7"}, {"role": "user", "content": "Another?"},
     {"role": "assistant", "content": "Eleven — and 13 too. Ünïcödé ✓"}],
    [{"role": "user", "content": "Say hi\nin two lines"}, {"role": "assistant", "content": "Hi\nthere!"}],
]

# (name, asset folder, template file)
CASES = [("llama3", "llama3", "llama-3.1-instruct.jinja"), ("qwen3", "qwen", "qwen3.jinja")]


def folder(tmp, asset, template):
    """A tokenizer folder: the asset's tokenizer.json and tokenizer_config.json (if any)
    with the chat template added."""
    d = pathlib.Path(tmp) / asset
    d.mkdir()
    shutil.copy(ASSETS / asset / "tokenizer.json", d / "tokenizer.json")
    config = {}
    if (ASSETS / asset / "tokenizer_config.json").exists():
        config = json.loads((ASSETS / asset / "tokenizer_config.json").read_text())
    config["chat_template"] = (TEMPLATES / template).read_text()
    (d / "tokenizer_config.json").write_text(json.dumps(config))
    return d


def main():
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, asset, template in CASES:
            tok = AutoTokenizer.from_pretrained(folder(tmp, asset, template))
            ids = []
            for conv in CONVERSATIONS:
                text = tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=False)
                if tok.bos_token and text.startswith(tok.bos_token):
                    text = text[len(tok.bos_token):]
                ids.append(tok(text)["input_ids"])
            out[name] = {"asset": asset, "template": template, "ids": ids}
            print(name, [len(x) for x in ids], ids[0][:6])
    OUT.write_text(json.dumps({"conversations": CONVERSATIONS, "tokenizers": out}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
