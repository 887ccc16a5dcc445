#!/usr/bin/env python3
"""PyTorch + PEFT reference for LoRA training: the tiny Qwen3 and BERT checkpoints of
train_reference.py wrapped by peft (LoraConfig, task_type SEQ_CLS so the head trains fully
via modules_to_save), trained for 8 steps with AdamW, then merged (merge_and_unload).

Writes Tests/SynprefTrainingTests/Fixtures/lora-<name>.safetensors:
  init.<module>.lora_A.weight        PEFT's initial A (B starts at zero); the Swift test
                                     starts from these
  grad.<param>                       first-step gradients of the trainable parameters
  merged.<param>                     every weight of the merged model after training
  loss                               the step losses
and lora-<name>.json with the hyperparameters and data.

Run: /work/venv/bin/python scripts/reference/train_lora_reference.py   (peft 0.21)
"""
import json
import pathlib

import peft
import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import AutoModelForSequenceClassification

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests/SynprefTrainingTests/Fixtures"
torch.set_num_threads(2)
STEPS, LR = 8, 1e-2

CASES = {
    # every linear layer of the decoder, rank 4, alpha 8 (scale 2)
    "qwen3": dict(rank=4, alpha=8, targets=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]),
    # PEFT's usual BERT targets, rank 2, alpha 16 (scale 8)
    # (centering gives the classifier bias a gradient; a pairwise loss alone cancels it)
    "bert": dict(rank=2, alpha=16, targets=["query", "value"], center=0.01),
}


def ours(name):
    """PEFT's parameter name -> Synpref's (HF name of the module + lora_A/lora_B)."""
    name = name.removeprefix("base_model.model.")
    name = name.replace(".lora_A.default.", ".lora_A.").replace(".lora_B.default.", ".lora_B.")
    return name.replace(".modules_to_save.default.", ".")


def main():
    for name, case in CASES.items():
        base = FIXTURES / f"train-{name}"
        ref = json.loads((base / "reference.json").read_text())
        pairs = ref["pairs"]
        torch.manual_seed(77)
        model = AutoModelForSequenceClassification.from_pretrained(base, dtype=torch.float32, attn_implementation="eager")
        cfg = LoraConfig(r=case["rank"], lora_alpha=case["alpha"], target_modules=case["targets"], lora_dropout=0.0,
                         task_type="SEQ_CLS", bias="none")
        model = get_peft_model(model, cfg)
        model.train()
        tensors = {}
        for n, p in model.named_parameters():
            if "lora_A" in n:
                tensors[f"init.{ours(n)}"] = p.detach().clone()
        trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        params = [p for _, p in trainable]
        opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0)

        def reward(ids):
            return model(input_ids=torch.tensor([ids])).logits[0, 0]

        losses = []
        for step in range(STEPS):
            opt.zero_grad()
            batch = [pairs[(2 * step + i) % len(pairs)] for i in range(2)]
            rw = torch.stack([reward(p["chosen_ids"]) for p in batch])
            rl = torch.stack([reward(p["rejected_ids"]) for p in batch])
            loss = -F.logsigmoid(rw - rl).mean() + case.get("center", 0.0) * torch.mean((rw + rl) ** 2)
            loss.backward()
            losses.append(loss.item())
            if step == 0:
                for n, p in trainable:
                    tensors[f"grad.{ours(n)}"] = p.grad.detach().clone()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        merged = model.merge_and_unload()
        for n, p in merged.named_parameters():
            tensors[f"merged.{n}"] = p.detach().clone()
        tensors["loss"] = torch.tensor(losses)
        save_file({k: v.float().contiguous() for k, v in tensors.items()}, str(FIXTURES / f"lora-{name}.safetensors"),
                  metadata={"generator": "scripts/reference/train_lora_reference.py", "peft": peft.__version__})
        meta = dict(rank=case["rank"], alpha=case["alpha"], targets=case["targets"], center=case.get("center", 0.0), steps=STEPS, lr=LR, eps=1e-6,
                    clip_norm=1.0, pairs_per_step=2, losses=losses)
        (FIXTURES / f"lora-{name}.json").write_text(json.dumps(meta, indent=1) + "\n")
        print(name, "trainable:", sorted({ours(n).split(".")[-2] for n, _ in trainable}), "losses", [round(x, 5) for x in losses])


if __name__ == "__main__":
    main()
