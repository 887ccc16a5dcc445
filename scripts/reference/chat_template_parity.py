#!/usr/bin/env python3
"""Reference renderings of the real chat templates for SynprefJinja's parity tests.

For each template in ../shared/templates (read as bytes, decoded as UTF-8, newlines
untouched) this script generates conversations with a seeded random generator and
renders each one with transformers' real `apply_chat_template`:

    tok = PreTrainedTokenizerFast(tokenizer_object=<one-token WordLevel>, bos_token=..., eos_token=...)
    tok.apply_chat_template(messages, chat_template=template, tools=tools, tokenize=False,
                            add_generation_prompt=..., **kwargs)

The tokenizer object only supplies `special_tokens_map` (Llama 3.1: bos_token
"<|begin_of_text|>", eos_token "<|eot_id|>"; Qwen3: eos_token "<|im_end|>", no BOS);
with tokenize=False its vocabulary is never used. apply_chat_template drops message keys
whose value is None, aliases reasoning fields and calls
`transformers.utils.chat_template_utils.render_jinja_template`; every rendering is
cross-checked against a direct call of render_jinja_template on the normalized messages.
A conversation the template rejects records the exception instead of the text.

Usage: /work/venv/bin/python scripts/reference/chat_template_parity.py
Writes Tests/SynprefJinjaTests/Fixtures/parity/<template>.jsonl.gz and copies the three
templates to Tests/SynprefJinjaTests/Fixtures/templates/.
"""

import gzip
import hashlib
import json
import pathlib
import random
import shutil

import transformers
from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast
from transformers.utils.chat_template_utils import _normalize_chat_messages, render_jinja_template

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path("/work/shared/templates")
FIXTURES = ROOT / "Tests/SynprefJinjaTests/Fixtures"
SEED = 20260101

# Prints what a template receives, to pin down apply_chat_template's preprocessing
# (None keys dropped, reasoning aliases and their key order, tools/documents defaults).
PROBE = (
    "{% for m in messages %}{{ m|tojson }}\n{% endfor %}"
    "bos={{ bos_token }} eos={{ eos_token }} tools={{ tools|tojson }} documents={{ documents }} "
    "gen={{ add_generation_prompt }} extra={{ extra is defined and extra }}"
)

TEMPLATES = {
    "qwen3.jinja": ("87a2728cb8dc9fe424d624542f6060ec05a1d285ebbec578bb078900e33396b5", None, "<|im_end|>"),
    "qwen3-revised.jinja": ("a55ee1b1660128b7098723e0abcd92caa0788061051c62d51cbe87d9cf1974d8", None, "<|im_end|>"),
    "llama-3.1-instruct.jinja": (
        "e10ca381b1ccc5cf9db52e371f3b6651576caee0a630b452e2816b2d404d4b65",
        "<|begin_of_text|>",
        "<|eot_id|>",
    ),
    "probe.jinja": (None, "<s>", "</s>"),
}

# --- content pools -------------------------------------------------------------------------

