#!/usr/bin/env python3
"""PyTorch reference for Synpref's trainer: tiny Qwen3, Llama and BERT reward models
trained with transformers 5.24 (eager attention, f32, every sequence run on its own, no
padding) and torch.optim.AdamW, in a fixed data order.

For each model it writes Tests/SynprefTrainingTests/Fixtures/train-<name>/:
  config.json, model.safetensors   the initial checkpoint (the Llama one in bf16: training
                                   starts from the bf16 weights widened to f32)
  reference.safetensors            grad.<param>: gradients of the first step (summed over
                                   its micro-batches, before clipping); final.<param>: the
                                   weights after 10 steps; loss: the 10 step losses
  reference.json                   the data (token ids, margins) and the hyperparameters

Each step takes `pairs_per_step` pairs in order (cycling), split into micro-batches of
`pairs_per_micro` pairs; a micro-batch's loss is the sum of its pairs' losses divided by
the pairs in the step, so accumulation gives the step's mean. Then
clip_grad_norm_(max 1.0), AdamW.step(), scheduler.step().

The tiny models use initializer_range 0.2 (transformers' default 0.02 leaves the residual
stream so small that RMSNorm amplifies f32 rounding by ~50x per norm: PyTorch's own f32
gradients then differ from its f64 ones by 1e-4, and a 1e-5 comparison would be
meaningless). The script checks that conditioning: it reruns the first step in float64
and requires PyTorch's f32 gradients to agree with those within 3e-6 (relative for values
above 1), so the 1e-5 tolerance measures the implementation, not the rounding.

Adam divides each gradient by its running RMS, so a parameter whose exact gradient is zero
moves by pure rounding noise: BERT's key bias (softmax ignores a per-row shift) and,
under a purely pairwise loss, the classifier bias (it shifts both rewards alike). The BERT
run therefore adds a small centering term, which gives the classifier bias a real
gradient, and eps = 1e-6 keeps the key bias's noise far below the tolerance.

Run: /work/venv/bin/python scripts/reference/train_reference.py
"""
import copy
import json
import pathlib
import random

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import (BertConfig, BertForSequenceClassification, LlamaConfig,
                          LlamaForSequenceClassification, Qwen3Config, Qwen3ForSequenceClassification,
                          get_constant_schedule, get_cosine_schedule_with_warmup,
                          get_linear_schedule_with_warmup)

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "Tests/SynprefTrainingTests/Fixtures"
torch.set_num_threads(2)

STEPS = 10
LR = 1e-3


def qwen3():
    # GQA 4 over 2, head_dim 8 != hidden/heads = 4, q/k norms; Bradley-Terry with margins
    # and centering; linear decay with 2 warm-up steps; weight decay 0.01.
    cfg = Qwen3Config(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=128,
                      rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=False, num_labels=1,
                      pad_token_id=0, attention_bias=False)
    return dict(cls=Qwen3ForSequenceClassification, cfg=cfg, dtype=torch.float32, loss="bt", margins=True,
                center=0.01, schedule=("linear", 2), weight_decay=0.01, pairs_per_step=2, pairs_per_micro=1)


def llama():
    # MQA, llama3 rope scaling (sequences longer than original_max_position_embeddings 16),
    # MLP biases; bf16 checkpoint; logexp loss; constant lr; no weight decay.
    cfg = LlamaConfig(vocab_size=64, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=128,
                      rms_norm_eps=1e-5,
                      rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                       "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                       "original_max_position_embeddings": 16},
                      attention_bias=False, mlp_bias=True, num_labels=1, pad_token_id=0)
    return dict(cls=LlamaForSequenceClassification, cfg=cfg, dtype=torch.bfloat16, loss="logexp", margins=False,
                center=0.0, schedule=("constant", 0), weight_decay=0.0, pairs_per_step=3, pairs_per_micro=2)


def bert():
    # Bidirectional attention, LayerNorm, GELU, pooler + classifier; cosine with 1 warm-up
    # step; weight decay 0.1 (not on biases / LayerNorm weights).
    cfg = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=64, type_vocab_size=2, num_labels=1,
                     hidden_act="gelu", layer_norm_eps=1e-12, pad_token_id=0, hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0, classifier_dropout=0.0)
    return dict(cls=BertForSequenceClassification, cfg=cfg, dtype=torch.float32, loss="bt", margins=False,
                center=0.001, schedule=("cosine", 1), weight_decay=0.1, pairs_per_step=2, pairs_per_micro=2)


MODELS = {"qwen3": qwen3, "llama": llama, "bert": bert}


def make_pairs(rng, vocab, count, max_len, margins):
    pairs = []
    for _ in range(count):
        pair = {}
        for side in ("chosen_ids", "rejected_ids"):
            n = rng.randint(2, max_len)
            pair[side] = [rng.randint(1, vocab - 1) for _ in range(n)]  # 0 is the pad id
        if margins:
            pair["margin"] = round(rng.uniform(0, 1), 3)
        pairs.append(pair)
    return pairs


def decay_names(model):
    # TRL / HF Trainer: no weight decay on biases and normalisation weights.
    return {n for n, _ in model.named_parameters()
            if not n.endswith(".bias") and "norm" not in n.lower()}


