#!/usr/bin/env python3
"""Reference values for the training objective and optimizer, from PyTorch and transformers:
- the pairwise losses (TRL's Bradley-Terry with margin and centering, OpenRLHF's LogExpLoss)
  and their gradients with respect to each reward;
- torch.optim.AdamW over two parameter groups (decay / no decay), with
  torch.nn.utils.clip_grad_norm_ and transformers' linear warm-up schedule, for 6 steps of
  given gradients;
- learning-rate factors of transformers' constant / linear / cosine schedules.
Writes Tests/SynprefTrainingTests/Fixtures/optim_losses.safetensors.

Run: /work/venv/bin/python scripts/reference/train_optim_losses.py
"""
import pathlib

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import (get_constant_schedule, get_constant_schedule_with_warmup,
                          get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup)

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SynprefTrainingTests/Fixtures/optim_losses.safetensors"
torch.manual_seed(7)
t = {}

# ---- losses ---------------------------------------------------------------------------
rw = torch.tensor([0.3, -1.2, 2.5, 40.0, -35.0, 0.0, 1e-3, 7.5], requires_grad=True)
rl = torch.tensor([0.1, 0.4, -2.0, -3.0, 10.0, 0.0, -1e-3, 7.0], requires_grad=True)
margin = torch.tensor([0.0, 0.5, 1.0, 2.0, 0.0, 0.25, 0.0, 3.0])
t["loss.chosen"], t["loss.rejected"], t["loss.margin"] = rw.detach().clone(), rl.detach().clone(), margin

# TRL RewardTrainer: -logsigmoid(r_w - r_l - margin).mean() + c * mean((r_w + r_l)^2)
loss = -F.logsigmoid(rw - rl - margin).mean() + 0.01 * torch.mean((rw + rl) ** 2)
loss.backward()
t["loss.bt_margin_center.value"] = loss.detach().reshape(1)
t["loss.bt_margin_center.dchosen"], t["loss.bt_margin_center.drejected"] = rw.grad.clone(), rl.grad.clone()
rw.grad = None; rl.grad = None

loss = -F.logsigmoid(rw - rl).mean()
loss.backward()
t["loss.bt.value"] = loss.detach().reshape(1)
t["loss.bt.dchosen"], t["loss.bt.drejected"] = rw.grad.clone(), rl.grad.clone()
rw.grad = None; rl.grad = None

# OpenRLHF LogExpLoss (its formula overflows past ~88, so moderate rewards here).
rw2 = torch.tensor([0.3, -1.2, 2.5, 20.0, -15.0, 0.0], requires_grad=True)
rl2 = torch.tensor([0.1, 0.4, -2.0, -3.0, 10.0, 0.0], requires_grad=True)
loss = torch.log(1 + torch.exp(rl2 - rw2)).mean()
loss.backward()
t["loss.logexp.chosen"], t["loss.logexp.rejected"] = rw2.detach().clone(), rl2.detach().clone()
t["loss.logexp.value"] = loss.detach().reshape(1)
t["loss.logexp.dchosen"], t["loss.logexp.drejected"] = rw2.grad.clone(), rl2.grad.clone()

# ---- AdamW + clipping + linear warm-up --------------------------------------------------
w = torch.nn.Parameter(torch.randn(5, 7))      # a weight: decays
b = torch.nn.Parameter(torch.randn(7))         # a bias: no decay
n = torch.nn.Parameter(torch.randn(6) + 1)     # a norm weight: no decay
t["adamw.init.w"], t["adamw.init.b"], t["adamw.init.n"] = w.detach().clone(), b.detach().clone(), n.detach().clone()
opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b, n], "weight_decay": 0.0}],
                        lr=3e-2, betas=(0.85, 0.99), eps=1e-6)
sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=2, num_training_steps=6)
scales = [0.01, 1.0, 0.05, 3.0, 0.02, 0.5]  # some steps clip (norm > 1), some do not
for step, s in enumerate(scales):
    for name, p in (("w", w), ("b", b), ("n", n)):
        p.grad = torch.randn_like(p) * s
        t[f"adamw.step{step}.grad.{name}"] = p.grad.clone()
    norm = torch.nn.utils.clip_grad_norm_([w, b, n], max_norm=1.0)
    t[f"adamw.step{step}.norm"] = norm.detach().reshape(1)
    t[f"adamw.step{step}.lr"] = torch.tensor([opt.param_groups[0]["lr"]], dtype=torch.float64).float()
    opt.step()
    sched.step()
    for name, p in (("w", w), ("b", b), ("n", n)):
        t[f"adamw.step{step}.after.{name}"] = p.detach().clone()

# ---- schedules ------------------------------------------------------------------------
def factors(make, steps=25):
    p = torch.nn.Parameter(torch.zeros(1))
    o = torch.optim.SGD([p], lr=1.0)
    s = make(o)
    out = []
    for _ in range(steps):
        out.append(o.param_groups[0]["lr"])
        o.step()
        s.step()
    return torch.tensor(out, dtype=torch.float64).float()

t["schedule.constant"] = factors(lambda o: get_constant_schedule(o))
t["schedule.constant_warmup3"] = factors(lambda o: get_constant_schedule_with_warmup(o, 3))
t["schedule.linear_warmup3_total20"] = factors(lambda o: get_linear_schedule_with_warmup(o, 3, 20))
t["schedule.linear_warmup0_total20"] = factors(lambda o: get_linear_schedule_with_warmup(o, 0, 20))
t["schedule.cosine_warmup4_total20"] = factors(lambda o: get_cosine_schedule_with_warmup(o, 4, 20))

OUT.parent.mkdir(parents=True, exist_ok=True)
save_file({k: v.detach().float().contiguous() for k, v in t.items()}, str(OUT),
          metadata={"generator": "scripts/reference/train_optim_losses.py", "torch": torch.__version__})
print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(t)} tensors)")