PLAIN = [
    "Hi",
    "Hello!",
    "What is the capital of France?",
    "The capital of France is Paris.",
    "Can you explain recursion in one sentence?",
    "Recursion is when a function calls itself on a smaller input until it reaches a base case.",
    "Write a haiku about autumn.",
    "Leaves drift on cold wind\nred and gold on quiet paths\nthe year exhales slow",
    "Thanks, that helps a lot.",
    "Sure. Here are three options:\n1. Walk\n2. Bike\n3. Train",
    "I disagree; the second argument ignores the base rate.",
    "OK",
]
CODE = [
    "def f(x):\n    return {'a': x, 'b': [x, x]}\n",
    "```python\nfor i in range(3):\n    print(f\"{i}: {{i}}\")\n```",
    "function add(a, b) { return a + b; }",
    "SELECT * FROM t WHERE name = 'O''Brien';",
    "C:\\Users\\me\\file.txt and \\n is not a newline here",
    "JSON: {\"key\": [1, 2.5, null, true], \"nested\": {\"x\": \"y\"}}",
]
JINJA_LIKE = [
    "Use {{ x }} to print x.",
    "{% raw %}{{ not rendered }}{% endraw %}",
    "A template: {% for i in items %}{{ i }}{% endfor %}",
    "{# not a comment here #} and {%- trim -%} markers",
    "{{- messages[0]['content'] | trim -}}",
    "Literal braces: {{{{ }}}} and {% if %}",
    "raise_exception('nope') should stay text",
]
UNICODE = [
    "你好，世界！今天天气怎么样？",
    "こんにちは。カタカナとひらがな。",
    "مرحبا بالعالم",
    "Emoji: 👩‍👩‍👧‍👦 👍🏽 🇫🇷 ❤️",
    "Combining: e\u0301 vs \u00e9, n\u0303, a\u0308",
    "Zero width:\u200bjoiner\u200d and NBSP\u00a0here",
    "Line separator\u2028inside and tab\tinside",
    "Ελληνικά ΣΟΦΟΣ και Русский текст",
    "Math: ∑ x² ≤ ∞ → ∀ε>0",
]
WHITESPACE = [
    "",
    " ",
    "\n",
    "  leading spaces",
    "trailing spaces   ",
    "trailing newline\n",
    "\n\nleading newlines",
    "both\n\n",
    "\tTabbed\t",
    "windows\r\nline\r\nendings\r\n",
    "   \n  mixed \t whitespace \n  ",
]
SPECIAL = [
    "Text with <|im_end|> inside",
    "Fake header <|start_header_id|>user<|end_header_id|>",
    "<|eot_id|> in the middle",
    "A <think> tag that never closes",
    "Only a closing tag </think> here",
    "<tool_response>\nnot really a tool\n</tool_response>",
]
REASONING = [
    "Let me think step by step.",
    "First, 2 + 2 = 4.\nSo the answer is 4.",
    "",
    "\n\nPadded reasoning\n\n",
    "思考中……",
    "Consider {{ braces }} carefully.",
]


def content(rng):
    pool = rng.choice([PLAIN, PLAIN, PLAIN, CODE, JINJA_LIKE, UNICODE, WHITESPACE, SPECIAL])
    text = rng.choice(pool)
    if rng.random() < 0.15:
        text = text + rng.choice(["  ", "\n", "\n\n", " \t"])
    if rng.random() < 0.1:
        text = rng.choice([" ", "\n"]) + text
    if rng.random() < 0.1:
        text = text + "\n" + rng.choice(PLAIN + UNICODE)
    return text


def think_content(rng):
    reasoning = rng.choice(REASONING)
    answer = content(rng)
    shape = rng.randrange(7)
    if shape == 0:
        return f"<think>\n{reasoning}\n</think>\n\n{answer}"
    if shape == 1:
        return f"<think>{reasoning}</think>{answer}"
    if shape == 2:
        return f"<think>\n\n</think>\n\n{answer}"
    if shape == 3:
        return f"{reasoning}\n</think>\n\n{answer}"
    if shape == 4:
        return f"<think>\n{reasoning}\n</think>\n\n<think>\nsecond\n</think>\n\n{answer}"
    if shape == 5:
        return f"  <think>\n{reasoning}\n</think>   \n\n{answer}"
    return f"<think>\n{reasoning}\n</think>\n\n"


ARG_VALUES = [
    1, 0, -3, 2.5, 0.1, 1e-07, 1e21, 3.0, -0.0, 12345678901234, True, False, None,
    "Paris", "Zürich 🙂", "quote \" and backslash \\", "new\nline", "", [1, "two", 3.5], {"nested": {"k": [True, None]}},
]


def tool_arguments(rng):
    args = {}
    for k in rng.sample(["city", "unit", "days", "query", "limit", "flags", "opts"], rng.randint(0, 3)):
        args[k] = rng.choice(ARG_VALUES)
    return args


def tool_call(rng):
    args = tool_arguments(rng)
    if rng.random() < 0.25:
        args = json.dumps(args)  # some APIs send arguments as a JSON string
    name = rng.choice(["get_weather", "search", "calculator", "lookup_user"])
    if rng.random() < 0.85:
        return {"type": "function", "function": {"name": name, "arguments": args}}
    return {"name": name, "arguments": args}  # without the "function" wrapper