def main():
    for name, make in MODELS.items():
        spec = make()
        torch.manual_seed(1000 + len(name))
        rng = random.Random(42 + len(name))
        cfg = spec["cfg"]
        cfg.initializer_range = 0.2
        cfg._attn_implementation = "eager"
        model = spec["cls"](cfg)
        # Spread the head so rewards differ visibly (the default init gives tiny logits).
        with torch.no_grad():
            head = model.score if hasattr(model, "score") else model.classifier
            head.weight.normal_(0, 0.5)
        if spec["dtype"] == torch.bfloat16:
            model = model.to(torch.bfloat16)
        out = FIXTURES / f"train-{name}"
        out.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out, safe_serialization=True)
        # Train what transformers loads from that folder (bf16 weights widened to f32; the
        # rotary inv_freq recomputed in f32, not the rounded buffer of the bf16 model).
        model = spec["cls"].from_pretrained(out, dtype=torch.float32, attn_implementation="eager")
        model.train()

        pairs = make_pairs(rng, cfg.vocab_size, 6, 40 if name != "bert" else 30, spec["margins"])
        decay = decay_names(model)
        params = [p for _, p in model.named_parameters()]
        groups = [{"params": [p for n, p in model.named_parameters() if n in decay], "weight_decay": spec["weight_decay"]},
                  {"params": [p for n, p in model.named_parameters() if n not in decay], "weight_decay": 0.0}]
        opt = torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.999), eps=1e-6)
        kind, warmup = spec["schedule"]
        if kind == "linear":
            sched = get_linear_schedule_with_warmup(opt, warmup, STEPS)
        elif kind == "cosine":
            sched = get_cosine_schedule_with_warmup(opt, warmup, STEPS)
        else:
            sched = get_constant_schedule(opt)

        def reward(ids, net=None):
            return (net or model)(input_ids=torch.tensor([ids])).logits[0, 0]

        def step_loss(net, micro, count):
            rw = torch.stack([reward(p["chosen_ids"], net) for p in micro])
            rl = torch.stack([reward(p["rejected_ids"], net) for p in micro])
            if spec["loss"] == "logexp":
                terms = torch.log(1 + torch.exp(rl - rw))  # OpenRLHF LogExpLoss
            else:
                margin = torch.tensor([p.get("margin", 0.0) for p in micro], dtype=rw.dtype)
                terms = -F.logsigmoid(rw - rl - margin)
            if spec["center"]:
                terms = terms + spec["center"] * (rw + rl) ** 2
            return terms.sum() / count

        # Conditioning check: the first step's gradients in float64.
        ref64 = copy.deepcopy(model).to(torch.float64)
        first = [pairs[i % len(pairs)] for i in range(spec["pairs_per_step"])]
        for m0 in range(0, len(first), spec["pairs_per_micro"]):
            step_loss(ref64, first[m0:m0 + spec["pairs_per_micro"]], len(first)).backward()
        grads64 = {n: p.grad for n, p in ref64.named_parameters()}

        tensors, losses, cursor = {}, [], 0
        for step in range(STEPS):
            opt.zero_grad()
            step_pairs = [pairs[(cursor + i) % len(pairs)] for i in range(spec["pairs_per_step"])]
            cursor += spec["pairs_per_step"]
            total = 0.0
            for m0 in range(0, len(step_pairs), spec["pairs_per_micro"]):
                loss = step_loss(model, step_pairs[m0:m0 + spec["pairs_per_micro"]], len(step_pairs))
                loss.backward()
                total += loss.item()
            losses.append(total)
            if step == 0:
                worst = 0.0
                for n, p in model.named_parameters():
                    tensors[f"grad.{n}"] = p.grad.detach().clone()
                    err = ((p.grad.double() - grads64[n]).abs() / grads64[n].abs().clamp(min=1)).max().item()
                    worst = max(worst, err)
                assert worst < 3e-6, f"{name}: f32 gradients differ from f64 by {worst}; badly conditioned fixture"
                print(f"{name}: PyTorch f32 vs f64 first-step gradients: max scaled difference {worst:.2e}")
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
        for n, p in model.named_parameters():
            tensors[f"final.{n}"] = p.detach().clone()
        tensors["loss"] = torch.tensor(losses, dtype=torch.float32)
        save_file({k: v.float().contiguous() for k, v in tensors.items()}, str(out / "reference.safetensors"),
                  metadata={"generator": "scripts/reference/train_reference.py", "torch": torch.__version__})
        meta = {"pairs": pairs, "steps": STEPS, "lr": LR, "beta1": 0.9, "beta2": 0.999, "eps": 1e-6,
                "weight_decay": spec["weight_decay"], "schedule": kind, "warmup_steps": warmup,
                "loss": spec["loss"], "center": spec["center"], "clip_norm": 1.0,
                "pairs_per_step": spec["pairs_per_step"], "pairs_per_micro": spec["pairs_per_micro"],
                "losses": losses}
        (out / "reference.json").write_text(json.dumps(meta, indent=1) + "\n")
        size = sum(f.stat().st_size for f in out.iterdir())
        print(f"{name}: losses {[round(x, 5) for x in losses]} ({size} bytes)")


if __name__ == "__main__":
    main()
