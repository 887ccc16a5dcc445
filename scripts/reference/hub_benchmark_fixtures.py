"""Parquet shards of two benchmarks as they are laid out on the Hugging Face Hub, for the
test that `synpref eval` without --data fetches them (Tests/SynprefCLITests/EvalFetchTests).

The rows are those of Tests/SynprefEvalTests/Fixtures/model-eval/data (17 RewardBench 2
Ties rows, 8 RM-Bench chat rows), written by pyarrow as `datasets.push_to_hub` writes them:
`data/<split>-00000-of-00001.parquet`, snappy-compressed, with a README.md whose `configs`
name the split's files. RM-Bench rows get the `domain` column the Hub dataset carries.

Run: /work/venv/bin/python scripts/reference/hub_benchmark_fixtures.py
"""
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
SOURCE = os.path.join(ROOT, "Tests", "SynprefEvalTests", "Fixtures", "model-eval", "data")
TARGET = os.path.join(ROOT, "Tests", "SynprefCLITests", "Fixtures", "hub-benchmarks")

CARD = """---
license: odc-by
configs:
- config_name: default
  data_files:
  - split: {split}
    path: data/{split}-*
---
# Test copy of {name}
"""


def write(name, split, rows):
    folder = os.path.join(TARGET, name)
    os.makedirs(os.path.join(folder, "data"), exist_ok=True)
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, os.path.join(folder, "data", f"{split}-00000-of-00001.parquet"), compression="snappy")
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(CARD.format(split=split, name=name))
    print(name, split, len(rows), "rows")


def main():
    rb2 = [json.loads(line) for line in open(os.path.join(SOURCE, "rewardbench2", "ties_sample_ref42_to_ref50.jsonl"))]
    write("reward-bench-2", "test", rb2)
    chat = json.load(open(os.path.join(SOURCE, "rm-bench", "chat_filtered.json")))
    for row in chat:
        row["domain"] = "chat"
    write("RM-Bench", "train", chat)


if __name__ == "__main__":
    main()