def assistant_message(rng, allow_tools):
    m = {"role": "assistant"}
    kind = rng.random()
    if kind < 0.3:
        m["content"] = think_content(rng)
    elif kind < 0.45:
        m["content"] = content(rng)
        field = rng.choice(["reasoning_content", "reasoning_content", "thinking", "reasoning"])
        m[field] = rng.choice(REASONING + [None])
    else:
        m["content"] = content(rng)
    if allow_tools and rng.random() < 0.2:
        m["tool_calls"] = [tool_call(rng) for _ in range(rng.choice([1, 1, 1, 2]))]
        m["content"] = rng.choice(["", "Let me check.", None])
    if rng.random() < 0.05:
        m["name"] = "helper"  # extra keys are passed through untouched
    return m


def conversation(rng, *, structured_content=False):
    msgs = []
    if rng.random() < 0.5:
        msgs.append({"role": "system", "content": rng.choice(["You are a helpful assistant.", "", "Be concise.\n", content(rng)])})
    turns = rng.choice([1, 1, 2, 2, 3, 4, 6])
    for t in range(turns):
        if rng.random() < 0.08 and msgs:
            msgs.append({"role": "user", "content": "<tool_response>\n" + content(rng) + "\n</tool_response>"})
        else:
            msgs.append({"role": "user", "content": content(rng)})
        if t == turns - 1 and rng.random() < 0.15:
            break  # ends with a user turn
        a = assistant_message(rng, allow_tools=True)
        msgs.append(a)
        if "tool_calls" in a:
            for _ in a["tool_calls"]:
                tool_content = rng.choice(['{"temperature": 21.5}', "no results", content(rng)])
                msgs.append({"role": "tool", "content": tool_content})
            msgs.append(assistant_message(rng, allow_tools=False))
    if rng.random() < 0.05 and len(msgs) > 2:
        msgs.insert(rng.randrange(1, len(msgs)), {"role": "system", "content": "Mid-conversation system note."})
    if structured_content:
        for m in msgs:
            if m["role"] in ("user", "tool") and rng.random() < 0.5:
                m["content"] = [{"type": "text", "text": m["content"] if isinstance(m["content"], str) else ""}]
    return msgs


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City name, e.g. Zürich"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search",
            "description": "Search the web.",
            "parameters": {"type": "object", "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "default": 5}}},
        },
    },
]


def variants(template_name, rng):
    """(messages, add_generation_prompt, kwargs) triples for one template."""
    out = []
    if template_name == "probe.jinja":
        for _ in range(40):
            out.append((conversation(rng), rng.random() < 0.5, rng.choice([{}, {"extra": "x"}, {"tools": TOOLS[:1]}])))
        out.append(([{"role": "assistant", "content": "a", "thinking": "t", "reasoning_content": None, "x": None}], False, {}))
        out.append(([{"role": "assistant", "content": "a", "reasoning": "r", "thinking": None}], False, {}))
        out.append(([{"role": "assistant", "reasoning_content": "", "content": "a", "thinking": "t"}], False, {}))
        return out
    is_qwen = template_name.startswith("qwen3")
    for _ in range(160):
        out.append((conversation(rng), False, {}))
    for _ in range(25):
        out.append((conversation(rng, structured_content=True), False, {}))
    for _ in range(30):
        out.append((conversation(rng), True, {}))
    for _ in range(20):
        kwargs = {"tools": rng.sample(TOOLS, rng.randint(1, 2))}
        if not is_qwen and rng.random() < 0.3:
            kwargs["tools_in_user_message"] = False
        out.append((conversation(rng), rng.random() < 0.3, kwargs))
    if is_qwen:
        for _ in range(20):
            out.append((conversation(rng), True, {"enable_thinking": rng.choice([False, False, True])}))
    else:
        for _ in range(10):
            out.append((conversation(rng), rng.random() < 0.5, {"date_string": rng.choice(["01 Jan 2025", "31 Dec 1999"])}))
        for _ in range(10):
            msgs = conversation(rng)
            msgs.append({"role": "user", "content": "Run the search."})
            msgs.append({"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": rng.choice(["brave_search", "get_weather"]), "arguments": {"query": rng.choice(["weather", "Zürich 🙂", "a \"b\""])}}}]})
            msgs.append({"role": "ipython", "content": rng.choice(["sunny", {"result": [1, 2]}, ["x", 1]])})
            out.append((msgs, False, {"builtin_tools": ["brave_search", "wolfram_alpha"]}))
    # Hand-picked shapes every template must handle.
    out.append(([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}], False, {}))
    out.append(([{"role": "user", "content": "Hi"}], True, {}))
    out.append(([{"role": "user", "content": ""}, {"role": "assistant", "content": ""}], False, {}))
    out.append(([{"role": "system", "content": "S"}, {"role": "user", "content": "U"}], False, {}))
    out.append(([{"role": "assistant", "content": "Starts with the assistant."}], False, {}))
    out.append(([{"role": "user", "content": "q"}, {"role": "assistant", "content": None, "tool_calls": [tool_call(rng)]}], False, {}))
    return out


