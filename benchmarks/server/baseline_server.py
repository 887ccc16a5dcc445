#!/usr/bin/env python3
"""The reference server of the load benchmark: what OpenRLHF's `openrlhf/cli/serve_rm.py`
(OpenRLHF/OpenRLHF at 58ec6ffd957e617b7dbb14596a22de99d9a75617) does, rewritten here for
CPU so it runs without OpenRLHF installed:

- FastAPI + uvicorn, one route: POST /get_reward {"query": [str], "prompts"?: [...]}
  -> {"rewards": [float], "scores": [float], "extra_logs": {"dummy_scores": [float]}};
- the handler is `async` and runs the model inline, as serve_rm.py's does, so requests are
  served one at a time on the event loop (no cross-request batching);
- the tokenizer pads on the left and is called with return_tensors="pt",
  add_special_tokens=False, max_length=--max-len, padding=True, truncation=True; the
  queries of one request form one batch (serve_rm.py's batch_size None);
- the model is eval() and runs under no_grad with position ids counted from the attention
  mask (OpenRLHF's RewardModel.forward), the reward read at the last position; here it is
  transformers' AutoModelForSequenceClassification in f32 on CPU with --threads torch threads
  (OpenRLHF loads its own reward wrapper, bf16 on GPU by flag);
- queries[0] and each reply are logged at info level, as serve_rm.py logs them.

usage: baseline_server.py --model DIR [--host 127.0.0.1] [--port 5000] [--max-len 2048] [--threads 2]
"""
import argparse
import logging

import torch
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from transformers import AutoModelForSequenceClassification, AutoTokenizer

log = logging.getLogger("baseline_server")


class RewardModel:
    """Model and tokenizer of one server; `rewards` scores one request's queries."""

    def __init__(self, path, max_len, batch_size=None):
        self.model = AutoModelForSequenceClassification.from_pretrained(path, dtype=torch.float32).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:  # OpenRLHF's get_tokenizer does the same
            self.tokenizer.pad_token = self.tokenizer.eos_token
            self.model.config.pad_token_id = self.tokenizer.pad_token_id
        self.max_len = max_len
        self.batch_size = batch_size

    def rewards(self, queries):
        step = self.batch_size or len(queries)
        log.info("queries[0]: %s", queries[0])
        out = []
        with torch.no_grad():
            for i in range(0, len(queries), step):
                batch = self.tokenizer(queries[i:i + step], return_tensors="pt", add_special_tokens=False,
                                       max_length=self.max_len, padding=True, truncation=True)
                mask = batch["attention_mask"]
                positions = mask.long().cumsum(-1) - 1  # left padding: real tokens count from 0
                positions.masked_fill_(mask == 0, 1)
                logits = self.model(input_ids=batch["input_ids"], attention_mask=mask,
                                    position_ids=positions).logits  # [batch, 1], at the last position
                out.extend(logits[:, 0].tolist())
        return out


def build_app(rm):
    app = FastAPI()

    @app.post("/get_reward")
    async def get_reward(request: Request):
        data = await request.json()
        rewards = rm.rewards(data.get("query"))  # blocking, on the event loop, as in serve_rm.py
        result = {"rewards": rewards, "scores": rewards, "extra_logs": {"dummy_scores": rewards}}
        log.info("Sent JSON: %s", result)
        return JSONResponse(result)

    return app


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5000)
    ap.add_argument("--max-len", type=int, default=2048)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    torch.set_num_threads(a.threads)
    rm = RewardModel(a.model, a.max_len, a.batch_size)
    uvicorn.run(build_app(rm), host=a.host, port=a.port, log_level="info")


if __name__ == "__main__":
    main()
