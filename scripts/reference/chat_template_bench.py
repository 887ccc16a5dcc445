#!/usr/bin/env python3
"""Chat-template rendering speed: `synpref chat-template` (release) vs transformers.

Both sides do the same work per conversation: parse one JSON line, apply the chat
template exactly as `apply_chat_template(tokenize=False)` does (normalize messages,
render with the special tokens), write one JSON line. The Python side calls
`_normalize_chat_messages` + `render_jinja_template` (the template is compiled once and
cached by transformers, as in real use). Runs are interleaved so machine load affects
both alike; the outputs are compared byte for byte. Wall-clock and CPU time (user + sys,
of this process for Python and of the child process for synpref) are both reported:
on a loaded machine CPU time is the steadier measure.

Usage: swift build -c release --product synpref
       /work/venv/bin/python scripts/reference/chat_template_bench.py [--conversations 2000] [--rounds 5]
"""

import argparse
import os
import json
import pathlib
import random
import resource
import statistics
import subprocess
import tempfile
import time

from transformers.utils.chat_template_utils import _normalize_chat_messages, render_jinja_template

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "Tests/SynprefJinjaTests/Fixtures/templates"
CONFIGS = {
    "qwen3.jinja": {"bos_token": None, "eos_token": "<|im_end|>"},
    "llama-3.1-instruct.jinja": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
}
WORDS = "the of and to a in is it you that he was for on are with as his they be at one have this from".split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def conversation(rng, turns=20):
    msgs = [{"role": "system", "content": "You are a helpful assistant."}]
    for t in range(turns // 2):
        msgs.append({"role": "user", "content": sentence(rng, 30)})
        body = sentence(rng, 50)
        if t % 3 == 0:
            body = "<think>\n" + sentence(rng, 20) + "\n</think>\n\n" + body
        msgs.append({"role": "assistant", "content": body})
    return msgs


def python_render(lines, template, special, out_path):
    special = {k: v for k, v in special.items() if v is not None}
    with open(out_path, "w", encoding="utf-8") as out:
        for line in lines:
            entry = json.loads(line)
            chat = _normalize_chat_messages(entry["messages"])
            text = render_jinja_template(conversations=[chat], chat_template=template, **special)[0][0]
            out.write(json.dumps({"id": entry["id"], "text": text}, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conversations", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--synpref", default=str(ROOT / ".build/release/synpref"))
    args = ap.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        lines = [json.dumps({"id": i, "messages": conversation(rng)}, ensure_ascii=False) for i in range(args.conversations)]
        (tmp / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (tmp / "one.jsonl").write_text(lines[0] + "\n", encoding="utf-8")
        for name, special in CONFIGS.items():
            template = (TEMPLATES / name).read_bytes().decode("utf-8")
            folder = tmp / name
            folder.mkdir()
            (folder / "chat_template.jinja").write_text(template, encoding="utf-8", newline="")
            (folder / "tokenizer_config.json").write_text(json.dumps(special), encoding="utf-8")
            python_render(lines[:1], template, special, tmp / "warm.jsonl")  # compile once, as in real use
            py_times, sw_times, startup = [], [], []
            py_cpu, sw_cpu, startup_cpu = [], [], []

            def child_cpu():
                r = resource.getrusage(resource.RUSAGE_CHILDREN)
                return r.ru_utime + r.ru_stime

            def run_synpref(input_name, output_name):
                c, t = child_cpu(), time.perf_counter()
                subprocess.run([args.synpref, "chat-template", "--tokenizer", str(folder), "--input", str(tmp / input_name),
                                "--output", str(tmp / output_name)], check=True, capture_output=True)
                return time.perf_counter() - t, child_cpu() - c

            for _ in range(args.rounds):
                c, t = time.process_time(), time.perf_counter()
                python_render(lines, template, special, tmp / "py.jsonl")
                py_times.append(time.perf_counter() - t)
                py_cpu.append(time.process_time() - c)
                wall, cpu = run_synpref("in.jsonl", "sw.jsonl")
                sw_times.append(wall)
                sw_cpu.append(cpu)
                wall, cpu = run_synpref("one.jsonl", "sw1.jsonl")
                startup.append(wall)
                startup_cpu.append(cpu)
            same = (tmp / "py.jsonl").read_bytes() == (tmp / "sw.jsonl").read_bytes()
            n = args.conversations
            med = statistics.median
            py_w, py_c = med(py_times) / n * 1e3, med(py_cpu) / n * 1e3
            sw_w = (med(sw_times) - med(startup)) / n * 1e3
            sw_c = (med(sw_cpu) - med(startup_cpu)) / n * 1e3
            print(f"{name}: {n} conversations x 20 turns (JSON in, JSON out), median of {args.rounds} interleaved rounds")
            print(f"  transformers: {py_w:.4f} ms wall, {py_c:.4f} ms CPU per conversation")
            print(f"  synpref:      {sw_w:.4f} ms wall, {sw_c:.4f} ms CPU per conversation "
                  f"(process start-up {med(startup) * 1e3:.0f} ms wall subtracted)")
            print(f"  speed-up: {py_w / sw_w:.1f}x wall, {py_c / sw_c:.1f}x CPU; outputs identical: {same}")
            print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

if __name__ == "__main__":
    main()
