#!/usr/bin/env python3
"""Reference gradients of every op the training backward implements, from PyTorch autograd
over transformers' own modules where it has them (Qwen3RMSNorm, apply_rotary_pos_emb,
eager_attention_forward, ACT2FN). Writes
Tests/SynprefTrainingTests/Fixtures/grad_ops.safetensors: per op, its inputs, the upstream
gradient `dy`, the forward output and the gradients of every input.

Run: /work/venv/bin/python scripts/reference/train_grad_ops.py
"""
import pathlib
import types

import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers.activations import ACT2FN
from transformers.models.llama.modeling_llama import apply_rotary_pos_emb, eager_attention_forward
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding
from transformers.models.llama.configuration_llama import LlamaConfig
from transformers.models.qwen3.modeling_qwen3 import Qwen3RMSNorm

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SynprefTrainingTests/Fixtures/grad_ops.safetensors"
torch.manual_seed(1234)
tensors = {}


def put(prefix, **named):
    for k, v in named.items():
        tensors[f"{prefix}.{k}"] = v.detach().to(torch.float32).contiguous().clone()


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


# RMSNorm (Llama/Qwen3 layers; also Qwen3's per-head q/k norm as rows of head_dim).
x = leaf(7, 48, scale=2.0)
norm = Qwen3RMSNorm(48, eps=1e-6)
with torch.no_grad():
    norm.weight.copy_(torch.randn(48) * 0.5 + 1.0)
y = norm(x)
dy = torch.randn_like(y)
y.backward(dy)
put("rmsnorm", x=x, weight=norm.weight, dy=dy, y=y, dx=x.grad, dweight=norm.weight.grad)

# LayerNorm (BERT).
x = leaf(9, 40, scale=3.0)
ln = torch.nn.LayerNorm(40, eps=1e-12)
with torch.no_grad():
    ln.weight.copy_(torch.randn(40) * 0.5 + 1.0)
    ln.bias.copy_(torch.randn(40) * 0.1)
y = ln(x + 0.7)  # an offset so the mean matters
dy = torch.randn_like(y)
y.backward(dy)
with torch.no_grad():
    x_in = x + 0.7
put("layernorm", x=x_in, weight=ln.weight, bias=ln.bias, dy=dy, y=y, dx=x.grad,
    dweight=ln.weight.grad, dbias=ln.bias.grad)

# RoPE with llama3 scaling, positions past original_max_position_embeddings.
heads, head_dim, n = 3, 16, 11
cfg = LlamaConfig(hidden_size=heads * head_dim, num_attention_heads=heads, head_dim=head_dim,
                  max_position_embeddings=4096,
                  rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                   "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                   "original_max_position_embeddings": 64})
rope = LlamaRotaryEmbedding(cfg)
positions = torch.tensor([[0, 1, 2, 63, 64, 65, 100, 500, 1000, 2047, 4000]])
q = leaf(1, heads, n, head_dim)
cos, sin = rope(q, positions)
qe, _ = apply_rotary_pos_emb(q, q.detach(), cos, sin)
dy = torch.randn_like(qe)
qe.backward(dy)
flat = lambda t: t[0].transpose(0, 1).reshape(n, heads * head_dim)  # [1,h,n,d] -> [n, h*d]
put("rope", x=flat(q), cos=cos[0, :, : head_dim // 2], sin=sin[0, :, : head_dim // 2],
    dy=flat(dy), y=flat(qe), dx=flat(q.grad), positions=positions[0].float())


# Attention over packed sequences: per sequence eager attention (transformers' own), GQA.
def attention_case(name, lengths, heads, kv_heads, head_dim, causal):
    total = sum(lengths)
    q = leaf(total, heads * head_dim)
    k = leaf(total, kv_heads * head_dim)
    v = leaf(total, kv_heads * head_dim)
    module = types.SimpleNamespace(num_key_value_groups=heads // kv_heads, training=False)
    outs, start = [], 0
    for length in lengths:
        sl = slice(start, start + length)
        qs = q[sl].view(length, heads, head_dim).transpose(0, 1).unsqueeze(0)
        ks = k[sl].view(length, kv_heads, head_dim).transpose(0, 1).unsqueeze(0)
        vs = v[sl].view(length, kv_heads, head_dim).transpose(0, 1).unsqueeze(0)
        mask = None
        if causal:
            mask = torch.full((length, length), float("-inf")).triu(1)[None, None]
        o, _ = eager_attention_forward(module, qs, ks, vs, mask, scaling=head_dim ** -0.5)
        outs.append(o.reshape(length, heads * head_dim))
        start += length
    out = torch.cat(outs)
    dy = torch.randn_like(out)
    out.backward(dy)
    put(name, q=q, k=k, v=v, dy=dy, y=out, dq=q.grad, dk=k.grad, dv=v.grad,
        lengths=torch.tensor(lengths, dtype=torch.float32),
        shape=torch.tensor([heads, kv_heads, head_dim, 1 if causal else 0], dtype=torch.float32))


attention_case("attn_causal_gqa", [1, 5, 70, 130], heads=4, kv_heads=2, head_dim=16, causal=True)
attention_case("attn_causal_mqa", [65, 3], heads=3, kv_heads=1, head_dim=24, causal=True)
attention_case("attn_bidir_mha", [9, 129, 2], heads=2, kv_heads=2, head_dim=8, causal=False)

# SwiGLU: silu(gate) * up.
g = leaf(6, 37, scale=3.0)
u = leaf(6, 37)
y = ACT2FN["silu"](g) * u
dy = torch.randn_like(y)
y.backward(dy)
put("silu_mul", gate=g, up=u, dy=dy, y=y, dgate=g.grad, dup=u.grad)

# GELU (erf form, BERT's "gelu").
x = leaf(5, 29, scale=3.0)
y = ACT2FN["gelu"](x)
dy = torch.randn_like(y)
y.backward(dy)
put("gelu", x=x, dy=dy, y=y, dx=x.grad)

# tanh (BERT pooler).
x = leaf(3, 21, scale=2.0)
y = torch.tanh(x)
dy = torch.randn_like(y)
y.backward(dy)
put("tanh", x=x, dy=dy, y=y, dx=x.grad)

# Embedding with repeated ids (scatter-add).
table = leaf(13, 24)
ids = torch.tensor([3, 0, 12, 3, 3, 7, 0, 5])
y = F.embedding(ids, table)
dy = torch.randn_like(y)
y.backward(dy)
put("embedding", table=table, ids=ids.float(), dy=dy, y=y, dtable=table.grad)

# Linear with bias.
x = leaf(10, 33)
w = leaf(19, 33, scale=0.2)
b = leaf(19)
y = F.linear(x, w, b)
dy = torch.randn_like(y)
y.backward(dy)
put("linear", x=x, weight=w, bias=b, dy=dy, y=y, dx=x.grad, dweight=w.grad, dbias=b.grad)

OUT.parent.mkdir(parents=True, exist_ok=True)
save_file(tensors, str(OUT), metadata={"generator": "scripts/reference/train_grad_ops.py",
                                       "torch": torch.__version__})
print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(tensors)} tensors)")
