"""Which files make up each split of a dataset repository, as the `datasets` library decides.

For each case (a repository's file list and README.md), lays the files out in a temporary
folder and asks `datasets` (5.2) the way `load_dataset` does for a repository without a
loading script: the card's `configs` through `MetadataConfigs` (`data_files`, `data_dir`,
the default config), else `get_data_patterns`; then `DataFilesDict.from_patterns` with
the library's allowed extensions. Writes
Tests/SynprefModelsTests/Fixtures/dataset-splits/cases.json, which DatasetSplitsTests
compares Synpref's `DatasetSplits` with.

Run: /work/venv/bin/python scripts/reference/dataset_splits_reference.py
"""
import json
import os
import tempfile

import datasets
from datasets.data_files import DataFilesDict, get_data_patterns, sanitize_patterns
from datasets.packaged_modules import _ALL_ALLOWED_EXTENSIONS as ALL_ALLOWED_EXTENSIONS
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCardData
from huggingface_hub.repocard import RepoCard

CARD_SHARDED = """---
license: mit
dataset_info:
  features:
  - name: prompt
    dtype: string
  splits:
  - name: train
    num_examples: 10
---
# A dataset pushed with push_to_hub, before configs were written
"""

CARD_REWARDBENCH = """---
language:
- en
license: odc-by
configs:
- config_name: default
  data_files:
  - split: raw
    path: data/raw-*
  - split: filtered
    path: data/filtered-*
dataset_info:
  features:
  - name: prompt
    dtype: string
---
# RewardBench-like
"""

CARD_TWO_CONFIGS = """---
configs:
  - config_name: helpful
    data_files:
      - split: train
        path: helpful/train.jsonl
      - split: test
        path: "helpful/test-*.jsonl"   # quoted, with a comment
  - config_name: harmless
    default: true
    data_files: harmless/*.jsonl
---
"""

CARD_FLOW = """---
configs:
- config_name: default
  data_files:
  - split: test
    path: ['a/one.jsonl', "a/two.jsonl"]
  - split: validation
    path:
    - b/*.parquet
---
"""

CARD_DATA_DIR = """---
configs:
- config_name: english
  data_dir: en
- config_name: french
  data_dir: fr
---
"""


CASES = [
    {"name": "push_to_hub shards, card without configs", "readme": CARD_SHARDED, "config": None,
     "files": [".gitattributes", "README.md", "data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet",
               "data/test-00000-of-00001.parquet", "data/validation-00000-of-00001.parquet"]},
    {"name": "JudgeBench-like custom split names", "readme": None, "config": None,
     "files": [".gitattributes", "data/gpt-00000-of-00001.parquet", "data/claude-00000-of-00001.parquet"]},
    {"name": "RewardBench-like configs", "readme": CARD_REWARDBENCH, "config": None,
     "files": [".gitattributes", "README.md", "data/raw-00000-of-00001.parquet", "data/filtered-00000-of-00001.parquet"]},
    {"name": "two configs, default marked", "readme": CARD_TWO_CONFIGS, "config": None,
     "files": ["README.md", "helpful/train.jsonl", "helpful/test-0.jsonl", "helpful/test-1.jsonl",
               "harmless/a.jsonl", "harmless/b.jsonl"]},
    {"name": "two configs, one chosen", "readme": CARD_TWO_CONFIGS, "config": "helpful",
     "files": ["README.md", "helpful/train.jsonl", "helpful/test-0.jsonl", "helpful/test-1.jsonl",
               "harmless/a.jsonl", "harmless/b.jsonl"]},
    {"name": "flow lists and block lists of paths", "readme": CARD_FLOW, "config": None,
     "files": ["README.md", "a/one.jsonl", "a/two.jsonl", "a/three.jsonl", "b/x.parquet", "b/y.parquet"]},
    {"name": "data_dir configs", "readme": CARD_DATA_DIR, "config": "french",
     "files": ["README.md", "en/train.jsonl", "en/test.jsonl", "fr/train.jsonl", "fr/dev.jsonl", "fr/test.jsonl"]},
    {"name": "split names in file names", "readme": None, "config": None,
     "files": ["README.md", "train.jsonl", "dev.jsonl", "test.json.gz", "notes.txt.md", "LICENSE"]},
    {"name": "split names in folder names", "readme": None, "config": None,
     "files": ["train/part-1.parquet", "train/part-2.parquet", "evaluation/x.parquet", "docs/readme.md"]},
    {"name": "synonyms and separators", "readme": None, "config": None,
     "files": ["my_training_set.jsonl", "my-valid-set.jsonl", "final.testing.jsonl", "other.jsonl"]},
    {"name": "no split names: everything is train", "readme": None, "config": None,
     "files": ["README.md", "foo.jsonl", "bar/baz.parquet", ".hidden/x.parquet", "__pycache__/y.parquet", "a/.b/c.jsonl"]},
]


def resolve(case):
    with tempfile.TemporaryDirectory() as root:
        for f in case["files"]:
            path = os.path.join(root, f)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as out:
                out.write("x")
        readme = case["readme"]
        if readme is not None:
            with open(os.path.join(root, "README.md"), "w") as out:
                out.write(readme)
        card_data = RepoCard(readme).data if readme is not None else DatasetCardData()
        configs = MetadataConfigs.from_dataset_card_data(card_data)
        config_name = None
        base = root
        if configs:
            config_name = case["config"] or configs.get_default_config_name()
            params = configs[config_name]
            if params.get("data_dir"):
                base = os.path.join(root, params["data_dir"])
            patterns = sanitize_patterns(params["data_files"]) if params.get("data_files") else get_data_patterns(base)
        else:
            patterns = get_data_patterns(base)
        files = DataFilesDict.from_patterns(patterns, base_path=base, allowed_extensions=ALL_ALLOWED_EXTENSIONS)
        splits = [[str(split), sorted(os.path.relpath(str(p), root) for p in paths)] for split, paths in files.items()]
        return {"config": config_name, "splits": splits}


def main():
    out = []
    for case in CASES:
        c = dict(case)
        c["expected"] = resolve(case)
        out.append(c)
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.path.join(here, "..", "..", "Tests", "SynprefModelsTests", "Fixtures", "dataset-splits", "cases.json")
    with open(target, "w") as f:
        json.dump({"generator": f"scripts/reference/dataset_splits_reference.py (datasets {datasets.__version__})",
                   "cases": out}, f, indent=1)
        f.write("\n")
    for c in out:
        print(c["name"], "->", json.dumps(c["expected"]))


if __name__ == "__main__":
    main()
