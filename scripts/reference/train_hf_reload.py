#!/usr/bin/env python3
"""Checkpoints written by `synpref train` load in transformers and score as Synpref does.

1. Trains the tiny fixtures with the synpref binary (full fine-tuning of the f32 Qwen3,
   LoRA on the bf16 Llama, a frozen-backbone BERT) and keeps the saved model folders as
   Tests/SynprefTrainingTests/Fixtures/trained-<name>/ (config.json + model.safetensors).
2. Loads each with AutoModelForSequenceClassification (no missing or unexpected weights
   allowed; the stored dtype must be the source checkpoint's) and scores every sequence of
   the training pairs one at a time in f32 (bf16 weights widened, as the engine computes).
3. Writes trained-scores.json: per model the stored dtype, the sequences and
   transformers' scores. HFCheckpointTests scores the same folders with Synpref's
   RewardModel and requires agreement within 1e-5.

Run: swift build --product synpref && /work/venv/bin/python scripts/reference/train_hf_reload.py [path/to/synpref]
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

import torch
from transformers import AutoModelForSequenceClassification

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests/SynprefTrainingTests/Fixtures"
SYNPREF = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/synpref")
torch.set_num_threads(2)

RUNS = {
    "qwen3": ["--lr", "1e-3", "--batch-size", "2", "--epochs", "2", "--weight-decay", "0.01", "--warmup-steps", "1"],
    "llama": ["--lr", "1e-2", "--batch-size", "3", "--max-steps", "4", "--lora-rank", "2", "--schedule", "cosine"],
    "bert": ["--lr", "1e-2", "--batch-size", "2", "--max-steps", "5", "--freeze-backbone", "--schedule", "constant"],
}


def main():
    out = {}
    for name, args in RUNS.items():
        source = FIXTURES / f"train-{name}"
        ref = json.loads((source / "reference.json").read_text())
        with tempfile.TemporaryDirectory() as tmp:
            data = pathlib.Path(tmp) / "pairs.jsonl"
            with data.open("w") as f:
                for p in ref["pairs"]:
                    f.write(json.dumps({"chosen_ids": p["chosen_ids"], "rejected_ids": p["rejected_ids"]}) + "\n")
            run = pathlib.Path(tmp) / "run"
            cmd = [SYNPREF, "train", "--model", str(source), "--data", str(data), "--output", str(run), "--seed", "7", *args]
            subprocess.run(cmd, check=True, capture_output=True)
            dest = FIXTURES / f"trained-{name}"
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir()
            for f in ("config.json", "model.safetensors"):
                shutil.copy(run / f, dest / f)
        model, info = AutoModelForSequenceClassification.from_pretrained(dest, output_loading_info=True,
                                                                         attn_implementation="eager")
        problems = {k: v for k, v in info.items() if v}
        assert not problems, f"{name}: transformers reported {problems}"
        stored = str(model.dtype).removeprefix("torch.")
        source_dtype = str(AutoModelForSequenceClassification.from_pretrained(source).dtype).removeprefix("torch.")
        assert stored == source_dtype, f"{name}: saved as {stored}, source was {source_dtype}"
        model = model.float().eval()
        sequences = [s for p in ref["pairs"] for s in (p["chosen_ids"], p["rejected_ids"])]
        with torch.no_grad():
            scores = [model(input_ids=torch.tensor([s])).logits[0, 0].item() for s in sequences]
        out[name] = {"dtype": stored, "architecture": model.config.architectures[0], "sequences": sequences, "scores": scores,
                     "command": " ".join(["synpref train", *cmd[2:4], "<pairs>", *args, "--seed", "7"])}
        print(f"{name}: loads as {model.config.architectures[0]} ({stored}), no missing/unexpected weights; "
              f"scores {[round(x, 4) for x in scores[:4]]}...")
    (FIXTURES / "trained-scores.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