def make_tokenizer(bos, eos):
    tk = Tokenizer(models.WordLevel(vocab={"<unk>": 0}, unk_token="<unk>"))
    kwargs = {}
    if bos is not None:
        kwargs["bos_token"] = bos
    if eos is not None:
        kwargs["eos_token"] = eos
    return PreTrainedTokenizerFast(tokenizer_object=tk, **kwargs)


def render(tok, template, messages, add_generation_prompt, kwargs):
    kwargs = dict(kwargs)
    tools = kwargs.pop("tools", None)
    try:
        text = tok.apply_chat_template(
            messages, chat_template=template, tools=tools, tokenize=False,
            add_generation_prompt=add_generation_prompt, **kwargs,
        )
    except Exception as e:  # noqa: BLE001 - the template's exception is the reference outcome
        return None, {"type": type(e).__name__, "message": str(e)}
    # Cross-check: the same rendering through render_jinja_template directly.
    direct, _ = render_jinja_template(
        conversations=[_normalize_chat_messages(messages)], tools=tools, chat_template=template,
        add_generation_prompt=add_generation_prompt, **tok.special_tokens_map, **kwargs,
    )
    assert direct[0] == text, "apply_chat_template and render_jinja_template disagree"
    return text, None


def main():
    rng = random.Random(SEED)
    (FIXTURES / "templates").mkdir(parents=True, exist_ok=True)
    (FIXTURES / "parity").mkdir(parents=True, exist_ok=True)
    for name, (sha, bos, eos) in TEMPLATES.items():
        if sha is None:
            raw = PROBE.encode("utf-8")
            (FIXTURES / "templates" / name).write_bytes(raw)
        else:
            raw = (SHARED / name).read_bytes()
            assert hashlib.sha256(raw).hexdigest() == sha, f"{name}: unexpected sha256"
            shutil.copyfile(SHARED / name, FIXTURES / "templates" / name)
        template = raw.decode("utf-8")
        tok = make_tokenizer(bos, eos)
        lines = []
        counts = {"ok": 0, "error": 0, "gen": 0}
        for i, (messages, gen, kwargs) in enumerate(variants(name, rng)):
            text, error = render(tok, template, messages, gen, kwargs)
            entry = {
                "id": f"{name.removesuffix('.jinja')}-{i:04d}",
                "messages": messages,
                "add_generation_prompt": gen,
                "kwargs": kwargs,
                "special_tokens": tok.special_tokens_map,
            }
            if error is None:
                entry["expected"] = text
                counts["ok"] += 1
            else:
                entry["error"] = error
                counts["error"] += 1
            counts["gen"] += gen
            lines.append(json.dumps(entry, ensure_ascii=False))
        out = FIXTURES / "parity" / (name.removesuffix(".jinja") + ".jsonl.gz")
        # mtime=0 keeps the gzip bytes reproducible.
        with open(out, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as gz:
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))
        print(f"{name}: {len(lines)} conversations ({counts['ok']} rendered, {counts['error']} raise, "
              f"{counts['gen']} with add_generation_prompt) -> {out.relative_to(ROOT)} ({out.stat().st_size} bytes)")
    print(f"transformers {transformers.__version__}")


if __name__ == "__main__":
    main()
